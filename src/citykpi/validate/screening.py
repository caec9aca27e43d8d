"""The verifiers' screening rules (U4SSC Verification Manual p.31, see docs/collection.md).

Population and household totals must agree within 5 % across a submission, and the currency of
money amounts must be declared. Which inputs restate the city's total population is decided by
their unit and name, because the catalogue has no flag for it; the rule is a warning, so a wrong
guess costs a question, not a rejection.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from citykpi.model.diagnostics import Diagnostic, Severity, said
from citykpi.validate.context import Context

TOLERANCE = 0.05
TOTALS = {
    "population": re.compile(r"^(total_|city_|resident_)?(population|inhabitants)(_total)?$"),
    "households": re.compile(r"^(total_|city_)?(households|number_of_households)(_total)?$"),
}
MONEY = re.compile(r"currency|\bUSD\b|\bEUR\b|\bCHF\b|[$€£¥]", re.IGNORECASE)


def population_agrees(ctx: Context) -> Iterator[Diagnostic]:
    profile = ctx.submission.profile
    for field, pattern in TOTALS.items():
        reference = getattr(profile, field)
        if not reference:
            continue
        for name, entry in sorted(ctx.inputs.items()):
            value = entry.value
            if not pattern.match(name) or isinstance(value, bool) or not isinstance(value, int | float):
                continue
            gap = abs(value - reference) / reference
            if gap > TOLERANCE:
                params = {"name": name, "value": f"{value:g}", "gap": f"{gap:.0%}", "field": field}
                params |= {"reference": f"{reference:g}", "tolerance": f"{TOLERANCE:.0%}"}
                yield said(
                    "inconsistent-profile",
                    "{name} = {value} differs by {gap} from the {field} on the Cover sheet "
                    "({reference}); the verifiers accept at most {tolerance}",
                    params,
                    variant="total",
                    severity=Severity.WARNING,
                    location=entry.location,
                )


def currency_declared(ctx: Context) -> Iterator[Diagnostic]:
    if ctx.submission.profile.currency:
        return
    money = [
        e
        for e in ctx.submission.entries
        if e.value is not None and not isinstance(e.value, bool) and MONEY.search(_unit(ctx, e.kpi, e.name))
    ]
    if ctx.submission.profile.gdp is not None or money:
        first = money[0].location if money else ctx.where("gdp")
        yield said(
            "missing-profile",
            "money amounts are reported but no currency is declared on the Cover sheet",
            {},
            variant="currency",
            severity=Severity.WARNING,
            location=ctx.submission.places.get("currency", first),
        )


def _unit(ctx: Context, code: str, name: str) -> str:
    kpi = ctx.catalogue.kpis.get(code)
    if kpi is None:
        return ""
    for item in kpi.inputs:
        if item.name == name:
            return item.unit
    for point in kpi.data_points:
        if point.key == name:
            return point.unit
    return ""
