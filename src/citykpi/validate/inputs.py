"""An input left empty while the formula's other inputs are given: the KPI cannot be computed.

`citykpi assess` puts such a KPI in error ("needs water_meters (not reported)"); the city should
learn it from `validate` already, at the empty cell, before anyone publishes the result. A warning,
not an error: a half-filled KPI is a gap in the data, not a broken file.
"""

from __future__ import annotations

from collections.abc import Iterator

from citykpi.framework.model import PROFILE_FIELDS
from citykpi.model.diagnostics import Diagnostic, Severity, said
from citykpi.validate.context import Context


def missing_inputs(ctx: Context) -> Iterator[Diagnostic]:
    for result in ctx.assessment.results:
        empty = [name for name in result.missing if name not in PROFILE_FIELDS]
        given = sorted(use.name for use in result.inputs if use.name not in PROFILE_FIELDS)
        if not empty or not given:
            continue
        for name in empty:
            yield said(
                "missing-input",
                "{what} needs {name}, which is empty while {given} is given; the KPI stays in error "
                "('{reason}') until {name} is filled in or marked 'not available'",
                {"what": ctx.what(result), "name": name, "given": ", ".join(given), "reason": result.reason},
                variant="formula",
                severity=Severity.WARNING,
                location=ctx.where(name, result.code),
            )
