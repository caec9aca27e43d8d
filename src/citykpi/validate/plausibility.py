"""The plausibility rules of the KPI sheets (the catalogue's `checks`), evaluated on KPI values.

A rule reads inputs as a formula does (`citykpi.assess.inputs.gather_inputs`) and KPI values from
the assessment, so that validation judges exactly the numbers the assessment publishes (overrides
included). A rule that cannot be evaluated because a value is missing is skipped: absence is
reported elsewhere, and a rule says nothing about it.
"""

from __future__ import annotations

from collections.abc import Iterator

from citykpi.assess.inputs import EntryIndex, Gathered, gather_inputs
from citykpi.framework.formula import FormulaError, parse
from citykpi.model.diagnostics import Diagnostic, Location, Severity
from citykpi.validate.context import Context


def plausibility(ctx: Context) -> Iterator[Diagnostic]:
    rules = [(kpi, rule) for kpi in ctx.catalogue.kpis.values() for rule in kpi.checks]
    if not rules:
        return
    kpi_values = {(r.code, r.data_point): r.value for r in ctx.assessment.results if r.has_value}
    index = EntryIndex.build(ctx.submission.entries)
    declared = {i.name: i for k in ctx.catalogue.kpis.values() for i in k.inputs}

    def lookup(code: str, data_point: str) -> float | None:
        canonical = ctx.catalogue.normalise_code(code) or code
        return kpi_values.get((canonical, data_point))

    for kpi, rule in rules:
        seen = gather_inputs(rule.expression, index, declared, ctx.submission.profile, ctx.submission.places)
        if not isinstance(seen, Gathered):
            continue
        try:
            holds = parse(rule.expression).evaluate(seen.values, kpi=lookup)
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
            # Entries read back from the store carry no cell; the KPI is then what files the finding
            # under its review at submission (screening), as `Context.where` does for the inputs.
            return entry.location if entry.location.kpi else entry.location.model_copy(update={"kpi": code})
    return ctx.file.model_copy(update={"kpi": code})
