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

# Upper bound on elements held by one bootstrap chunk (about 160 MB of float64).
_BOOT_CHUNK_ELEMENTS = 20_000_000


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
    y_a: FloatArray, y_b: FloatArray, y_ab: FloatArray, out_ndim: int
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Estimators over the run axis, which sits just before the `out_ndim` output axes.

    Shapes: y_a, y_b (..., n, *out); y_ab (d, ..., n, *out). Leading axes (bootstrap draws) broadcast.
    """
    axis = -(out_ndim + 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        variance = np.nanvar(np.concatenate([y_a, y_b], axis=axis), axis=axis, ddof=1)
        valid = np.isfinite(y_a) & np.isfinite(y_b) & np.isfinite(y_ab)
        count = valid.sum(axis=axis)
        first_sum = np.where(valid, y_b * (y_ab - y_a), 0.0).sum(axis=axis)
        total_sum = np.where(valid, (y_a - y_ab) ** 2, 0.0).sum(axis=axis)
        usable = (variance > 0) & (count > 0)
        first = np.where(usable, first_sum / count / variance, np.nan)
        total = np.where(usable, total_sum / (2.0 * count * variance), np.nan)
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
    independently with V held fixed, which understates the spread slightly. Draws are vectorised in
    chunks so memory stays bounded for per-unit outputs.
    """
    y_a, y_b, y_ab = split_runs(y, n, d)
    out_ndim = y_a.ndim - 1
    first, total, variance = _estimate(y_a, y_b, y_ab, out_ndim)
    nan = np.full_like(first, np.nan)
    if n_boot <= 0:
        return SobolIndices(first, total, nan, nan, nan.copy(), nan.copy(), variance)
    rng = np.random.default_rng(seed)
    per_draw = max(1, y_a.size * (d + 2))
    chunk = max(1, _BOOT_CHUNK_ELEMENTS // per_draw)
    boot_first: list[FloatArray] = []
    boot_total: list[FloatArray] = []
    for start in range(0, n_boot, chunk):
        idx = rng.integers(0, n, size=(min(chunk, n_boot - start), n))
        f, t, _ = _estimate(y_a[idx], y_b[idx], y_ab[:, idx], out_ndim)
        boot_first.append(f)
        boot_total.append(t)
    bf = np.concatenate(boot_first, axis=1)  # (d, n_boot, *out)
    bt = np.concatenate(boot_total, axis=1)
    lo, hi = interval
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # outputs that never vary have no interval: NaN
        fq = np.nanquantile(bf, [lo, hi], axis=1)
        tq = np.nanquantile(bt, [lo, hi], axis=1)
    return SobolIndices(first, total, fq[0], fq[1], tq[0], tq[1], variance)
