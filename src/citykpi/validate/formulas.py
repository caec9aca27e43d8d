"""Problems only visible once a KPI formula is evaluated on the reported inputs.

A zero denominator or a computed percentage above 100 is caused by input cells, not by the
formula, so the diagnostic points at those cells (every zero the formula reads, or every input
it reads) rather than at the KPI. Both read the assessment: the values a formula saw are recorded
on its result, so what the check judges is what the assessment published.
"""

from __future__ import annotations

from collections.abc import Iterator

from citykpi.collect.cells import in_range
from citykpi.framework.formula import FormulaError, parse
from citykpi.framework.model import DataPoint
from citykpi.model.assessment import KpiResult
from citykpi.model.diagnostics import Diagnostic, said
from citykpi.validate.context import Context


def _failed(ctx: Context, problem: str) -> Iterator[tuple[KpiResult, DataPoint]]:
    for result in ctx.assessment.results:
        kpi = ctx.catalogue.kpis.get(result.code)
        if result.problem != problem or kpi is None:
            continue
        point = next((p for p in kpi.data_points if p.key == result.data_point), None)
        if point is not None and point.formula:
            yield result, point


def zero_denominators(ctx: Context) -> Iterator[Diagnostic]:
    for result, point in _failed(ctx, "zero-denominator"):
        zeros = [use for use in result.inputs if use.value == 0]
        for use in sorted(zeros or result.inputs, key=lambda u: u.name):
            yield said(
                "zero-denominator",
                "{name} is 0 and {what} divides by it ({formula}); give the real figure, "
                "or mark the KPI 'not applicable'",
                {"name": use.name, "what": ctx.what(result), "formula": point.formula or ""},
                variant="formula",
                location=ctx.used(use, result.code),
            )


def computed_range(ctx: Context) -> Iterator[Diagnostic]:
    """Each input may be in range while the KPI is not: 130 households with internet out of 100."""
    for result, point in _failed(ctx, "constraint-error.computed"):
        seen = {use.name: use.value for use in result.inputs}
        try:
            computed = parse(point.formula or "").evaluate(seen)
        except FormulaError:
            continue
        if isinstance(computed, bool) or not isinstance(computed, int | float):
            continue
        problem = in_range(computed, point.minimum, point.maximum, point.unit)
        if problem is None:
            continue
        shown = ", ".join(f"{name} = {value:g}" for name, value in sorted(seen.items()))
        first = sorted(result.inputs, key=lambda u: (u.name not in ctx.inputs, u.name))[0]
        # The range problem is nested: its own key and values travel with it, so that it is translated too.
        nested = {f"problem_{k}": v for k, v in problem.params.items()}
        key = f"{problem.type}.{problem.variant}"
        yield said(
            "constraint-error",
            "the computed {what} is out of range: {problem} (from {shown}); check these inputs",
            {"what": ctx.what(result), "problem": problem.message, "problem_key": key, "shown": shown, **nested},
            variant="computed",
            location=ctx.used(first, result.code),
        )
