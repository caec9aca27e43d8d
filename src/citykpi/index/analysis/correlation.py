"""Correlations between any two sets of columns, with p-values, and within-group flags.

Pairs use every unit where both columns are present (R's `use = "pairwise.complete.obs"`).
Pearson and Spearman p-values come from the t distribution with n-2 degrees of freedom; R's
`cor.test` uses an exact distribution for Spearman below 1290 units without ties, so small-sample
Spearman p-values can differ slightly from the reference. Kendall is tau-b with scipy's exact test
for small samples without ties, as in R.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats as sps

Method = Literal["pearson", "spearman", "kendall"]
FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Correlation:
    """r, p and the number of complete pairs, each (columns of x) x (columns of y)."""

    r: FloatArray
    p: FloatArray
    n: NDArray[np.int64]


def _pearson_pairwise(x: FloatArray, y: FloatArray) -> tuple[FloatArray, NDArray[np.int64]]:
    """Vectorised pairwise-complete Pearson r from masked sums (columns centred first for accuracy)."""
    mx, my = ~np.isnan(x), ~np.isnan(y)
    x0 = np.where(mx, x - np.nanmean(x, axis=0), 0.0)
    y0 = np.where(my, y - np.nanmean(y, axis=0), 0.0)
    fx, fy = mx.astype(np.float64), my.astype(np.float64)
    n = fx.T @ fy
    sx, sy = x0.T @ fy, fx.T @ y0
    sxx, syy = (x0**2).T @ fy, fx.T @ (y0**2)
    sxy = x0.T @ y0
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (n * sxy - sx * sy) / np.sqrt((n * sxx - sx**2) * (n * syy - sy**2))
    r = np.where(n >= 3, np.clip(r, -1.0, 1.0), np.nan)
    return r, n.round().astype(np.int64)


def _t_pvalue(r: FloatArray, n: NDArray[np.int64]) -> FloatArray:
    with np.errstate(invalid="ignore", divide="ignore"):
        df = n - 2.0
        t = r * np.sqrt(df / np.maximum(1.0 - r**2, 0.0))
        p = 2.0 * sps.t.sf(np.abs(t), df)
    return np.where(np.abs(r) >= 1.0, 0.0, np.where(np.isnan(r), np.nan, p))


def _per_pair(x: FloatArray, y: FloatArray, method: Method) -> Correlation:
    """Rank correlations with missing values must rank each pair's common units, hence one call per pair."""
    p_, q_ = x.shape[1], y.shape[1]
    r, p = np.full((p_, q_), np.nan), np.full((p_, q_), np.nan)
    n = np.zeros((p_, q_), dtype=np.int64)
    for i in range(p_):
        for j in range(q_):
            m = ~np.isnan(x[:, i]) & ~np.isnan(y[:, j])
            n[i, j] = int(m.sum())
            a, b = x[m, i], y[m, j]
            if n[i, j] < 3 or np.ptp(a) == 0 or np.ptp(b) == 0:
                continue
            res = sps.kendalltau(a, b) if method == "kendall" else sps.spearmanr(a, b)
            r[i, j], p[i, j] = float(res.statistic), float(res.pvalue)
    return Correlation(r, p, n)


def correlate(x: FloatArray, y: FloatArray | None = None, method: Method = "pearson") -> Correlation:
    """Correlations of every column of `x` with every column of `y` (default: `x` with itself)."""
    x = np.asarray(x, dtype=np.float64)
    y = x if y is None else np.asarray(y, dtype=np.float64)
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"both sets need the same units (rows): {x.shape[0]} vs {y.shape[0]}")
    if method == "kendall" or (method == "spearman" and (np.isnan(x).any() or np.isnan(y).any())):
        return _per_pair(x, y, method)
    if method == "spearman":
        x, y = sps.rankdata(x, axis=0), sps.rankdata(y, axis=0)
    elif method != "pearson":
        raise ValueError(f"unknown correlation method {method!r}; use pearson, spearman or kendall")
    r, n = _pearson_pairwise(x, y)
    return Correlation(r, _t_pvalue(r, n), n)


def tidy(
    corr: Correlation,
    rows: Sequence[str],
    cols: Sequence[str],
    pval: float = 0.05,
) -> pd.DataFrame:
    """Long table (var1, var2, r, p, n, significant); `r_masked` is NaN where p > `pval` as in the reference."""
    i = np.repeat(np.arange(len(rows)), len(cols))
    j = np.tile(np.arange(len(cols)), len(rows))
    r, p = corr.r[i, j], corr.p[i, j]
    significant = (p <= pval) if pval > 0 else np.isfinite(r)
    return pd.DataFrame(
        {
            "var1": np.asarray(rows, dtype=object)[i],
            "var2": np.asarray(cols, dtype=object)[j],
            "r": r,
            "p": p,
            "n": corr.n[i, j],
            "significant": significant,
            "r_masked": np.where(significant, r, np.nan),
        }
    )


def group_flags(
    corr: Correlation,
    codes: Sequence[str],
    group_of: Mapping[str, str | None],
    high: float = 0.9,
    low: float = -0.4,
) -> pd.DataFrame:
    """Pairs inside the same group that are collinear (r > high) or negatively related (r < low).

    Each pair is reported once (upper triangle). `high` is the reference default; the reference
    flags low correlations only against a user threshold, so `low` = -0.4 is our choice.
    """
    rows: list[dict[str, object]] = []
    for a in range(len(codes)):
        for b in range(a + 1, len(codes)):
            g = group_of.get(codes[a])
            if g is None or g != group_of.get(codes[b]):
                continue
            r = corr.r[a, b]
            flag = "collinear" if r > high else "negative" if r < low else None
            if flag:
                rows.append({"group": g, "var1": codes[a], "var2": codes[b], "r": float(r), "flag": flag})
    return pd.DataFrame(rows, columns=["group", "var1", "var2", "r", "flag"])
