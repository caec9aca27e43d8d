"""The checks on a submission and its assessment, each a small function `Context -> Iterable[Diagnostic]`.

Cell-level problems (types, ranges, codes, duplicates) are found while parsing (`citykpi.collect`);
the checks here need the whole submission and what the assessment made of it: formulas evaluated
over several rows, inputs a formula still lacks, plausibility rules of the KPI sheets and the
verifiers' screening rules. Like frictionless `checks/`, adding one is adding a function to
`CHECKS`. `citykpi.validate.files.check_file` is the one pass that reads a file, assesses it once
and runs these checks, for every command and page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from citykpi.model.diagnostics import Diagnostic
from citykpi.validate.context import Context
from citykpi.validate.formulas import computed_range, zero_denominators
from citykpi.validate.inputs import missing_inputs
from citykpi.validate.plausibility import plausibility
from citykpi.validate.profile import profile_needed
from citykpi.validate.screening import currency_declared, population_agrees

Check = Callable[[Context], Iterable[Diagnostic]]

CHECKS: tuple[Check, ...] = (
    zero_denominators,
    computed_range,
    missing_inputs,
    profile_needed,
    plausibility,
    population_agrees,
    currency_declared,
)


def run_checks(ctx: Context) -> list[Diagnostic]:
    return [d for check in CHECKS for d in check(ctx)]
