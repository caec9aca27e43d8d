"""Comparison of two builds of an index (two configurations, or a what-if against the nominal)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from citykpi.index.analysis.targets import target_column
from citykpi.index.model import Index
from citykpi.index.ranks import sport_rank


def _table(index: Index, code: str | None, suffix: str) -> pd.DataFrame:
    _, scores = target_column(index, code)
    return pd.DataFrame({"unit": index.units, f"score_{suffix}": scores, f"rank_{suffix}": sport_rank(scores)})


def compare(a: Index, b: Index, code: str | None = None) -> pd.DataFrame:
    """Scores, ranks and their differences (b - a) per unit, matched by unit code.

    A unit present in only one build (screened out in the other) keeps NaN on the missing side, so
    the table shows it rather than dropping it. Sorted by the absolute rank change, largest first.
    """
    code = code or target_column(a)[0]
    table = _table(a, code, "a").merge(_table(b, code, "b"), on="unit", how="outer")
    table["score_diff"] = table["score_b"] - table["score_a"]
    table["rank_diff"] = table["rank_b"] - table["rank_a"]
    table["abs_rank_diff"] = table["rank_diff"].abs()
    table.insert(1, "code", code)
    return table.sort_values(["abs_rank_diff", "unit"], ascending=[False, True], na_position="last").reset_index(
        drop=True
    )


def mean_abs_rank_diff(table: pd.DataFrame) -> float:
    return float(np.nanmean(table["abs_rank_diff"].to_numpy(dtype=float)))
