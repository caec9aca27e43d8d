"""Scores and ranks of an Index as tidy and wide tables (the pandas edge of the engine)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from citykpi.index.model import AGGREGATED, Index
from citykpi.index.ranks import sport_rank


def _final(index: Index) -> tuple[np.ndarray, list[str]]:
    name = AGGREGATED if AGGREGATED in index.datasets else index.latest
    return index.datasets[name], index.columns(name)


def _rank_rows(index: Index, values: np.ndarray, by: str | None) -> np.ndarray:
    """Sport ranks down the units axis, within each time point and, if `by` is set, each group."""
    keys: list[np.ndarray] = []
    if index.data.time is not None:
        keys.append(index.data.time.astype(object))
    if by is not None:
        keys.append(index.data.groups[by])
    if not keys:
        return sport_rank(values, axis=0)
    labels = pd.Series(list(zip(*keys, strict=True))).astype(str).to_numpy()
    ranks = np.full_like(values, np.nan)
    for label in np.unique(labels):
        rows = labels == label
        ranks[rows] = sport_rank(values[rows], axis=0)
    return ranks


def scores(index: Index, level: int | None = None, group: str | None = None) -> pd.DataFrame:
    """Tidy table (unit, [time], level, code, score, rank) of the final dataset, one row per unit and code.

    `level` keeps one level; `group` ranks within the unit groups of that column.
    """
    values, columns = _final(index)
    if group is not None and group not in index.data.groups:
        raise KeyError(f"unknown group column {group!r}; known: {sorted(index.data.groups)}")
    ranks = _rank_rows(index, values, group)
    levels = np.array([index.hierarchy.node(c).level for c in columns])
    keep = np.ones(len(columns), dtype=bool) if level is None else levels == level
    n, m = values.shape[0], int(keep.sum())
    # Categoricals from integer codes: building 10^6 rows of repeated strings is the slow part.
    unit_codes, unit_of_row = np.unique(np.array(index.units, dtype=object), return_inverse=True)
    frame = {
        "unit": pd.Categorical.from_codes(np.repeat(unit_of_row, m), categories=pd.Index(unit_codes)),
        "level": np.tile(levels[keep], n),
        "code": pd.Categorical.from_codes(
            np.tile(np.arange(m), n), categories=pd.Index(np.array(columns, dtype=object)[keep])
        ),
        "score": values[:, keep].reshape(-1),
        "rank": ranks[:, keep].reshape(-1),
    }
    df = pd.DataFrame(frame)
    if index.data.time is not None:
        df.insert(1, "time", np.repeat(index.data.time, m))
    if group is not None:
        df.insert(1, group, np.repeat(index.data.groups[group], m))
    return df


def wide(index: Index, dataset: str | None = None, ranks: bool = False) -> pd.DataFrame:
    """One row per unit, one column per code, of any dataset (scores, or sport ranks)."""
    name = dataset or (AGGREGATED if AGGREGATED in index.datasets else index.latest)
    values = index.dataset(name)
    table = _rank_rows(index, values, None) if ranks else values
    df = pd.DataFrame(table, columns=index.columns(name))
    df.insert(0, "unit", index.units)
    if index.data.time is not None:
        df.insert(1, "time", index.data.time)
    return df
