"""A profile figure left empty on the Cover sheet while reported inputs need it as a denominator.

Without this check the city would only learn it from the assessment ("needs households"); here the
warning points at the empty Cover cell, once per field, naming the KPIs waiting for it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from citykpi.framework.formula import FormulaError, parse
from citykpi.framework.model import PROFILE_FIELDS
from citykpi.model.diagnostics import Diagnostic, Severity, said
from citykpi.validate.context import Context


def profile_needed(ctx: Context) -> Iterator[Diagnostic]:
    waiting: dict[str, list[str]] = defaultdict(list)
    for kpi, point in ctx.formula_points():
        try:
            names = parse(point.formula or "").names
        except FormulaError:
            continue
        missing = {n for n in names if n in PROFILE_FIELDS and n not in ctx.values}
        others = names - set(PROFILE_FIELDS)
        if missing and others and others <= ctx.values.keys():
            for name in missing:
                if kpi.code not in waiting[name]:
                    waiting[name].append(kpi.code)
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
