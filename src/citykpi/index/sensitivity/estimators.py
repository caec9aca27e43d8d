"""Variance-based sensitivity indices from an N(d+2) Saltelli design.

First order: Saltelli (2010), S_i = mean(y_B (y_ABi - y_A)) / V.
Total order: Jansen (1999), ST_i = sum((y_A - y_ABi)^2) / (2 N V).
V is the sample variance (n-1) of the pooled A and B outputs, as in the reference.

The outputs may carry trailing axes (e.g. one column per unit), so the scalar index and the
per-unit indices come from the same call. Runs whose output is NaN (a replication that could not
be computed) are left out pair-wise: for input i only base points where y_A, y_B and y_ABi are all
finite count. Where the output never varies (V = 0) the indices are undefined and reported as NaN.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class SobolIndices:
    """Indices shaped (d, *output_shape); bounds are bootstrap percentiles (NaN without bootstrap)."""

    first_order: FloatArray
    total: FloatArray
    first_order_low: FloatArray
    first_order_high: FloatArray
    total_low: FloatArray
    total_high: FloatArray
    variance: FloatArray


def split_runs(y: FloatArray, n: int, d: int) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Split outputs stacked as A, B, AB_1..AB_d (blocks of n) into yA, yB and yAB (d, n, ...)."""
    y = np.asarray(y, dtype=np.float64)
    if y.shape[0] != n * (d + 2):
        raise ValueError(f"expected {n * (d + 2)} runs for N={n}, d={d}, got {y.shape[0]}")
    return y[:n], y[n : 2 * n], y[2 * n :].reshape(d, n, *y.shape[1:])


def _estimate(
    counts: FloatArray, y_a: FloatArray, y_b: FloatArray, y_ab: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Estimators for each row of `counts` (how often each base point is drawn; all ones = the sample).

    y_a, y_b: (n, m) with m outputs; y_ab: (d, n, m). Every sum over base points is a matrix
    product with `counts`, so a thousand bootstrap draws cost a few BLAS calls. Returns (B, d, m)
    first and total indices and the (B, m) variance.
    """
    d, n, m = y_ab.shape
    ok_a, ok_b = np.isfinite(y_a), np.isfinite(y_b)
    a0, b0 = np.where(ok_a, y_a, 0.0), np.where(ok_b, y_b, 0.0)
    cnt = counts @ (ok_a.astype(float) + ok_b)
    s1 = counts @ (a0 + b0)
    s2 = counts @ (a0**2 + b0**2)
    valid = ok_a & ok_b & np.isfinite(y_ab)  # (d, n, m)
    ab0 = np.where(valid, y_ab, 0.0)

    def flat(q: FloatArray) -> FloatArray:
        return np.where(valid, q, 0.0).transpose(1, 0, 2).reshape(n, d * m)

    k = (counts @ flat(np.ones_like(ab0))).reshape(-1, d, m)
    first_sum = (counts @ flat(b0 * (ab0 - a0))).reshape(-1, d, m)
    total_sum = (counts @ flat((a0 - ab0) ** 2)).reshape(-1, d, m)
    with np.errstate(invalid="ignore", divide="ignore"):
        variance = (s2 - s1**2 / cnt) / (cnt - 1)
        v = variance[:, None, :]
        usable = (v > 1e-12 * np.maximum(s2[:, None, :] / cnt[:, None, :], 1e-300)) & (k > 0)
        first = np.where(usable, first_sum / k / v, np.nan)
        total = np.where(usable, total_sum / (2.0 * k * v), np.nan)
    return first, total, variance


def sobol_indices(
    y: FloatArray,
    n: int,
    d: int,
    n_boot: int = 0,
    seed: int | None = None,
    interval: tuple[float, float] = (0.05, 0.95),
) -> SobolIndices:
    """First-order and total indices of each input, with bootstrap percentile intervals.

    The bootstrap resamples the N base points (the rows shared by A, B and every AB_i) with
    replacement and recomputes V on each resample; the reference resamples each input's terms
    independently with V held fixed, which understates the spread slightly.
    """
    y_a, y_b, y_ab = split_runs(y, n, d)
    out_shape = y_a.shape[1:]
    m = int(np.prod(out_shape, dtype=np.int64))
    y_a, y_b, y_ab = y_a.reshape(n, m), y_b.reshape(n, m), y_ab.reshape(d, n, m)
    first, total, variance = _estimate(np.ones((1, n)), y_a, y_b, y_ab)

    def shaped(x: FloatArray) -> FloatArray:
        return np.asarray(x.reshape(d, *out_shape))

    nan = np.full((d, *out_shape), np.nan)
    point = (shaped(first[0]), shaped(total[0]))
    if n_boot <= 0:
        return SobolIndices(*point, nan, nan.copy(), nan.copy(), nan.copy(), variance[0].reshape(out_shape))
    counts = np.random.default_rng(seed).multinomial(n, np.full(n, 1.0 / n), size=n_boot).astype(np.float64)
    bf, bt, _ = _estimate(counts, y_a, y_b, y_ab)
    lo, hi = interval
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # outputs that never vary have no interval: NaN
        fq = np.nanquantile(bf, [lo, hi], axis=0)
        tq = np.nanquantile(bt, [lo, hi], axis=0)
    return SobolIndices(
        *point, shaped(fq[0]), shaped(fq[1]), shaped(tq[0]), shaped(tq[1]), variance[0].reshape(out_shape)
    )
