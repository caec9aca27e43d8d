"""Comparison of two builds of an index (two configurations, or a what-if against the nominal)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from citykpi.index.model import Index
from citykpi.index.targets import target_column, unit_ranks


def _table(index: Index, code: str | None, suffix: str) -> pd.DataFrame:
    _, scores = target_column(index, code)
    table = pd.DataFrame({"unit": index.units, f"score_{suffix}": scores, f"rank_{suffix}": unit_ranks(index, scores)})
    if index.data.time is not None:
        table.insert(1, "time", index.data.time)
    return table


def compare(a: Index, b: Index, code: str | None = None) -> pd.DataFrame:
    """Scores, ranks and their differences (b - a) per unit (and time point), matched by unit code.

    A unit present in only one build (screened out in the other) keeps NaN on the missing side, so
    the table shows it rather than dropping it. Sorted by the absolute rank change, largest first.
    """
    code = code or target_column(a)[0]
    left, right = _table(a, code, "a"), _table(b, code, "b")
    keys = [k for k in ("unit", "time") if k in left.columns and k in right.columns]
    table = left.merge(right, on=keys, how="outer")
    table["score_diff"] = table["score_b"] - table["score_a"]
    table["rank_diff"] = table["rank_b"] - table["rank_a"]
    table["abs_rank_diff"] = table["rank_diff"].abs()
    table.insert(1, "code", code)
    return table.sort_values(["abs_rank_diff", "unit"], ascending=[False, True], na_position="last").reset_index(
        drop=True
    )


def mean_abs_rank_diff(table: pd.DataFrame) -> float:
    return float(np.nanmean(table["abs_rank_diff"].to_numpy(dtype=float)))
