"""Imputation of missing values; observed values are never changed and imputed cells are flagged.

Column methods fill from the same indicator (mean, median, optionally within a unit group);
`row` fills from the same unit's other indicators in its framework group (optionally after a
min-max rescaling, mapped back to the indicator's units); panel methods fill from the same unit's
other time points (carry the latest observation forward, or interpolate linearly in time).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field, model_validator

from citykpi.index.model import FloatArray, Index, StepRecord
from citykpi.model.diagnostics import error
from citykpi.model.errors import DiagnosticError

Method = Literal["mean", "median", "mean_group", "median_group", "row", "carry_forward", "linear"]


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid")

    step: Literal["impute"] = "impute"
    dataset: str | None = Field(default=None, description="Input dataset; default the latest")
    method: Method = "mean"
    group: str | None = Field(default=None, description="Unit group column for mean_group/median_group")
    group_level: int = Field(default=2, ge=2, description="row: impute within aggregates of this level")
    normalise_first: bool = Field(default=True, description="row: min-max indicators before averaging")
    max_time: float | None = Field(default=None, gt=0, description="carry_forward: largest look-back in time units")
    extrapolate: bool = Field(default=True, description="linear: carry the nearest observation beyond the ends")

    @model_validator(mode="after")
    def _group(self) -> Params:
        if self.method in ("mean_group", "median_group") and self.group is None:
            raise ValueError(f"method {self.method} needs 'group' (a unit group column)")
        return self


def _fill(x: FloatArray, values: FloatArray) -> FloatArray:
    """Missing cells of x take `values` (broadcast); observed cells stay exactly as they were."""
    return np.asarray(np.where(np.isnan(x), values, x))


def column_mean(x: FloatArray) -> FloatArray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(np.nansum(x, axis=-2, keepdims=True) / np.sum(~np.isnan(x), axis=-2, keepdims=True))


def column_median(x: FloatArray) -> FloatArray:
    out = np.full((*x.shape[:-2], 1, x.shape[-1]), np.nan)
    ok = np.any(~np.isnan(x), axis=-2)
    if ok.any():
        out[..., 0, :][ok] = np.nanmedian(x[..., ok], axis=-2)
    return out


def by_column(x: FloatArray, median: bool = False) -> FloatArray:
    return _fill(x, column_median(x) if median else column_mean(x))


def by_group(x: FloatArray, labels: npt.NDArray[np.object_], median: bool = False) -> FloatArray:
    """Mean/median of the indicator among units of the same group (missing group label: no imputation)."""
    out = x.copy()
    for label in {v for v in labels.tolist() if v is not None and v == v}:
        rows = labels == label
        out[rows] = by_column(x[rows], median)
    return out


def by_row(x: FloatArray, member: FloatArray, normalise_first: bool) -> FloatArray:
    """Mean of the unit's available indicators in the same group (per level-`group_level` aggregate)."""
    lo = np.fmin.reduce(x, axis=0)
    span = np.fmax.reduce(x, axis=0) - lo
    z = (x - lo) / np.where(span > 0, span, 1.0) if normalise_first else x
    present = ~np.isnan(z)
    with np.errstate(invalid="ignore", divide="ignore"):
        group_mean = (np.where(present, z, 0.0) @ member) / (present.astype(np.float64) @ member)
    per_cell = group_mean @ member.T  # each indicator gets its group's mean
    if normalise_first:
        per_cell = per_cell * np.where(span > 0, span, 1.0) + lo
    return _fill(x, per_cell)


def _panel_order(units: list[str], time: FloatArray) -> tuple[npt.NDArray[np.intp], ...]:
    """Row order by (unit, time) and, per ordered row, the first and last position of its unit."""
    codes = np.unique(np.array(units, dtype=object), return_inverse=True)[1]
    order = np.lexsort((time, codes))
    sorted_codes = codes[order]
    starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]])
    ends = np.r_[starts[1:], len(order)] - 1
    which = np.searchsorted(starts, np.arange(len(order)), side="right") - 1
    return order, starts[which], ends[which]


def _neighbours(
    valid: npt.NDArray[np.bool_], first: npt.NDArray[np.intp], last: npt.NDArray[np.intp]
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Index of the previous and next observed row of the same unit (-1 where there is none)."""
    n = valid.shape[0]
    idx = np.arange(n)[:, None]
    prev = np.maximum.accumulate(np.where(valid, idx, -1), axis=0)
    nxt = np.minimum.accumulate(np.where(valid, idx, n)[::-1], axis=0)[::-1]
    prev = np.where(prev >= first[:, None], prev, -1)
    nxt = np.where(nxt <= last[:, None], nxt, -1)
    return prev, nxt


def panel(
    x: FloatArray, units: list[str], time: FloatArray, method: str, max_time: float | None, extrapolate: bool
) -> FloatArray:
    """Carry-forward or linear interpolation along time within each unit, all indicators at once."""
    order, first, last = _panel_order(units, time)
    xs, ts = x[order], time[order]
    prev, nxt = _neighbours(~np.isnan(xs), first, last)
    cols = np.arange(x.shape[1])[None, :]
    x_prev = np.where(prev >= 0, xs[np.maximum(prev, 0), cols], np.nan)
    t_prev = np.where(prev >= 0, ts[np.maximum(prev, 0)], np.nan)
    if method == "carry_forward":
        fill = x_prev
        if max_time is not None:
            fill = np.where(ts[:, None] - t_prev <= max_time, fill, np.nan)
    else:
        x_next = np.where(nxt >= 0, xs[np.maximum(nxt, 0), cols], np.nan)
        t_next = np.where(nxt >= 0, ts[np.maximum(nxt, 0)], np.nan)
        with np.errstate(invalid="ignore", divide="ignore"):
            frac = (ts[:, None] - t_prev) / (t_next - t_prev)
        fill = x_prev + frac * (x_next - x_prev)
        if extrapolate:
            fill = np.where(np.isnan(fill), np.where(np.isnan(x_prev), x_next, x_prev), fill)
    out = np.empty_like(x)
    out[order] = _fill(xs, fill)
    return out


def run(index: Index, params: Params) -> Index:
    x = index.dataset(params.dataset)
    data, h = index.data, index.hierarchy
    m = params.method
    if m in ("mean_group", "median_group"):
        if params.group not in data.groups:
            raise DiagnosticError(
                [
                    error(
                        "unknown-group",
                        f"no unit group column {params.group!r}; known: {sorted(data.groups)}",
                        field="group",
                    )
                ]
            )
        y = by_group(x, data.groups[str(params.group)], median=m == "median_group")
    elif m in ("mean", "median"):
        y = by_column(x, median=m == "median")
    elif m == "row":
        if params.group_level > h.n_levels:
            raise DiagnosticError(
                [error("invalid-parameter", f"the framework has levels 1..{h.n_levels}", field="group_level")]
            )
        y = by_row(x, h.indicator_membership(params.group_level), params.normalise_first)
    else:
        if data.time is None:
            raise DiagnosticError(
                [error("missing-label", f"method {m} needs a Time column in the unit data", field="method")]
            )
        y = panel(x, data.units, data.time, m, params.max_time, params.extrapolate)
    imputed = np.isnan(x) & ~np.isnan(y)
    summary = {
        "imputed_cells": int(imputed.sum()),
        "still_missing": int(np.isnan(y).sum()),
        "by_indicator": {c: int(n) for c, n in zip(h.indicators, imputed.sum(axis=0), strict=True) if n},
    }
    flags = {**index.flags, "imputed": imputed | index.flags.get("imputed", np.zeros_like(imputed))}
    return index.with_step(StepRecord("impute", params.model_dump(), "Imputed", summary), y, flags=flags)
