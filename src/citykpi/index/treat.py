"""Outlier treatment as in the JRC/COINr scheme: test -> first treatment -> test -> second treatment.

The test passes when |skewness| < `skew_thresh` OR kurtosis < `kurt_thresh` (so a column is treated
only if both are exceeded), with the sample estimators of Excel SKEW/KURT (= e1071 type 2). The
default first treatment winsorises iteratively, at most `winmax` times, the most extreme value(s)
on the side of the skew; if the column still fails, the default second treatment `log_CT` is
applied to the *original* column (or to the winsorised one with `combine`). All columns are
processed together, one vectorised iteration per winsorisation round.

`method: clip` is the other scheme published indices use: two-sided censoring at data-dependent
caps (`quantiles: [lo, hi]`, numpy's linear interpolation) or at fixed `bounds: [a, b]` in the
indicator's units, with no skewness test (SDSN US Cities 2017 censored its raw values so).
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from citykpi.index.model import BoolArray, FloatArray, Index, StepRecord
from citykpi.model.diagnostics import error
from citykpi.model.errors import DiagnosticError

Treatment = Literal["winsorise", "log_CT", "log_CT_plus", "boxcox", "none"]


class TreatSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    method: Literal["jrc", "clip"] = Field(default="jrc", description="jrc: test, winsorise, transform; clip: censor")
    quantiles: tuple[float, float] | None = Field(default=None, description="clip: caps at these quantiles")
    bounds: tuple[float | None, float | None] | None = Field(
        default=None, description="clip: caps in the indicator's units (null: that side open)"
    )
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

    @model_validator(mode="after")
    def _clip(self) -> TreatSpec:
        if self.method != "clip":
            return self
        if (self.quantiles is None) == (self.bounds is None):
            raise ValueError("method clip takes exactly one of 'quantiles' [lo, hi] or 'bounds' [a, b]")
        if self.quantiles is not None and not 0 <= self.quantiles[0] < self.quantiles[1] <= 1:
            raise ValueError(f"quantiles must satisfy 0 <= lo < hi <= 1, got {list(self.quantiles)}")
        lo, hi = self.bounds or (None, None)
        if lo is not None and hi is not None and lo >= hi:
            raise ValueError(f"bounds must be increasing, got {[lo, hi]}")
        return self


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
    ok = ~np.isnan(x)
    n = ok.sum(axis=-2).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(ok, x, 0.0).sum(axis=-2) / n
        d = np.where(ok, x - mean[..., None, :], 0.0)
        d2 = d * d
        var = d2.sum(axis=-2) / (n - 1)
        m3 = (d2 * d).sum(axis=-2) / var**1.5
        m4 = (d2 * d2).sum(axis=-2) / var**2
        skew = n / ((n - 1) * (n - 2)) * m3
        kurt = n * (n + 1) / ((n - 1) * (n - 2) * (n - 3)) * m4 - 3 * (n - 1) ** 2 / ((n - 2) * (n - 3))
    return np.asarray(skew), np.asarray(kurt)


def passes(x: FloatArray, skew_thresh: FloatArray, kurt_thresh: FloatArray) -> BoolArray:
    """True where |skew| < threshold OR kurtosis < threshold (NaN statistics pass: nothing to treat)."""
    sk, ku = skew_kurt(x)
    return np.asarray(~((np.abs(sk) >= skew_thresh) & (ku >= kurt_thresh)))


def _skew_kurt_from_sums(n: float, s: FloatArray) -> tuple[float, float]:
    """Type-2 skewness and kurtosis from the power sums s[p-1] = sum(x^p) of (roughly centred) data."""
    m = s[0] / n
    m2 = s[1] - n * m**2
    m3 = s[2] - 3 * m * s[1] + 3 * m**2 * s[0] - n * m**3
    m4 = s[3] - 4 * m * s[2] + 6 * m**2 * s[1] - 4 * m**3 * s[0] + n * m**4
    var = m2 / (n - 1)
    if not var > 0:
        return float("nan"), float("nan")
    skew = n / ((n - 1) * (n - 2)) * m3 / var**1.5
    kurt = n * (n + 1) / ((n - 1) * (n - 2) * (n - 3)) * m4 / var**2 - 3 * (n - 1) ** 2 / ((n - 2) * (n - 3))
    return float(skew), float(kurt)


_POWERS = np.arange(1, 5)


def _caps(
    row: FloatArray, centred: FloatArray, totals: FloatArray, winmax: float, force: bool, st: float, kt: float
) -> tuple[float, float, float, float]:
    """Clipping bounds reached by the reference's winsorisation loop on one sorted column, and the
    skewness and kurtosis of the result.

    Replacing the k largest values by the next one is clipping at the (k+1)-th largest, so the
    state is two counts (k_hi, k_lo); the power sums of a state follow from the totals minus the
    replaced originals plus the repeated caps, so each round costs O(points replaced).
    """
    n = row.size
    k_hi = k_lo = 0

    def failing() -> tuple[bool, float, float]:
        top, low = centred[n - 1 - k_hi], centred[k_lo]
        sums = (
            totals
            - (centred[n - k_hi :, None] ** _POWERS).sum(axis=0)
            - (centred[:k_lo, None] ** _POWERS).sum(axis=0)
            + k_hi * top**_POWERS
            + k_lo * low**_POWERS
        )
        sk, ku = _skew_kurt_from_sums(float(n), sums)
        return bool(abs(sk) >= st and ku >= kt), sk, ku

    fails, sk, ku = failing()
    if not fails:
        return np.inf, -np.inf, sk, ku
    while k_hi + k_lo < winmax and (fails or force):
        if sk >= 0:  # replace the maximum and its ties by the next smaller value
            nxt = int(np.searchsorted(row, row[n - 1 - k_hi], side="left")) - 1
            if nxt <= k_lo:
                break
            k_hi = n - 1 - nxt
        else:  # replace the minimum and its ties by the next larger value
            nxt = int(np.searchsorted(row, row[k_lo], side="right"))
            if nxt >= n - 1 - k_hi:
                break
            k_lo = nxt
        fails, sk, ku = failing()
    return (row[n - 1 - k_hi] if k_hi else np.inf), (row[k_lo] if k_lo else -np.inf), sk, ku


def winsorise(
    x: FloatArray, winmax: FloatArray, force: BoolArray, skew_thresh: FloatArray, kurt_thresh: FloatArray
) -> tuple[FloatArray, BoolArray]:
    """Iterative winsorisation of every failing column (the reference's algorithm).

    Each round replaces the column's maximum (skew >= 0) or minimum (skew < 0), with all its
    ties, by the next value inward, then re-tests; a column stops when it passes (unless `force`)
    or when `winmax` of its points have been replaced (ties may overshoot, as in the reference).
    The columns are sorted and their power sums taken once, vectorised; the rounds then only touch
    the few replaced points of each column (see `_caps`). Returns the data and the replaced cells.
    """
    y, treated, _, _ = _winsorise(x, winmax, force, skew_thresh, kurt_thresh)
    return y, treated


def _winsorise(
    x: FloatArray, winmax: FloatArray, force: BoolArray, skew_thresh: FloatArray, kurt_thresh: FloatArray
) -> tuple[FloatArray, BoolArray, FloatArray, FloatArray]:
    """`winsorise`, plus the skewness and kurtosis of each result (NaN where not computed)."""
    y = x.copy()
    treated = np.zeros(x.shape, dtype=bool)
    sk = np.full(x.shape[1], np.nan)
    ku = np.full(x.shape[1], np.nan)
    counts = np.sum(~np.isnan(x), axis=0)
    todo = np.flatnonzero((winmax > 0) & (counts >= 4))
    if todo.size == 0:
        return y, treated, sk, ku
    srt = np.sort(np.ascontiguousarray(x[:, todo].T), axis=1)  # NaN last
    centred = srt - np.nanmean(srt, axis=1, keepdims=True)  # centred for numerically stable power sums
    c1 = np.where(np.isnan(centred), 0.0, centred)
    c2 = c1 * c1
    totals = np.stack([c1.sum(axis=1), c2.sum(axis=1), (c2 * c1).sum(axis=1), (c2 * c2).sum(axis=1)], axis=1)
    top_cap = np.full(todo.size, np.inf)
    low_cap = np.full(todo.size, -np.inf)
    for r, j in enumerate(todo.tolist()):
        n = int(counts[j])
        top_cap[r], low_cap[r], sk[j], ku[j] = _caps(
            srt[r, :n], centred[r, :n], totals[r], winmax[j], bool(force[j]), skew_thresh[j], kurt_thresh[j]
        )
    sub = x[:, todo]
    hit = (sub > top_cap) | (sub < low_cap)
    y[:, todo] = np.where(sub > top_cap, top_cap, np.where(sub < low_cap, low_cap, sub))
    treated[:, todo] = hit
    return y, treated, sk, ku


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
    from scipy import stats  # here, not at the top: importing scipy.stats costs every index command ~0.4 s

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


def _apply_grouped(
    y: FloatArray,
    src: FloatArray,
    cols: list[int],
    how: str,
    spec: list[TreatSpec],
    details: list[dict[str, Any]],
    key: str,
) -> None:
    """Write `how` of the columns of `src` (aligned with `cols`) into columns `cols` of `y`.

    One call per Box-Cox lambda, since lambda is per indicator.
    """
    for lam in {spec[j].boxcox_lambda for j in cols}:
        pos = [k for k, j in enumerate(cols) if spec[j].boxcox_lambda == lam]
        y[:, [cols[k] for k in pos]] = _transform(src[:, pos], how, lam)
        for k in pos:
            details[cols[k]][key] = how


def treat_array(x: FloatArray, specs: list[TreatSpec | None]) -> tuple[FloatArray, BoolArray, list[dict[str, Any]]]:
    """Treat every column with its spec (None = untreated); returns data, winsorised mask, details.

    Only the columns failing the test are touched (and re-measured); the others pass through.
    """
    m = x.shape[1]
    spec = [s or TreatSpec(f1="none", f2="none") for s in specs]
    st = np.array([s.skew_thresh for s in spec])
    kt = np.array([s.kurt_thresh for s in spec])
    sk, ku = skew_kurt(x)
    before = ~((np.abs(sk) >= st) & (ku >= kt))
    failing = np.array([s is not None for s in specs]) & ~before
    details: list[dict[str, Any]] = [{} for _ in range(m)]
    y = x.copy()
    treated = np.zeros(x.shape, dtype=bool)
    win = failing & np.array([s.f1 == "winsorise" for s in spec])
    if win.any():
        cols = np.flatnonzero(win)
        wy, wmask, w_sk, w_ku = _winsorise(
            x[:, cols],
            np.array([spec[j].winmax for j in cols], dtype=float),
            np.array([spec[j].force_win for j in cols]),
            st[cols],
            kt[cols],
        )
        y[:, cols], treated[:, cols] = wy, wmask
        known = ~np.isnan(w_sk)  # statistics of the winsorised columns come with them
        sk[cols[known]], ku[cols[known]] = w_sk[known], w_ku[known]
        for j, count in zip(cols.tolist(), wmask.sum(axis=0).tolist(), strict=True):
            if count:
                details[j]["winsorised"] = int(count)
    changed = np.flatnonzero(failing)
    for how in {s.f1 for s in spec} - {"winsorise", "none"}:
        f1_cols = [j for j in changed.tolist() if spec[j].f1 == how]
        _apply_grouped(y, x[:, f1_cols], f1_cols, how, spec, details, "f1")
    transformed = np.array([j for j in changed.tolist() if spec[j].f1 not in ("winsorise", "none")], dtype=np.intp)
    sk[transformed], ku[transformed] = skew_kurt(y[:, transformed])
    still = changed[(np.abs(sk[changed]) >= st[changed]) & (ku[changed] >= kt[changed])]
    for how in {spec[j].f2 for j in still.tolist()} - {"none"}:
        f2_cols = [j for j in still.tolist() if spec[j].f2 == how]
        combine = np.array([spec[j].combine for j in f2_cols])
        source = np.where(combine, y[:, f2_cols], x[:, f2_cols])
        _apply_grouped(y, source, f2_cols, how, spec, details, "f2")
        for j in f2_cols:
            if not spec[j].combine:  # f2 replaced the winsorised column by a transform of the original
                treated[:, j] = False
                details[j].pop("winsorised", None)
    sk[still], ku[still] = skew_kurt(y[:, still])
    final = ~((np.abs(sk) >= st) & (ku >= kt))
    for j in range(m):
        details[j].update(skew=float(sk[j]), kurt=float(ku[j]), passed_before=bool(before[j]), passed=bool(final[j]))
    return y, treated, details


def clip_caps(x: FloatArray, spec: TreatSpec) -> tuple[float, float]:
    """The censoring caps of one column: its quantiles or the fixed bounds (open sides infinite)."""
    if spec.quantiles is not None:
        v = x[~np.isnan(x)]
        if v.size == 0:
            return -np.inf, np.inf
        lo, hi = np.quantile(v, spec.quantiles)
        return float(lo), float(hi)
    a, b = spec.bounds or (None, None)
    return (-np.inf if a is None else a), (np.inf if b is None else b)


def clip_columns(
    x: FloatArray, y: FloatArray, treated: BoolArray, specs: list[TreatSpec | None], details: list[dict[str, Any]]
) -> None:
    """Censor, in `y`, every column whose spec is `clip`; flag the changed cells and log the caps."""
    for j, spec in enumerate(specs):
        if spec is None or spec.method != "clip":
            continue
        lo, hi = clip_caps(x[:, j], spec)
        hit = (x[:, j] < lo) | (x[:, j] > hi)
        y[:, j] = np.clip(x[:, j], lo, hi)
        treated[:, j] = hit
        sk, ku = skew_kurt(y[:, [j]])
        fails = abs(sk[0]) >= spec.skew_thresh and ku[0] >= spec.kurt_thresh
        before = bool(details[j].get("passed_before", True))
        details[j] = {
            "clipped": int(hit.sum()),
            "caps": [None if np.isinf(c) else c for c in (lo, hi)],
            "skew": float(sk[0]),
            "kurt": float(ku[0]),
        }
        details[j].update(passed_before=before, passed=not fails)


def run(index: Index, params: Params) -> Index:
    h = index.hierarchy
    unknown = [c for c in params.indicators if c not in h.indicators]
    if unknown:
        raise DiagnosticError(
            [error("invalid-parameter", "not an indicator", field=f"indicators.{c}") for c in unknown]
        )
    specs = [params.spec_for(c) for c in h.indicators]
    x = index.dataset(params.dataset)
    y, treated, details = treat_array(x, [s if s is not None and s.method == "jrc" else None for s in specs])
    clip_columns(x, y, treated, specs, details)
    per = {
        c: d
        for c, d in zip(h.indicators, details, strict=True)
        if d.get("winsorised") or d.get("f1") or d.get("f2") or d.get("clipped")
    }
    summary = {
        "treated_indicators": per,
        "winsorised_points": int(treated.sum()),
        "failing_after": [c for c, d in zip(h.indicators, details, strict=True) if not d["passed"]],
    }
    flags = {**index.flags, "treated": treated}
    return index.with_step(StepRecord("treat", params.model_dump(), "Treated", summary), y, flags=flags)
