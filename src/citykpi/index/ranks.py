"""Ranks with the "sport" convention used by the reference: ties share the best rank, NaN stays NaN.

Batched: ranks run along `axis` of an array of any shape, so the ranks of R replications are one
call (uncertainty analysis).
"""

from __future__ import annotations

import numpy as np
from scipy.stats import rankdata

from citykpi.index.model import FloatArray


def sport_rank(values: FloatArray, axis: int = -1) -> FloatArray:
    """Rank 1 = highest value; equal values get the smallest rank of their tie; NaN is not ranked."""
    x = np.asarray(values, dtype=np.float64)
    if x.size == 0:
        return x.copy()
    return np.asarray(rankdata(-x, method="min", axis=axis, nan_policy="omit"), dtype=np.float64)


def ascending_rank(values: FloatArray, axis: int = -1) -> FloatArray:
    """Rank 1 = lowest value, ties share the smallest rank (the `rank` normalisation)."""
    x = np.asarray(values, dtype=np.float64)
    if x.size == 0:
        return x.copy()
    return np.asarray(rankdata(x, method="min", axis=axis, nan_policy="omit"), dtype=np.float64)
