"""Problems only visible once a KPI formula is evaluated on the reported inputs.

A zero denominator or a computed percentage above 100 is caused by input cells, not by the
formula, so the diagnostic points at those cells (every zero the formula reads, or every input
it reads) rather than at the KPI.
"""

from __future__ import annotations

from collections.abc import Iterator

from citykpi.collect.cells import in_range
from citykpi.framework.formula import Formula, FormulaError, Value, parse
from citykpi.framework.model import DataPoint, Kpi, ValueKind
from citykpi.model.diagnostics import Diagnostic, said
from citykpi.validate.context import Context


def _evaluated(ctx: Context) -> Iterator[tuple[Kpi, DataPoint, Formula, Value | FormulaError]]:
    for kpi, point in ctx.formula_points():
        try:
            formula = parse(point.formula or "")
        except FormulaError:
            continue  # a catalogue problem, reported by `citykpi kpis` validation, not the city's
        if not formula.names or not formula.names <= ctx.values.keys() or formula.kpi_refs:
            continue
        try:
            yield kpi, point, formula, formula.evaluate(ctx.values)
        except FormulaError as exc:
            yield kpi, point, formula, exc


def zero_denominators(ctx: Context) -> Iterator[Diagnostic]:
    for kpi, point, formula, result in _evaluated(ctx):
        if not (isinstance(result, FormulaError) and result.kind == "zero-denominator"):
            continue
        zeros = sorted(n for n in formula.names if ctx.values.get(n) == 0 and not isinstance(ctx.values[n], bool))
        what = kpi.code if not kpi.is_multi else f"{kpi.code} ({point.key})"
        for name in zeros or sorted(formula.names):
            yield said(
                "zero-denominator",
                "{name} is 0 and {what} divides by it ({formula}); give the real figure, "
                "or mark the KPI 'not applicable'",
                {"name": name, "what": what, "formula": formula.text},
                variant="formula",
                location=ctx.where(name, kpi.code),
            )


def computed_range(ctx: Context) -> Iterator[Diagnostic]:
    """Each input may be in range while the KPI is not: 130 households with internet out of 100."""
    for kpi, point, formula, result in _evaluated(ctx):
        if isinstance(result, FormulaError | bool) or point.kind is not ValueKind.NUMBER:
            continue
        problem = in_range(result, point.minimum, point.maximum, point.unit)
        if problem is None:
            continue
        shown = ", ".join(f"{n} = {ctx.values[n]:g}" for n in sorted(formula.names))
        what = kpi.code if not kpi.is_multi else f"{kpi.code} ({point.key})"
        first = sorted(formula.names, key=lambda n: (n not in ctx.inputs, n))[0]
        # The range problem is nested: its own key and values travel with it, so that it is translated too.
        nested = {f"problem_{k}": v for k, v in problem.params.items()}
        key = f"{problem.type}.{problem.variant}"
        yield said(
            "constraint-error",
            "the computed {what} is out of range: {problem} (from {shown}); check these inputs",
            {"what": what, "problem": problem.message, "problem_key": key, "shown": shown, **nested},
            variant="computed",
            location=ctx.where(first, kpi.code),
        )
