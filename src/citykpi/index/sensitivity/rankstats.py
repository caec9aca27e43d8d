"""Summaries of replicated ranks: the uncertainty bands and the scalar output of the sensitivity analysis."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class RankStats:
    """Per unit: the nominal rank and the distribution of its rank over replications."""

    nominal: FloatArray
    mean: FloatArray
    median: FloatArray
    q05: FloatArray
    q95: FloatArray


def rank_statistics(ranks: FloatArray, nominal: FloatArray) -> RankStats:
    """`ranks` is (replications, units), NaN where a unit has no rank in a replication.

    Quantiles use linear interpolation between order statistics (R's default type 7, as the
    reference), so q05/q95 may fall between two integer ranks.
    """
    ranks = np.asarray(ranks, dtype=np.float64)
    if ranks.ndim != 2 or ranks.shape[1] != np.shape(nominal)[0]:
        raise ValueError(f"ranks must be (replications, {np.shape(nominal)[0]}), got {ranks.shape}")
    ranks = ranks[~np.isnan(ranks).all(axis=1)]  # failed replications rank no unit
    if ranks.shape[0] == 0:
        nan = np.full(ranks.shape[1], np.nan)
        return RankStats(np.asarray(nominal, dtype=np.float64), nan, nan.copy(), nan.copy(), nan.copy())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # units never ranked give NaN, which is the answer
        q = np.quantile(ranks, [0.05, 0.5, 0.95], axis=0)
        gaps = np.flatnonzero(np.isnan(ranks).any(axis=0))  # units absent from some replications
        if gaps.size:  # numpy's NaN-aware quantile goes column by column: only where it is needed
            q[:, gaps] = np.nanquantile(ranks[:, gaps], [0.05, 0.5, 0.95], axis=0)
        mean = np.nanmean(ranks, axis=0)
    return RankStats(np.asarray(nominal, dtype=np.float64), mean, q[1], q[0], q[2])


def mean_abs_rank_shift(ranks: FloatArray, nominal: FloatArray) -> FloatArray:
    """Per replication (leading axes kept): mean over units of |rank - nominal rank|, NaN-aware.

    This is the reference's scalar sensitivity output; a replication where no unit is ranked is NaN.
    """
    ranks = np.asarray(ranks, dtype=np.float64)
    diffs = np.abs(ranks - np.asarray(nominal, dtype=np.float64))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.asarray(np.nanmean(diffs, axis=-1), dtype=np.float64)
