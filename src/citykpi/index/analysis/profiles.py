"""Unit profiles: a unit's scores and ranks at every level, and its strongest and weakest indicators.

Strengths and weaknesses follow the reference: indicators ranked across units (values multiplied
by their direction on raw data, so that rank 1 is always the best), the unit's best `top_n` and
worst `bottom_n` ranks reported. `unq_discard` ignores indicators with too few distinct values
(e.g. yes/no indicators where half the units share rank 1); `min_discard` drops a "strength" where
the unit shares the worst rank of the indicator. The reference applies that rule to both lists;
a shared worst rank is a real weakness, so we keep it among the weaknesses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from citykpi.index.model import AGGREGATED, RAW, Index
from citykpi.index.ranks import sport_rank
from citykpi.model.diagnostics import error
from citykpi.model.errors import DiagnosticError


@dataclass(frozen=True)
class UnitProfile:
    unit: str
    summary: pd.DataFrame  # level, code, name, score, rank (Aggregated dataset)
    strengths: pd.DataFrame  # code, name, group, rank, value
    weaknesses: pd.DataFrame


def _unit_rows(index: Index, unit: str) -> np.ndarray:
    """Rows to rank against: all units, or for panel data the time point of the unit's latest row."""
    if unit not in index.units:
        raise DiagnosticError([error("unknown-unit", f"no unit {unit!r}; units: {index.units[:10]}...", field="unit")])
    time = index.data.time
    if time is None:
        return np.arange(len(index.units))
    latest = max(t for u, t in zip(index.units, time, strict=True) if u == unit)
    return np.flatnonzero(time == latest)


def _ancestor(index: Index, code: str, level: int) -> str | None:
    node: str | None = code
    while node is not None and index.hierarchy.node(node).level < level:
        node = index.hierarchy.parent(node)
    return node


def unit_profile(
    index: Index,
    unit: str,
    top_n: int = 5,
    bottom_n: int = 5,
    dataset: str = RAW,
    unq_discard: float | None = None,
    min_discard: bool = True,
    report_level: int = 2,
) -> UnitProfile:
    rows = _unit_rows(index, unit)
    me = int(np.flatnonzero(np.asarray(index.units, dtype=object)[rows] == unit)[-1])
    h = index.hierarchy
    summary = pd.DataFrame(columns=["level", "code", "name", "score", "rank"])
    if AGGREGATED in index.datasets:
        agg = index.datasets[AGGREGATED][rows]
        ranks = sport_rank(agg, axis=0)
        codes = index.columns(AGGREGATED)
        summary = pd.DataFrame(
            {
                "level": [h.node(c).level for c in codes],
                "code": codes,
                "name": [h.node(c).name for c in codes],
                "score": agg[me],
                "rank": ranks[me],
            }
        ).sort_values(["level", "rank"], ascending=[False, True], kind="stable")
    values = index.dataset(dataset)[rows]
    adjusted = values * h.directions(1) if dataset == RAW else values
    ranks = sport_rank(adjusted, axis=0)
    codes = h.indicators
    keep = ~np.isnan(ranks[me])
    if unq_discard is not None:
        n_unique = np.array([np.unique(col[~np.isnan(col)]).size for col in values.T])
        keep &= n_unique / values.shape[0] > unq_discard
    order = [j for j in np.argsort(ranks[me], kind="stable") if keep[j]]
    worst = np.nanmax(ranks, axis=0)
    strong = [j for j in order if not (min_discard and ranks[me, j] == worst[j])][:top_n]
    weak = order[-bottom_n:] if bottom_n else []

    def table(cols: list[int]) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "code": [codes[j] for j in cols],
                "name": [h.node(codes[j]).name for j in cols],
                "group": [_ancestor(index, codes[j], report_level) for j in cols],
                "rank": [ranks[me, j] for j in cols],
                "value": [values[me, j] for j in cols],
            }
        )

    return UnitProfile(unit, summary.reset_index(drop=True), table(strong), table(weak))
