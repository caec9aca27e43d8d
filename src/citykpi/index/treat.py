"""Outlier treatment as in the JRC/COINr scheme: test -> first treatment -> test -> second treatment.

The test passes when |skewness| < `skew_thresh` OR kurtosis < `kurt_thresh` (so a column is treated
only if both are exceeded), with the sample estimators of Excel SKEW/KURT (= e1071 type 2). The
default first treatment winsorises iteratively, at most `winmax` times, the most extreme value(s)
on the side of the skew; if the column still fails, the default second treatment `log_CT` is
applied to the *original* column (or to the winsorised one with `combine`). All columns are
processed together, one vectorised iteration per winsorisation round.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from scipy import stats

from citykpi.diagnostics import error
from citykpi.index.model import BoolArray, FloatArray, Index, IndexError_, StepRecord

Treatment = Literal["winsorise", "log_CT", "log_CT_plus", "boxcox", "none"]


class TreatSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    f1: Treatment = "winsorise"
    f2: Treatment = "log_CT"
    winmax: int = Field(default=5, ge=0, description="Most points to winsorise")
    force_win: bool = Field(
        default=False, description="Once a column fails, winsorise winmax points even if it passes earlier"
    )
    skew_thresh: float = Field(default=2.0, gt=0)
    kurt_thresh: float = Field(default=3.5)
    combine: bool = Field(default=False, description="Apply f2 to the output of f1 instead of the original")
    boxcox_lambda: float | None = Field(default=None, description="Box-Cox lambda; None = maximum likelihood")


class Params(TreatSpec):
    model_config = ConfigDict(extra="forbid")

    step: Literal["treat"] = "treat"
    dataset: str | None = Field(default=None, description="Input dataset; default the latest")
    indicators: dict[str, dict[str, Any] | Literal["none"]] = Field(
        default_factory=dict, description="Per-indicator overrides, or 'none' to leave an indicator untreated"
    )

    def spec_for(self, code: str) -> TreatSpec | None:
        override = self.indicators.get(code, {})
        if override == "none":
            return None
        base = {k: getattr(self, k) for k in TreatSpec.model_fields}
        return TreatSpec.model_validate({**base, **override})


def skew_kurt(x: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Sample skewness and excess kurtosis along axis -2 (Excel SKEW/KURT, e1071 type 2)."""
    n = np.sum(~np.isnan(x), axis=-2).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nansum(x, axis=-2) / n
        d = x - mean[..., None, :]
        sd = np.sqrt(np.nansum(d**2, axis=-2) / (n - 1))
        z = d / sd[..., None, :]
        skew = n / ((n - 1) * (n - 2)) * np.nansum(z**3, axis=-2)
        kurt = n * (n + 1) / ((n - 1) * (n - 2) * (n - 3)) * np.nansum(z**4, axis=-2) - 3 * (n - 1) ** 2 / (
            (n - 2) * (n - 3)
        )
    return np.asarray(skew), np.asarray(kurt)


def passes(x: FloatArray, skew_thresh: FloatArray, kurt_thresh: FloatArray) -> BoolArray:
    """True where |skew| < threshold OR kurtosis < threshold (NaN statistics pass: nothing to treat)."""
    sk, ku = skew_kurt(x)
    return np.asarray(~((np.abs(sk) >= skew_thresh) & (ku >= kurt_thresh)))


def winsorise(
    x: FloatArray, winmax: FloatArray, force: BoolArray, skew_thresh: FloatArray, kurt_thresh: FloatArray
) -> tuple[FloatArray, BoolArray]:
    """Iterative winsorisation of every failing column at once.

    Each round replaces the column's maximum (skew >= 0) or minimum (skew < 0), with all its
    ties, by the next value inward, then re-tests; a column stops when it passes (unless
    `force`) or when `winmax` of its points have been replaced (ties may overshoot, as in the
    reference). Returns the data and the mask of replaced cells.
    """
    y = x.copy()
    treated = np.zeros(x.shape, dtype=bool)
    active = ~passes(y, skew_thresh, kurt_thresh) & (winmax > 0)
    while active.any():
        sk, _ = skew_kurt(y)
        high = sk >= 0
        top, bottom = np.fmax.reduce(y, axis=0), np.fmin.reduce(y, axis=0)
        next_top = np.fmax.reduce(np.where(y < top, y, np.nan), axis=0)
        next_bottom = np.fmin.reduce(np.where(y > bottom, y, np.nan), axis=0)
        inward = np.where(high, next_top, next_bottom)
        active &= ~np.isnan(inward)  # a constant column cannot be winsorised further
        hit = (y == np.where(high, top, bottom)) & active
        y = np.where(hit, inward, y)
        treated |= hit
        active &= (treated.sum(axis=0) < winmax) & (force | ~passes(y, skew_thresh, kurt_thresh))
    return y, treated


def log_ct(x: FloatArray) -> FloatArray:
    """log(x - min + 0.01 (max - min)): a log that tolerates zeros and negatives."""
    lo, hi = np.fmin.reduce(x, axis=0), np.fmax.reduce(x, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(np.log(x - lo + 0.01 * (hi - lo)))


def log_ct_plus(x: FloatArray) -> FloatArray:
    """log_CT for positive skew; for negative skew the mirrored -log(max - x + 0.01 (max - min))."""
    sk, _ = skew_kurt(x)
    lo, hi = np.fmin.reduce(x, axis=0), np.fmax.reduce(x, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mirrored = -np.log(hi - x + 0.01 * (hi - lo))
    return np.asarray(np.where(sk < 0, mirrored, log_ct(x)))


def boxcox(x: FloatArray, lam: float | None) -> tuple[FloatArray, list[float]]:
    """Box-Cox per column of x - min + 1 (the reference's `makepos`); lambda by maximum likelihood if None."""
    out = np.full_like(x, np.nan)
    lambdas = []
    for j in range(x.shape[1]):
        col = x[:, j]
        ok = ~np.isnan(col)
        v = col[ok]
        if v.size == 0:
            lambdas.append(float("nan"))
            continue
        v = v - v.min() + 1
        if lam is None:
            t, fitted = stats.boxcox(v) if np.ptp(v) > 0 else (np.zeros_like(v), 1.0)
            lambdas.append(float(fitted))
        else:
            t = stats.boxcox(v, lmbda=lam)
            lambdas.append(lam)
        out[ok, j] = t
    return out, lambdas


def _transform(x: FloatArray, how: str, lam: float | None) -> FloatArray:
    if how == "log_CT":
        return log_ct(x)
    if how == "log_CT_plus":
        return log_ct_plus(x)
    if how == "boxcox":
        return boxcox(x, lam)[0]
    return x


def treat_array(x: FloatArray, specs: list[TreatSpec | None]) -> tuple[FloatArray, BoolArray, list[dict[str, Any]]]:
    """Treat every column with its spec (None = untreated); returns data, winsorised mask, details."""
    m = x.shape[1]
    on = np.array([s is not None for s in specs])
    spec = [s or TreatSpec(f1="none", f2="none") for s in specs]
    st = np.array([s.skew_thresh for s in spec])
    kt = np.array([s.kurt_thresh for s in spec])
    before = passes(x, st, kt)
    details: list[dict[str, Any]] = [{} for _ in range(m)]
    y = x.copy()
    treated = np.zeros(x.shape, dtype=bool)
    win = np.array([s.f1 == "winsorise" for s in spec]) & on
    if win.any():
        wmax = np.array([s.winmax if w else 0 for s, w in zip(spec, win, strict=True)], dtype=float)
        force = np.array([s.force_win for s in spec]) & win
        wy, wmask = winsorise(x, wmax, force, st, kt)
        y, treated = np.where(win, wy, y), wmask & win
        for j in map(int, np.flatnonzero(wmask.any(axis=0))):
            details[j]["winsorised"] = int(wmask[:, j].sum())
    for how in {s.f1 for s in spec} - {"winsorise", "none"}:
        cols = [j for j, s in enumerate(spec) if s.f1 == how and on[j] and not before[j]]
        if cols:
            y[:, cols] = _transform(x[:, cols], how, spec[cols[0]].boxcox_lambda)
            for j in cols:
                details[j]["f1"] = how
    after = passes(y, st, kt)
    for how in {s.f2 for s in spec} - {"none"}:
        cols = [j for j, s in enumerate(spec) if s.f2 == how and on[j] and not after[j]]
        for lam in {spec[j].boxcox_lambda for j in cols}:
            sub = [j for j in cols if spec[j].boxcox_lambda == lam]
            src = np.column_stack([y[:, j] if spec[j].combine else x[:, j] for j in sub])
            y[:, sub] = _transform(src, how, lam)
            for j in sub:
                details[j]["f2"] = how
                if not spec[j].combine:
                    treated[:, j] = False
                    details[j]["winsorised"] = 0
    sk, ku = skew_kurt(y)
    final = passes(y, st, kt)
    for j in range(m):
        details[j].update(skew=float(sk[j]), kurt=float(ku[j]), passed_before=bool(before[j]), passed=bool(final[j]))
    return y, treated, details


def run(index: Index, params: Params) -> Index:
    h = index.hierarchy
    unknown = [c for c in params.indicators if c not in h.indicators]
    if unknown:
        raise IndexError_([error("invalid-parameter", "not an indicator", field=f"indicators.{c}") for c in unknown])
    specs = [params.spec_for(c) for c in h.indicators]
    y, treated, details = treat_array(index.dataset(params.dataset), specs)
    per = {
        c: d for c, d in zip(h.indicators, details, strict=True) if d.get("winsorised") or d.get("f1") or d.get("f2")
    }
    summary = {
        "treated_indicators": per,
        "winsorised_points": int(treated.sum()),
        "failing_after": [c for c, d in zip(h.indicators, details, strict=True) if not d["passed"]],
    }
    flags = {**index.flags, "treated": treated}
    return index.with_step(StepRecord("treat", params.model_dump(), "Treated", summary), y, flags=flags)
