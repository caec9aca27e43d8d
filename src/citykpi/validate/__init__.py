"""Checks on a parsed submission, each a small function `Context -> Iterable[Diagnostic]`.

Cell-level problems (types, ranges, codes, duplicates) are found while parsing; the checks here
need the whole submission: formulas evaluated over several rows, plausibility rules of the KPI
sheets and the verifiers' screening rules. Like frictionless `checks/`, adding one is adding a
function to `CHECKS`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from citykpi.model.diagnostics import Diagnostic
from citykpi.validate.context import Context
from citykpi.validate.formulas import computed_range, zero_denominators
from citykpi.validate.plausibility import plausibility
from citykpi.validate.profile import profile_needed
from citykpi.validate.screening import currency_declared, population_agrees

__all__ = ["CHECKS", "Context", "run_checks"]

Check = Callable[[Context], Iterable[Diagnostic]]

CHECKS: tuple[Check, ...] = (
    zero_denominators,
    computed_range,
    profile_needed,
    plausibility,
    population_agrees,
    currency_declared,
)


def run_checks(ctx: Context) -> list[Diagnostic]:
    return [d for check in CHECKS for d in check(ctx)]
