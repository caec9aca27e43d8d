"""Small hand-made indices for the step tests (imported by the test_steps_* files)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from citykpi.index.model import Index
from citykpi.index.tables import build_index


def make_index(
    values: Mapping[str, Sequence[float]],
    parents: Mapping[str, str | None] | None = None,
    directions: Mapping[str, int] | None = None,
    weights: Mapping[str, float] | None = None,
    units: Sequence[str] | None = None,
    columns: Mapping[str, Sequence[object]] | None = None,
    meta_extra: Mapping[str, Mapping[str, object]] | None = None,
) -> Index:
    """Indicators `values` (code -> column); `parents` code -> parent for indicators and aggregates."""
    n = len(next(iter(values.values())))
    frame = {"uCode": list(units or [f"U{i + 1}" for i in range(n)]), **(columns or {}), **values}
    parents = dict(parents or {})
    aggregates = [p for p in dict.fromkeys(parents.values()) if p is not None and p not in values]
    levels: dict[str, int] = {c: 1 for c in values}
    for _ in aggregates:
        for code, parent in parents.items():
            if parent is not None and code in levels:
                levels[parent] = max(levels.get(parent, 0), levels[code] + 1)
    rows = []
    for code in [*values, *aggregates]:
        row: dict[str, object] = {
            "Level": levels[code],
            "iCode": code,
            "Parent": parents.get(code),
            "Type": "Indicator" if code in values else "Aggregate",
            "Direction": (directions or {}).get(code, 1),
            "Weight": (weights or {}).get(code, 1.0),
        }
        row.update((meta_extra or {}).get(code, {}))
        rows.append(row)
    return build_index(pd.DataFrame(frame), pd.DataFrame(rows))
