"""Denomination: divide indicators by a size variable (population, GDP, area) to make units comparable.

Which indicator is divided by which denominator comes from the metadata column `Denominator`,
overridable per indicator; a zero or missing denominator gives a missing value, never an infinity,
and is counted in the log.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from citykpi.index.model import FloatArray, Index, StepRecord
from citykpi.model.diagnostics import error
from citykpi.model.errors import DiagnosticError


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid")

    step: Literal["denominate"] = "denominate"
    dataset: str | None = Field(default=None, description="Input dataset; default the latest")
    denominators: dict[str, str | None] = Field(
        default_factory=dict, description="indicator -> denominator column (null = do not denominate)"
    )
    scale: dict[str, float] = Field(default_factory=dict, description="indicator -> scale factor (default 1)")


def denominate(x: FloatArray, denominators: FloatArray, scale: FloatArray) -> FloatArray:
    """x / d * scale per column; columns with a NaN denominator everywhere stay unchanged."""
    with np.errstate(divide="ignore", invalid="ignore"):
        y = x / denominators * scale
    y = np.where(np.isfinite(y), y, np.nan)
    return np.asarray(y)


def run(index: Index, params: Params) -> Index:
    h = index.hierarchy
    bad = [f"denominators.{c}" for c in params.denominators if c not in h.indicators]
    bad += [f"scale.{c}" for c in params.scale if c not in h.indicators]
    chosen = {c: params.denominators.get(c, h.node(c).denominator) for c in h.indicators}
    missing = {c: d for c, d in chosen.items() if d is not None and d not in index.data.denominators}
    if bad or missing:
        raise DiagnosticError(
            [error("invalid-parameter", "not an indicator of the framework", field=f) for f in bad]
            + [
                error("foreign-key", f"denominator {d!r} is not a column of the unit data", kpi=c, field="denominators")
                for c, d in missing.items()
            ]
        )
    x = index.dataset(params.dataset)
    n = x.shape[0]
    den = (
        np.column_stack([index.data.denominators[d] if d is not None else np.ones(n) for d in chosen.values()])
        if chosen
        else np.ones((n, 0))
    )
    scale = np.array([params.scale.get(c, 1.0) for c in h.indicators], dtype=np.float64)
    y = denominate(x, den, scale)
    lost = {
        c: int(np.sum(~np.isnan(x[:, j]) & np.isnan(y[:, j])))
        for j, c in enumerate(h.indicators)
        if np.any(~np.isnan(x[:, j]) & np.isnan(y[:, j]))
    }
    summary: dict[str, object] = {"denominated": {c: d for c, d in chosen.items() if d is not None}}
    if lost:
        summary["missing_or_zero_denominator"] = lost
    return index.with_step(StepRecord("denominate", params.model_dump(), "Denominated", summary), y)
