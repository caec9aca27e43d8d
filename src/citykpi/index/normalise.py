"""Normalisation: bring indicators onto a common scale, direction by sign flip.

Kernels work on arrays shaped (..., n_units, n_columns) along the units axis (-2), with one
parameter per column, so that a batch of replications is one numpy computation. Each method first
yields its *natural* scale (0-1 for bounded methods, raw units for z-score and ranks); `range`
then maps that scale linearly onto [a, b] for bounded methods and min-max rescales unbounded ones
(see docs/index-methodology.md). Direction -1 multiplies the indicator (and its goalposts,
reference and target) by -1 before the method, as the reference does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from citykpi.index.model import FloatArray, Index, StepRecord
from citykpi.index.ranks import ascending_rank
from citykpi.model.diagnostics import error
from citykpi.model.errors import DiagnosticError

Method = Literal[
    "minmax", "zscore", "rank", "borda", "prank", "fracmax", "dist2max", "dist2ref", "dist2targ", "goalposts", "none"
]
BOUNDED: frozenset[str] = frozenset({"minmax", "prank", "fracmax", "dist2max", "dist2ref", "dist2targ", "goalposts"})

# Indicator metadata columns read when `use_metadata` is on (names as in the reference's iMeta).
METADATA_PARAMS: dict[str, str] = {
    "minmax_lower": "range_lower",
    "minmax_upper": "range_upper",
    "zscore_mean": "mean",
    "zscore_sd": "sd",
    "goalpost_lower": "lower",
    "goalpost_upper": "upper",
    "goalpost_trunc2posts": "trunc",
    "Target": "target",
    "dist2targ_cap_max": "cap",
}


class NormaliseSpec(BaseModel):
    """The method and its parameters for one indicator (or the default for all)."""

    model_config = ConfigDict(extra="forbid")

    method: Method = "minmax"
    range: tuple[float, float] | None = Field(
        default=None, description="Output range [a, b]; minmax defaults to [0, 100], others keep their natural scale"
    )
    mean: float = 0.0
    sd: float = Field(default=1.0, gt=0)
    lower: float | None = Field(default=None, description="goalposts: worst-case post, in the indicator's units")
    upper: float | None = Field(default=None, description="goalposts: best-case post, in the indicator's units")
    trunc: bool = Field(default=True, description="goalposts: clip values beyond the posts")
    reference: str | None = Field(default=None, description="dist2ref: code of the reference unit")
    target: float | None = Field(default=None, description="dist2targ: target in the indicator's units")
    cap: bool = Field(default=False, description="dist2ref/dist2targ: cap scores at the maximum (1)")

    @model_validator(mode="after")
    def _range(self) -> NormaliseSpec:
        if self.range is not None and self.range[0] >= self.range[1]:
            raise ValueError(f"range must be increasing, got {list(self.range)}")
        return self

    def output_range(self) -> tuple[float, float] | None:
        if self.range is None and self.method == "minmax":
            return (0.0, 100.0)
        return self.range


class Params(NormaliseSpec):
    model_config = ConfigDict(extra="forbid")

    step: Literal["normalise"] = "normalise"
    dataset: str | None = Field(default=None, description="Input dataset; default the latest")
    use_metadata: bool = Field(default=True, description="Read per-indicator parameters from metadata columns")
    directions: bool = Field(default=True, description="Flip indicators of direction -1 before normalising")
    indicators: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="Per-indicator overrides of method and parameters"
    )

    @model_validator(mode="after")
    def _overrides(self) -> Params:
        for code, override in self.indicators.items():
            try:
                self.spec_with(override)
            except ValueError as exc:
                raise ValueError(f"indicators.{code}: {exc}") from exc
        return self

    def spec_with(self, override: dict[str, Any]) -> NormaliseSpec:
        base = NormaliseSpec.model_fields.keys()
        return NormaliseSpec.model_validate({**{k: getattr(self, k) for k in base}, **override})


def _colmin(x: FloatArray) -> FloatArray:
    return np.asarray(np.fmin.reduce(x, axis=-2, keepdims=True))


def _colmax(x: FloatArray) -> FloatArray:
    return np.asarray(np.fmax.reduce(x, axis=-2, keepdims=True))


def _ratio(num: FloatArray, den: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(num / den)


def minmax(x: FloatArray) -> FloatArray:
    lo, hi = _colmin(x), _colmax(x)
    return _ratio(x - lo, hi - lo)


def zscore(x: FloatArray, mean: FloatArray, sd: FloatArray) -> FloatArray:
    """(x - mean(x)) / sd(x) with the sample standard deviation (n - 1), then to the chosen mean/sd."""
    n = np.sum(~np.isnan(x), axis=-2, keepdims=True)
    mu = _ratio(np.nansum(x, axis=-2, keepdims=True), n)
    var = _ratio(np.nansum((x - mu) ** 2, axis=-2, keepdims=True), n - 1)
    return _ratio(x - mu, np.sqrt(var)) * sd + mean


def rank(x: FloatArray) -> FloatArray:
    return ascending_rank(x, axis=-2)


def prank(x: FloatArray) -> FloatArray:
    """Percentile rank (rank - 1) / (n - 1), ties at their lowest rank (dplyr::percent_rank)."""
    n = np.sum(~np.isnan(x), axis=-2, keepdims=True)
    return _ratio(ascending_rank(x, axis=-2) - 1, n - 1)


def fracmax(x: FloatArray) -> FloatArray:
    return _ratio(x, _colmax(x))


def dist2ref(x: FloatArray, ref: FloatArray, cap: FloatArray) -> FloatArray:
    """1 - (ref - x) / (ref - min): the reference unit scores 1, the worst unit 0."""
    lo = _colmin(x)
    y = 1 - _ratio(ref - x, ref - lo)
    return np.where(cap.astype(bool) & (y > 1), 1.0, y)


def goalposts(x: FloatArray, lower: FloatArray, upper: FloatArray, trunc: FloatArray) -> FloatArray:
    """(x - lower) / (upper - lower), clipped to [0, 1] where `trunc` is set."""
    y = _ratio(x - lower, upper - lower)
    return np.where(trunc.astype(bool), np.clip(y, 0.0, 1.0), y)


def _column_params(specs: Sequence[NormaliseSpec], name: str, default: float = np.nan) -> FloatArray:
    values = [getattr(s, name) for s in specs]
    return np.array([default if v is None else float(v) for v in values], dtype=np.float64)


def natural(x: FloatArray, method: str, specs: Sequence[NormaliseSpec], direction: FloatArray) -> FloatArray:
    """The method on direction-adjusted columns `x`, before rescaling. `direction` is +1/-1 per column."""
    if method == "minmax":
        return minmax(x)
    if method == "zscore":
        return zscore(x, _column_params(specs, "mean"), _column_params(specs, "sd"))
    if method == "rank":
        return rank(x)
    if method == "borda":
        return rank(x) - 1
    if method == "prank":
        return prank(x)
    if method == "fracmax":
        return fracmax(x)
    if method == "dist2max":
        return dist2ref(x, _colmax(x), np.zeros(x.shape[-1]))
    if method == "dist2targ":
        return dist2ref(x, _column_params(specs, "target") * direction, _column_params(specs, "cap", 0.0))
    if method == "goalposts":
        lo = _column_params(specs, "lower") * direction
        hi = _column_params(specs, "upper") * direction
        return goalposts(x, np.minimum(lo, hi), np.maximum(lo, hi), _column_params(specs, "trunc", 1.0))
    if method == "none":
        return x
    raise ValueError(f"unknown normalisation method {method!r}")


def rescale(y: FloatArray, method: str, out: tuple[float, float] | None) -> FloatArray:
    """Map the natural scale onto `out`: linearly for bounded methods, by min-max for the others."""
    if out is None:
        return y
    a, b = out
    unit = y if method in BOUNDED else minmax(y)
    return unit * (b - a) + a


def normalise_array(
    x: FloatArray,
    specs: Sequence[NormaliseSpec],
    directions: FloatArray,
    reference_rows: Sequence[int | None] | None = None,
) -> FloatArray:
    """Normalise every column of `x` (..., n_units, n_columns) with its own spec; batched.

    Columns sharing a method and output range are computed together. `reference_rows[j]` is the
    row of the reference unit of column j for dist2ref.
    """
    d = np.asarray(directions, dtype=np.float64)
    xd = x * d
    out = np.empty_like(xd)
    groups: dict[tuple[str, tuple[float, float] | None], list[int]] = {}
    for j, s in enumerate(specs):
        groups.setdefault((s.method, s.output_range()), []).append(j)
    for (method, rng), cols in groups.items():
        sub = xd[..., cols]
        sub_specs = [specs[j] for j in cols]
        if method == "dist2ref":
            rows = reference_rows or [None] * len(specs)
            ref = np.stack([sub[..., rows[j] if rows[j] is not None else 0, k] for k, j in enumerate(cols)], axis=-1)
            y = dist2ref(sub, ref[..., None, :], _column_params(sub_specs, "cap", 0.0))
        else:
            y = natural(sub, method, sub_specs, d[cols])
        out[..., cols] = rescale(y, method, rng)
    return out


def resolve_specs(index: Index, params: Params) -> list[NormaliseSpec]:
    """One spec per indicator: global parameters, then metadata columns, then explicit overrides."""
    specs = []
    for code in index.hierarchy.indicators:
        meta: dict[str, Any] = {}
        if params.use_metadata:
            node_params = index.hierarchy.node(code).params
            meta = {field: node_params[col] for col, field in METADATA_PARAMS.items() if col in node_params}
            if "target" not in meta and index.hierarchy.node(code).target is not None:
                meta["target"] = index.hierarchy.node(code).target
            if "goalpost_scale" in node_params:  # the reference scales goalposts to [0, scale]
                meta["range"] = (0.0, node_params["goalpost_scale"])
            if "range_lower" in meta or "range_upper" in meta:
                lo, hi = params.output_range() or (0.0, 100.0)
                meta["range"] = (meta.pop("range_lower", lo), meta.pop("range_upper", hi))
            for flag in ("trunc", "cap"):
                if flag in meta:
                    meta[flag] = bool(meta[flag])
        specs.append(params.spec_with({**meta, **params.indicators.get(code, {})}))
    return specs


def run(index: Index, params: Params) -> Index:
    unknown = [c for c in params.indicators if c not in index.hierarchy.indicators]
    if unknown:
        raise DiagnosticError(
            [error("invalid-parameter", "not an indicator", field=f"indicators.{c}") for c in unknown]
        )
    specs = resolve_specs(index, params)
    rows: list[int | None] = []
    for code, s in zip(index.hierarchy.indicators, specs, strict=True):
        if s.method == "dist2ref":
            if s.reference not in index.units:
                raise DiagnosticError(
                    [
                        error(
                            "unknown-unit",
                            f"dist2ref reference unit {s.reference!r} is not among the units",
                            kpi=code,
                            field="reference",
                        )
                    ]
                )
            rows.append(index.units.index(s.reference))
        else:
            rows.append(None)
        if s.method == "goalposts" and (s.lower is None or s.upper is None):
            raise DiagnosticError(
                [error("missing-parameter", "goalposts need both 'lower' and 'upper'", kpi=code, field="lower/upper")]
            )
        if s.method == "dist2targ" and s.target is None:
            raise DiagnosticError([error("missing-parameter", "dist2targ needs a 'target'", kpi=code, field="target")])
    directions = index.hierarchy.directions(1) if params.directions else np.ones(len(specs))
    values = normalise_array(index.dataset(params.dataset), specs, directions, rows)
    methods: dict[str, int] = {}
    for s in specs:
        methods[s.method] = methods.get(s.method, 0) + 1
    record = StepRecord("normalise", params.model_dump(), "Normalised", {"methods": methods})
    return index.with_step(record, values)
