"""Unit screening: drop units whose data are too sparse overall or within a framework group.

Availability is the share of a unit's indicators that are present (and, with `by: zeros`, also
non-zero). `group_level` adds the per-group rule the reference lacks (its issue #51): a unit is
also dropped if its availability inside any aggregate of that level is below `group_threshold`.
Removed units disappear from every dataset and are listed in `Index.removed_units` and the log.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from citykpi.index.model import BoolArray, FloatArray, Index, StepRecord
from citykpi.model.diagnostics import error
from citykpi.model.errors import DiagnosticError


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid")

    step: Literal["screen"] = "screen"
    dataset: str | None = Field(default=None, description="Dataset whose availability is measured; default latest")
    by: Literal["NA", "zeros", "NAandzeros"] = Field(default="NA", description="What counts as unavailable")
    threshold: float = Field(default=2 / 3, ge=0, le=1, description="Minimum overall share of available indicators")
    nonzero_threshold: float = Field(default=0.05, ge=0, le=1, description="Minimum share of non-zero indicators")
    group_level: int | None = Field(default=None, ge=2, description="Also screen within aggregates of this level")
    group_threshold: float | None = Field(default=None, ge=0, le=1, description="Minimum share within each group")
    include: list[str] = Field(default_factory=list, description="Units always kept")
    exclude: list[str] = Field(default_factory=list, description="Units always removed")


def availability(present: BoolArray, member: FloatArray | None = None) -> FloatArray:
    """Share of present cells per unit, overall (member None) or per column group of `member`."""
    p = present.astype(np.float64)
    if member is None:
        return np.asarray(p.mean(axis=-1))
    return np.asarray((p @ member) / np.maximum(member.sum(axis=0), 1))


def keep_mask(x: FloatArray, params: Params, member: FloatArray | None) -> BoolArray:
    """Units passing every rule (before forced inclusions and exclusions)."""
    keep = np.ones(x.shape[0], dtype=bool)
    if params.by in ("NA", "NAandzeros"):
        keep &= availability(~np.isnan(x)) >= params.threshold
        if member is not None and params.group_threshold is not None:
            keep &= np.all(availability(~np.isnan(x), member) >= params.group_threshold, axis=-1)
    if params.by in ("zeros", "NAandzeros"):
        keep &= availability(~np.isnan(x) & (x != 0)) >= params.nonzero_threshold
    return keep


def run(index: Index, params: Params) -> Index:
    h = index.hierarchy
    problems = [
        error("unknown-unit", f"unit {u!r} is not in the data", field=name)
        for name, units in (("include", params.include), ("exclude", params.exclude))
        for u in units
        if u not in index.units
    ]
    if params.group_level is not None and params.group_level > h.n_levels:
        problems.append(error("invalid-parameter", f"the framework has levels 1..{h.n_levels}", field="group_level"))
    if (params.group_level is None) != (params.group_threshold is None):
        problems.append(error("invalid-parameter", "group_level and group_threshold go together", field="group_level"))
    if problems:
        raise DiagnosticError(problems)
    x = index.dataset(params.dataset)
    member = h.indicator_membership(params.group_level) if params.group_level else None
    keep = keep_mask(x, params, member)
    units = np.array(index.units, dtype=object)
    keep |= np.isin(units, params.include)
    keep &= ~np.isin(units, params.exclude)
    rows = np.flatnonzero(keep)
    removed = [index.units[i] for i in np.flatnonzero(~keep)]
    summary = {
        "removed_units": removed,
        "availability": dict(zip(index.units, np.round(availability(~np.isnan(x)), 6).tolist(), strict=True)),
    }
    record = StepRecord("screen", params.model_dump(), "Screened", summary)
    sliced = replace(
        index,
        data=index.data.take(rows),
        datasets={k: v[rows] for k, v in index.datasets.items()},
        flags={k: v[rows] for k, v in index.flags.items()},
        removed_units=(*index.removed_units, *removed),
    )
    new = sliced.with_step(record, x[rows])
    return replace(new, previous=index)
