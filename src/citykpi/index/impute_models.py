"""Imputation from the other indicators: k nearest neighbours, multivariate-normal EM, and how well
either (or any imputer) recovers values it is made to forget.

scikit-learn's KNNImputer measures distance on raw values, where the indicator with the largest
units dominates; here distances use standardised indicators, so a few lines of numpy serve (and
spare a large dependency). EM follows Little & Rubin (2002, ch. 11): no maintained Python package
implements it (impyute is unmaintained), and it is one loop over the missingness patterns.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from citykpi.index.model import FloatArray

_CHUNK = 512  # rows whose distances to every unit are held at once


def standardised(x: FloatArray) -> FloatArray:
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = np.nanstd(x, axis=0, ddof=1)
        return np.asarray((x - np.nanmean(x, axis=0)) / np.where(sd > 0, sd, 1.0))


def knn(x: FloatArray, k: int) -> FloatArray:
    """Each missing cell: mean of that indicator over the k nearest units that report it.

    Distance: Euclidean over the standardised indicators both units report, scaled by
    (indicators / indicators in common) as in scikit-learn's nan_euclidean; units sharing no
    indicator are never neighbours.
    """
    z = standardised(x)
    ok = ~np.isnan(z)
    z0 = np.where(ok, z, 0.0)
    okf = ok.astype(np.float64)
    m = x.shape[1]
    out = x.copy()
    rows = np.flatnonzero(~ok.all(axis=1))
    for start in range(0, rows.size, _CHUNK):
        chunk = rows[start : start + _CHUNK]
        common = okf[chunk] @ okf.T
        sq = (z0[chunk] ** 2) @ okf.T + okf[chunk] @ (z0**2).T - 2 * z0[chunk] @ z0.T
        with np.errstate(invalid="ignore", divide="ignore"):
            dist = np.where(common > 0, np.maximum(sq, 0.0) * m / common, np.inf)
        dist[np.arange(chunk.size), chunk] = np.inf  # a unit is not its own neighbour
        for r, i in enumerate(chunk):
            for c in np.flatnonzero(~ok[i]):
                donors = np.flatnonzero(ok[:, c] & np.isfinite(dist[r]))
                if donors.size:
                    near = donors[np.argsort(dist[r, donors], kind="stable")[:k]]
                    out[i, c] = x[near, c].mean()
    return out


def em(x: FloatArray, max_iter: int = 200, tol: float = 1e-6) -> FloatArray:
    """Conditional means under the multivariate normal fitted by EM (Little & Rubin 2002, 11.2).

    E-step per missingness pattern: x_m = mu_m + S_mo S_oo^-1 (x_o - mu_o), with the conditional
    covariance S_mm - S_mo S_oo^-1 S_om added to the M-step's covariance. Indicators with no
    observation stay missing.
    """
    cols = np.flatnonzero(~np.isnan(x).all(axis=0))
    y = x[:, cols]
    n, p = y.shape
    miss = np.isnan(y)
    mu = np.nanmean(y, axis=0)
    filled = np.where(miss, mu, y)
    sigma = np.cov(filled, rowvar=False, bias=True).reshape(p, p) + 1e-9 * np.eye(p)
    patterns: dict[bytes, list[int]] = {}
    for i in range(n):
        patterns.setdefault(miss[i].tobytes(), []).append(i)
    groups = [(np.asarray(rows), miss[rows[0]]) for rows in patterns.values()]
    for _ in range(max_iter):
        extra = np.zeros((p, p))
        for rows, m in groups:
            if not m.any():
                continue
            o = ~m
            if o.any():
                coef = sigma[np.ix_(m, o)] @ np.linalg.pinv(sigma[np.ix_(o, o)])
                filled[np.ix_(rows, m)] = mu[m] + (y[np.ix_(rows, o)] - mu[o]) @ coef.T
                cond = sigma[np.ix_(m, m)] - coef @ sigma[np.ix_(o, m)]
            else:
                filled[np.ix_(rows, m)] = mu[m]
                cond = sigma[np.ix_(m, m)]
            extra[np.ix_(m, m)] += cond * rows.size
        new_mu = filled.mean(axis=0)
        d = filled - new_mu
        new_sigma = (d.T @ d + extra) / n
        change = max(np.abs(new_mu - mu).max(), np.abs(new_sigma - sigma).max())
        mu, sigma = new_mu, new_sigma
        if change < tol:
            break
    out = x.copy()
    out[:, cols] = np.where(miss, filled, y)
    return out


def quality(
    x: FloatArray, imputer: Callable[[FloatArray], FloatArray], share: float, seed: int
) -> dict[int, dict[str, float]]:
    """Hide `share` of each indicator's observed values (at least two), impute, compare.

    Per indicator column: the number of cells hidden, RMSE, MAE and R^2 = 1 - SS_res / SS_tot of
    the imputed against the true hidden values (SS_tot about their mean). Indicators with fewer
    than four observations are not tested.
    """
    rng = np.random.default_rng(seed)
    masked = x.copy()
    hidden: dict[int, np.ndarray] = {}
    for c in range(x.shape[1]):
        seen = np.flatnonzero(~np.isnan(x[:, c]))
        if seen.size < 4:
            continue
        count = min(seen.size - 2, max(2, round(share * seen.size)))
        hidden[c] = rng.choice(seen, size=count, replace=False)
        masked[hidden[c], c] = np.nan
    imputed = imputer(masked)
    report = {}
    for c, rows in hidden.items():
        truth, guess = x[rows, c], imputed[rows, c]
        ok = ~np.isnan(guess)
        err = guess[ok] - truth[ok]
        ss_tot = float(((truth[ok] - truth[ok].mean()) ** 2).sum()) if ok.any() else 0.0
        report[c] = {
            "hidden": int(rows.size),
            "imputed": int(ok.sum()),
            "rmse": float(np.sqrt((err**2).mean())) if ok.any() else float("nan"),
            "mae": float(np.abs(err).mean()) if ok.any() else float("nan"),
            "r2": 1 - float((err**2).sum()) / ss_tot if ss_tot > 0 else float("nan"),
        }
    return report
