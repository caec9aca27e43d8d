"""Diagnostics for a terminal: a long run of one kind is cut short (JSON outputs keep them all)."""

from __future__ import annotations

from citykpi.model.diagnostics import Diagnostic

SHOWN_PER_KIND = 5


def summarised(diagnostics: list[Diagnostic], shown: int = SHOWN_PER_KIND) -> list[str]:
    """Terminal lines: the first `shown` diagnostics of each type, then how many more of that type.

    A panel read without `data.time` repeats one duplicate-row line per unit and year (11,130 lines
    for the Brazilian IDHM); the hint naming the year column says what to do about all of them.
    """
    lines: list[str] = []
    counts: dict[str, int] = {}
    for d in diagnostics:
        counts[d.type] = counts.get(d.type, 0) + 1
        if counts[d.type] <= shown:
            lines.append(str(d))
    lines += [f"... and {n - shown} more of the same kind ({kind})" for kind, n in counts.items() if n > shown]
    return lines
