"""Diagnostics for a terminal: a long run of one kind is cut short (JSON outputs keep them all)."""

from __future__ import annotations

from citykpi.model.diagnostics import Diagnostic, by_type

SHOWN_PER_KIND = 5


def summarised(diagnostics: list[Diagnostic], shown: int = SHOWN_PER_KIND) -> list[str]:
    """Terminal lines: the first `shown` diagnostics of each type, then how many more of that type.

    A panel read without `data.time` repeats one duplicate-row line per unit and year (11,130 lines
    for the Brazilian IDHM); the hint naming the year column says what to do about all of them.
    """
    groups = by_type(diagnostics)
    kept = {id(d) for items in groups.values() for d in items[:shown]}
    lines = [str(d) for d in diagnostics if id(d) in kept]
    return lines + [
        f"... and {len(items) - shown} more of the same kind ({kind})"
        for kind, items in groups.items()
        if len(items) > shown
    ]
