"""The plausibility rules of the KPI sheets (the catalogue's `checks`), evaluated on KPI values.

KPI values come from `citykpi.assess` so that validation judges exactly the numbers the
assessment will publish (overrides included). A rule that cannot be evaluated because a value is
missing is skipped: absence is reported elsewhere, and a rule says nothing about it.
"""

from __future__ import annotations

from collections.abc import Iterator

from citykpi.assess.engine import assess
from citykpi.framework.formula import FormulaError, parse
from citykpi.model.diagnostics import Diagnostic, Location, Severity
from citykpi.validate.context import Context


def plausibility(ctx: Context) -> Iterator[Diagnostic]:
    rules = [(kpi, rule) for kpi in ctx.catalogue.kpis.values() for rule in kpi.checks]
    if not rules:
        return
    results = assess(ctx.submission, ctx.catalogue).results
    kpi_values = {(r.code, r.data_point): r.value for r in results if r.has_value}

    def lookup(code: str, data_point: str) -> float | None:
        canonical = ctx.catalogue.normalise_code(code) or code
        return kpi_values.get((canonical, data_point))

    for kpi, rule in rules:
        try:
            holds = parse(rule.expression).evaluate(ctx.values, kpi=lookup)
        except FormulaError:
            continue
        if holds is False:
            yield Diagnostic(
                type="plausibility",
                severity=Severity(rule.severity),
                message=f"{rule.message} (rule {rule.id}: {rule.expression})",
                location=_where(ctx, kpi.code),
            )


def _where(ctx: Context, code: str) -> Location:
    """The KPI's first reported row, so the warning lands next to the figures it questions."""
    for entry in ctx.submission.entries:
        if entry.kpi == code and entry.value is not None:
            return entry.location
    return ctx.file.model_copy(update={"kpi": code})
