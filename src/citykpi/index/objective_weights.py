"""Weights read from the data: entropy, CRITIC and factor analysis with varimax rotation.

Each kernel takes the children of one parent, `x` shaped (n_units, n_children) with complete rows,
and returns weights summing to 1. Formulas and sources: docs/index-methodology.md, "Objective
weights". Factor analysis follows the OECD/JRC Handbook (2008, step 6): principal-component
extraction, varimax rotation, squared loadings; scikit-learn is not used because its
FactorAnalysis extracts by maximum likelihood, not by principal components as the Handbook does,
and varimax is twenty lines of numpy (R's `stats::varimax`, with Kaiser normalisation).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from citykpi.index.model import FloatArray


def entropy(x: FloatArray) -> FloatArray:
    """p = x / sum over units, e = -sum p ln p / ln n, weights proportional to 1 - e (x > 0)."""
    n = x.shape[0]
    p = x / x.sum(axis=0)
    e = -(p * np.log(p)).sum(axis=0) / np.log(n)
    d = 1 - e
    return np.asarray(d / d.sum())


def critic(x: FloatArray) -> FloatArray:
    """CRITIC (Diakoulaki et al. 1995): sd_j * sum_k (1 - r_jk), normalised; r is Pearson's.

    The sd is that of the child min-max scaled over the units, as in the original method, so that
    children normalised differently (goalposts, z-scores) compare by their contrast, not their units.
    """
    lo, hi = x.min(axis=0), x.max(axis=0)
    sd = ((x - lo) / (hi - lo)).std(axis=0, ddof=1)
    r = np.corrcoef(x, rowvar=False)
    c = sd * (1 - r).sum(axis=0)
    return np.asarray(c / c.sum())


def varimax(loadings: FloatArray, eps: float = 1e-12, max_iter: int = 1000) -> FloatArray:
    """Varimax rotation of a loadings matrix (variables x factors), Kaiser-normalised rows.

    R's `stats::varimax` iteration; its default tolerance 1e-5 stops short of the optimum in the
    sixth digit, hence a tighter one.
    """
    p, k = loadings.shape
    if k < 2:
        return loadings.copy()
    scale = np.sqrt((loadings**2).sum(axis=1))
    scale = np.where(scale > 0, scale, 1.0)
    a = loadings / scale[:, None]
    rotation = np.eye(k)
    total = 0.0
    for _ in range(max_iter):
        z = a @ rotation
        b = a.T @ (z**3 - z @ np.diag((z**2).sum(axis=0)) / p)
        u, s, vt = np.linalg.svd(b)
        rotation = u @ vt
        previous, total = total, float(s.sum())
        if total < previous * (1 + eps):
            break
    return np.asarray((a @ rotation) * scale[:, None])


@dataclass(frozen=True)
class FactorWeights:
    weights: FloatArray
    factors: int
    explained: FloatArray  # share of the total variance explained by each retained rotated factor
    loadings: FloatArray  # rotated loadings, children x factors


def factor_weights(x: FloatArray, factors: int | None = None) -> FactorWeights:
    """Handbook weights: each child weighs its scaled squared rotated loading on its main factor,
    times that factor's share of the variance the retained factors explain.

    Factors kept: `factors`, else those with eigenvalue > 1 of the correlation matrix (Kaiser), at
    least one. Squared loadings are scaled to sum 1 per factor; a child belongs to the factor where
    its scaled squared loading is largest.
    """
    r = np.corrcoef(x, rowvar=False)
    values, vectors = np.linalg.eigh(r)
    order = np.argsort(values)[::-1]
    values, vectors = values[order], vectors[:, order]
    k = factors or max(1, int((values > 1).sum()))
    rotated = varimax(vectors[:, :k] * np.sqrt(np.maximum(values[:k], 0.0)))
    squared = rotated**2
    variance = squared.sum(axis=0)
    scaled = squared / variance
    main = scaled.argmax(axis=1)
    share = variance / variance.sum()
    w = scaled[np.arange(x.shape[1]), main] * share[main]
    return FactorWeights(np.asarray(w / w.sum()), k, np.asarray(variance / x.shape[1]), rotated)
