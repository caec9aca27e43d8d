"""Reliability and principal components of a group of columns (one framework group at a time)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


def cronbach_alpha(values: FloatArray) -> float:
    """alpha = k/(k-1) * (1 - sum of variances / variance of the sum), with the covariance
    matrix from pairwise-complete observations as in the reference. NaN for fewer than two columns.
    """
    values = np.asarray(values, dtype=np.float64)
    k = values.shape[1]
    if k < 2:
        return float("nan")
    cov = pd.DataFrame(values).cov().to_numpy()
    total = np.nansum(cov)
    if total == 0:
        return float("nan")
    return float(k / (k - 1) * (1.0 - np.nansum(np.diag(cov)) / total))


@dataclass(frozen=True)
class PCAResult:
    """PCA of standardised columns (R's `prcomp(center = TRUE, scale = TRUE)`).

    `loadings` is (columns x components), the eigenvectors of the correlation matrix; each
    component's sign is fixed so that its loadings sum to a non-negative number (the sign of a
    principal component is arbitrary; this makes PC1 point "up" for positively related indicators).
    Rows with any missing value are dropped (`n_used` says how many were kept).
    """

    explained_variance: FloatArray
    explained_ratio: FloatArray
    loadings: FloatArray
    n_used: int


def pca(values: FloatArray) -> PCAResult:
    values = np.asarray(values, dtype=np.float64)
    complete = values[~np.isnan(values).any(axis=1)]
    n, k = complete.shape
    if n < 2 or k < 1:
        raise ValueError(f"PCA needs at least two complete rows; {n} of {values.shape[0]} rows are complete")
    sd = complete.std(axis=0, ddof=1)
    if (sd == 0).any():
        raise ValueError(f"PCA cannot scale constant columns (positions {np.flatnonzero(sd == 0).tolist()})")
    z = (complete - complete.mean(axis=0)) / sd
    _, s, vt = np.linalg.svd(z, full_matrices=False)
    var = s**2 / (n - 1)
    loadings = vt.T
    signs = np.where(loadings.sum(axis=0) < 0, -1.0, 1.0)
    return PCAResult(var, var / var.sum(), loadings * signs, n)
