"""A profile figure left empty on the Cover sheet while reported inputs need it as a denominator.

Without this check the city would only learn it from the assessment ("needs households"); here the
warning points at the empty Cover cell, once per field, naming the KPIs waiting for it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from citykpi.framework.model import PROFILE_FIELDS
from citykpi.model.diagnostics import Diagnostic, Severity, said
from citykpi.validate.context import Context


def profile_needed(ctx: Context) -> Iterator[Diagnostic]:
    waiting: dict[str, list[str]] = defaultdict(list)
    for result in ctx.assessment.results:
        only_profile = result.missing and all(name in PROFILE_FIELDS for name in result.missing)
        if not only_profile or not any(use.name not in PROFILE_FIELDS for use in result.inputs):
            continue
        for name in result.missing:
            if result.code not in waiting[name]:
                waiting[name].append(result.code)
    for name, codes in sorted(waiting.items()):
        shown = ", ".join(codes[:5]) + (f" and {len(codes) - 5} more" if len(codes) > 5 else "")
        yield said(
            "missing-profile",
            "{name} is empty on the Cover sheet but {kpis} need it; without it they cannot be computed",
            {"name": name, "kpis": shown},
            variant="needed",
            severity=Severity.WARNING,
            location=ctx.where(name),
        )
