"""Aggregations that do not let a good value buy back a bad one, or that read the other units.

Kernels take the children of one node, `x` shaped (..., n_units, n_children) with any leading
batch axes, and return one score per unit. Unlike the means of `aggregate`, each reads the whole
units axis: Mazziotta-Pareto standardises every child over the units, Benefit-of-the-Doubt
compares a unit with every other one, TOPSIS measures distances to the best and worst units.
Sources and formulas: docs/index-methodology.md, "Non-compensatory aggregation".
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from citykpi.index.model import FloatArray

Penalty = Literal["negative", "positive"]
_BLOCK_ROWS = 40_000  # frontier rows per joint BoD programme: bounds its size for many units


def _weighted_mean_sd(z: FloatArray, w: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Mean and population standard deviation over the children axis, missing children left out."""
    ok = ~np.isnan(z)
    wb = np.where(ok, np.broadcast_to(w[..., None, :], z.shape), 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        total = wb.sum(axis=-1)
        mean = (np.where(ok, z, 0.0) * wb).sum(axis=-1) / total
        var = (np.where(ok, z - mean[..., None], 0.0) ** 2 * wb).sum(axis=-1) / total
    return np.asarray(mean), np.asarray(np.sqrt(var))


def _penalised(z: FloatArray, w: FloatArray, penalty: Penalty) -> FloatArray:
    """M_z -/+ S_z * cv with cv = S_z / M_z (Mazziotta & Pareto's penalty for unbalanced values)."""
    mean, sd = _weighted_mean_sd(z, w)
    with np.errstate(invalid="ignore", divide="ignore"):
        cv = sd / mean
    sign = -1.0 if penalty == "negative" else 1.0
    return np.asarray(mean + sign * sd * cv)


def mpi(x: FloatArray, w: FloatArray, penalty: Penalty = "negative") -> FloatArray:
    """Mazziotta-Pareto index: z = 100 + 10 (x - mean) / sd per child over units (population sd)."""
    ok = ~np.isnan(x)
    n = ok.sum(axis=-2, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        mu = np.where(ok, x, 0.0).sum(axis=-2, keepdims=True) / n
        sd = np.sqrt((np.where(ok, x - mu, 0.0) ** 2).sum(axis=-2, keepdims=True) / n)
        z = 100 + 10 * (x - mu) / sd
    return _penalised(np.asarray(z), w, penalty)


def ampi(x: FloatArray, w: FloatArray, reference: FloatArray, penalty: Penalty = "negative") -> FloatArray:
    """Adjusted MPI: each child rescaled to [70, 130] around its reference value, then penalised.

    Goalposts are reference +/- half the child's observed range, so the reference maps to 100 and
    the rescaling does not depend on the units' spread as the z-scores of `mpi` do (Compind ci_ampi).
    `reference` holds one value per child (NaN: the child's mean over units).
    """
    lo, hi = np.fmin.reduce(x, axis=-2, keepdims=True), np.fmax.reduce(x, axis=-2, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nanmean(x, axis=-2, keepdims=True)
    ref = np.where(np.isnan(reference), mean, reference)
    delta = (hi - lo) / 2
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (x - (ref - delta)) / (2 * delta) * 60 + 70
    return _penalised(np.asarray(r), w, penalty)


def topsis(x: FloatArray, w: FloatArray) -> FloatArray:
    """Closeness to the ideal: d- / (d+ + d-) on vector-normalised, weighted children (Hwang & Yoon).

    Units with a missing child get no score (distances over different children do not compare).
    """
    incomplete = np.isnan(x).any(axis=-1, keepdims=True)
    xc = np.where(incomplete, np.nan, x)
    with np.errstate(invalid="ignore", divide="ignore"):
        v = xc / np.sqrt(np.nansum(xc**2, axis=-2, keepdims=True)) * (w / w.sum(axis=-1, keepdims=True))[..., None, :]
    best, worst = np.nanmax(v, axis=-2, keepdims=True), np.nanmin(v, axis=-2, keepdims=True)
    d_best = np.sqrt(((v - best) ** 2).sum(axis=-1))
    d_worst = np.sqrt(((v - worst) ** 2).sum(axis=-1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(d_worst / (d_best + d_worst))


def _constraints(target: FloatArray, frontier: FloatArray, shares: tuple[float, float] | None) -> FloatArray:
    """Rows of A in A w <= b: the frontier (b = 1), then the share bounds (b = 0) if any."""
    if shares is None:
        return frontier
    lo, hi = shares  # lo <= w_j x_j / sum_k w_k x_k <= hi, linear in w
    eye, rows = np.diag(target), np.tile(target, (target.size, 1))
    return np.vstack([frontier, lo * rows - eye, eye - hi * rows])


def _bod_one(target: FloatArray, frontier: FloatArray, shares: tuple[float, float] | None) -> float:
    """max_w target.w s.t. frontier @ w <= 1, w >= 0 (and share bounds), by scipy's HiGHS."""
    from scipy.optimize import linprog  # lazily, as in `_bod_many`

    a = _constraints(target, frontier, shares)
    b = np.r_[np.ones(frontier.shape[0]), np.zeros(a.shape[0] - frontier.shape[0])]
    res = linprog(-target, A_ub=a, b_ub=b, bounds=(0, None), method="highs")
    return float(-res.fun) if res.status == 0 else float("nan")


def _bod_many(targets: FloatArray, frontiers: list[FloatArray], shares: tuple[float, float] | None) -> FloatArray:
    """The LPs of `_bod_one` for many (target, frontier) pairs, solved as one block-diagonal LP.

    The blocks share no variable, so the joint optimum is every block's optimum and each score is
    its block's part of the objective; one HiGHS call instead of one per pair. If a block is
    unbounded (a robust draw lacking every child its unit has), the blocks are solved one by one
    and that block's score is NaN.
    """
    # Imported here, not at the top: scipy.optimize costs every index command ~0.4 s of start-up.
    from scipy import sparse
    from scipy.optimize import linprog

    blocks = [_constraints(t, f, shares) for t, f in zip(targets, frontiers, strict=True)]
    b = np.concatenate(
        [np.r_[np.ones(f.shape[0]), np.zeros(a.shape[0] - f.shape[0])] for a, f in zip(blocks, frontiers, strict=True)]
    )
    res = linprog(
        -targets.ravel(), A_ub=sparse.block_diag(blocks, format="csr"), b_ub=b, bounds=(0, None), method="highs"
    )
    if res.status == 0:
        return np.asarray((res.x.reshape(targets.shape) * targets).sum(axis=1))
    return np.array([_bod_one(t, f, shares) for t, f in zip(targets, frontiers, strict=True)])


def _complete_rows(x: FloatArray) -> FloatArray:
    return np.asarray(np.flatnonzero(~np.isnan(x).any(axis=-1)))


def bod(x: FloatArray, shares: tuple[float, float] | None = None) -> FloatArray:
    """Benefit-of-the-Doubt score of every unit: its best weighted sum when no unit may exceed 1.

    One linear programme per unit (Cherchye et al. 2007); `shares` bounds each child's share of the
    unit's score (pie-share constraints). Units with a missing child get no score and are left out
    of every other unit's constraints. Leading batch axes are looped over.
    """
    out = np.full(x.shape[:-1], np.nan)
    for idx in np.ndindex(*x.shape[:-2]):
        m = x[idx]
        rows = _complete_rows(m)
        for part in np.array_split(rows, max(1, rows.size**2 // _BLOCK_ROWS)):
            out[(*idx, part)] = _bod_many(m[part], [m[rows]] * part.size, shares)
    return out


def robust_bod(
    x: FloatArray, sample: int, replicates: int, seed: int, shares: tuple[float, float] | None = None
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Order-m (robust) BoD: the mean, 2.5th and 97.5th percentile of each unit's BoD score
    against `replicates` random sets of `sample` units drawn with replacement (Daraio & Simar 2005,
    Vidoli & Mazziotta 2013, as Compind's ci_rbod). A unit better than its draws scores above 1, so
    an outlier no longer sets everyone's frontier. Batch axes are looped over.
    """
    mean = np.full(x.shape[:-1], np.nan)
    lo, hi = mean.copy(), mean.copy()
    for idx in np.ndindex(*x.shape[:-2]):
        rng = np.random.default_rng(seed)  # each replication of a batch draws as the step alone would
        m = x[idx]
        rows = _complete_rows(m)
        if rows.size == 0:
            continue
        draws = rng.choice(rows, size=(rows.size, replicates, sample), replace=True)
        for k, i in enumerate(rows):
            scores = _bod_many(np.tile(m[i], (replicates, 1)), [m[d] for d in draws[k]], shares)
            scores = scores[~np.isnan(scores)]  # unbounded: the draws lack every child the unit has
            if scores.size:
                at = (*idx, int(i))
                mean[at] = scores.mean()
                lo[at], hi[at] = np.quantile(scores, [0.025, 0.975])
    return mean, lo, hi
