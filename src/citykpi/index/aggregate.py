"""Aggregation: combine each node's children into the node's score, level by level.

A level is aggregated with matrix products against the children x parents membership matrix, so a
whole level (and a batch of replications, leading axes of `x` and of the weights) is one numpy
computation. Weights are relative: children with a missing value are dropped and the weights of the
others renormalised; `threshold` sets the minimum share of available children below which the
aggregate is missing. Power means need positive values: `zeros: error` refuses them, `zeros: shift`
adds to the children of that node the constant that lifts their minimum to `shift_to` (documented in
docs/index-methodology.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from citykpi.index.model import AGGREGATED, FloatArray, Hierarchy, Index, StepRecord
from citykpi.model.diagnostics import error
from citykpi.model.errors import DiagnosticError

Method = Literal["arithmetic", "geometric", "harmonic", "genmean", "median", "copeland"]
POWER_MEANS: frozenset[str] = frozenset({"geometric", "harmonic", "genmean"})


class NodeSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    method: Method | None = None
    p: float | None = Field(default=None, description="Exponent of the generalised mean")
    threshold: float | None = Field(default=None, ge=0, le=1, description="Minimum share of available children")


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid")

    step: Literal["aggregate"] = "aggregate"
    dataset: str | None = Field(default=None, description="Input dataset; default the latest")
    method: Method = "arithmetic"
    p: float = Field(default=2.0, description="Exponent of the generalised mean (1 = arithmetic, -1 = harmonic)")
    threshold: float = Field(default=0.0, ge=0, le=1, description="Minimum share of available children")
    zeros: Literal["error", "shift"] = Field(default="error", description="Rule for values <= 0 in power means")
    shift_to: float = Field(default=1.0, gt=0, description="Minimum after shifting (zeros: shift)")
    weights: str | None = Field(default=None, description="Named weight set; default the weights in force")
    levels: dict[int, NodeSpec] = Field(default_factory=dict, description="Per-level method/p/threshold")
    nodes: dict[str, NodeSpec] = Field(default_factory=dict, description="Per-node method/p/threshold")

    @model_validator(mode="after")
    def _genmean(self) -> Params:
        if self.method == "genmean" and self.p == 0:
            raise ValueError("genmean with p = 0 is the geometric mean: use method 'geometric'")
        return self


@dataclass(frozen=True)
class LevelPlan:
    """How to aggregate one level: membership (children x parents) and a method per parent."""

    level: int
    membership: FloatArray
    methods: tuple[str, ...]
    p: tuple[float, ...]
    threshold: FloatArray


def _masked(x: FloatArray, fill: float, f: Any = None) -> FloatArray:
    ok = ~np.isnan(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        v = x if f is None else f(x)
    return np.where(ok, v, fill)


def power_mean(x: FloatArray, w: FloatArray, member: FloatArray, method: str, p: float = 1.0) -> FloatArray:
    """Weighted arithmetic/geometric/harmonic/generalised mean of the children of each parent."""
    wb = w[..., None, :]
    den = (~np.isnan(x) * wb) @ member
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "arithmetic":
            return np.asarray(((_masked(x, 0.0) * wb) @ member) / den)
        if method == "geometric":
            return np.asarray(np.exp(((_masked(x, 0.0, np.log) * wb) @ member) / den))
        if method == "harmonic":
            return np.asarray(den / ((_masked(x, 0.0, np.reciprocal) * wb) @ member))
        if method == "genmean":
            return np.asarray((((_masked(x, 0.0, lambda v: v**p) * wb) @ member) / den) ** (1.0 / p))
    raise ValueError(f"unknown power mean {method!r}")


def weighted_median(x: FloatArray, w: FloatArray) -> FloatArray:
    """Weighted median along the last axis: the value where cumulative weight reaches one half.

    Missing values get zero weight; when the cumulative weight hits exactly one half the median is
    the mean of that value and the next available one (the ordinary median for equal weights).
    """
    order = np.argsort(x, axis=-1)  # NaN last
    xs = np.take_along_axis(x, order, axis=-1)
    ws = np.take_along_axis(np.where(np.isnan(x), 0.0, np.broadcast_to(w[..., None, :], x.shape)), order, axis=-1)
    total = ws.sum(axis=-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        cum = np.cumsum(ws, axis=-1) / total
    eps = 1e-12
    first = np.argmax(cum >= 0.5 - eps, axis=-1)[..., None]
    lo = np.take_along_axis(xs, first, axis=-1)[..., 0]
    at_half = np.abs(np.take_along_axis(cum, first, axis=-1)[..., 0] - 0.5) <= eps
    n_ok = np.sum(~np.isnan(xs), axis=-1)
    nxt = np.take_along_axis(xs, np.minimum(first + 1, np.maximum(n_ok - 1, 0)[..., None]), axis=-1)[..., 0]
    out = np.where(at_half & (first[..., 0] + 1 < n_ok), (lo + nxt) / 2, lo)
    return np.where((total[..., 0] > 0) & (n_ok > 0), out, np.nan)


def copeland(x: FloatArray, w: FloatArray) -> FloatArray:
    """Copeland outranking score over the units axis (-2) with children on the last axis.

    M[i, j] = share of weight (over children both units report) of children where i beats j, ties
    counting one half; the score of i is the number of units it outranks (M > 0.5) minus the number
    that outrank it (M < 0.5). Quadratic in the number of units.
    """
    xi, xj = x[..., :, None, :], x[..., None, :, :]
    both = ~np.isnan(xi) & ~np.isnan(xj)
    wb = np.broadcast_to(w[..., None, None, :], both.shape) * both
    wins = np.where(xi > xj, 1.0, np.where(xi == xj, 0.5, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        m = (wins * wb).sum(axis=-1) / wb.sum(axis=-1)
    score = np.nansum(np.sign(m - 0.5), axis=-1)
    return np.where(np.all(np.isnan(x), axis=-1), np.nan, score)


def aggregate_level(x: FloatArray, w: FloatArray, plan: LevelPlan) -> FloatArray:
    """Scores of the parents of `plan.level` from children `x` (..., n_units, n_children)."""
    member = plan.membership
    out = np.full((*x.shape[:-1], member.shape[1]), np.nan)
    groups: dict[tuple[str, float], list[int]] = {}
    for j, key in enumerate(zip(plan.methods, plan.p, strict=True)):
        groups.setdefault(key, []).append(j)
    for (method, p), parents in groups.items():
        if method in POWER_MEANS or method == "arithmetic":
            out[..., parents] = power_mean(x, w, member[:, parents], method, p)
            continue
        for j in parents:
            kids = np.flatnonzero(member[:, j])
            f = weighted_median if method == "median" else copeland
            out[..., j] = f(x[..., kids], w[..., kids])
    share = (~np.isnan(x)).astype(np.float64) @ member / np.maximum(member.sum(axis=0), 1)
    return np.where((share >= plan.threshold) & (share > 0), out, np.nan)


def shift_nonpositive(x: FloatArray, plan: LevelPlan, shift_to: float) -> FloatArray:
    """Add to each child of a power-mean node the constant lifting that node's minimum to `shift_to`."""
    member = plan.membership
    power = np.array([m in POWER_MEANS for m in plan.methods])
    colmin = np.fmin.reduce(x, axis=-2)  # (..., n_children)
    node_min = np.where(member > 0, colmin[..., :, None], np.inf).min(axis=-2)  # (..., n_parents)
    shift = np.where(power & (node_min <= 0), shift_to - node_min, 0.0)
    return np.asarray(x + (shift[..., None, :] * member).sum(axis=-1)[..., None, :])


def aggregate_array(
    x: FloatArray,
    plans: Sequence[LevelPlan],
    weights: Sequence[FloatArray],
    zeros: str = "error",
    shift_to: float = 1.0,
) -> FloatArray:
    """Indicator columns (..., n_units, n_indicators) -> every level's columns side by side.

    `weights[k]` holds the weights of the children of `plans[k]`, shaped (..., n_children).
    With `zeros == "error"` non-positive inputs of power means give NaN (the step reports them).
    """
    columns = [x]
    current = x
    for plan, w in zip(plans, weights, strict=True):
        if zeros == "shift":
            current = shift_nonpositive(current, plan, shift_to)
        current = aggregate_level(current, np.asarray(w, dtype=np.float64), plan)
        columns.append(current)
    return np.concatenate(columns, axis=-1)


def plans(hierarchy: Hierarchy, params: Params) -> list[LevelPlan]:
    out = []
    for level in range(2, hierarchy.n_levels + 1):
        lev = params.levels.get(level, NodeSpec())
        methods, ps, thresholds = [], [], []
        for code in hierarchy.codes(level):
            node = params.nodes.get(code, NodeSpec())
            methods.append(node.method or lev.method or params.method)
            ps.append(next(v for v in (node.p, lev.p, params.p) if v is not None))
            thresholds.append(next(v for v in (node.threshold, lev.threshold, params.threshold) if v is not None))
        out.append(
            LevelPlan(level, hierarchy.membership(level), tuple(methods), tuple(ps), np.array(thresholds, dtype=float))
        )
    return out


def _check_positive(x: FloatArray, plan: LevelPlan, hierarchy: Hierarchy, units: list[str]) -> None:
    children = hierarchy.codes(plan.level - 1)
    problems = []
    for j, (method, parent) in enumerate(zip(plan.methods, hierarchy.codes(plan.level), strict=True)):
        if method not in POWER_MEANS:
            continue
        kids = np.flatnonzero(plan.membership[:, j])
        bad = np.argwhere(x[:, kids] <= 0)
        if bad.size:
            r, c = bad[0]
            problems.append(
                error(
                    "nonpositive-value",
                    f"{method} mean of {parent!r} needs positive values but {children[kids[c]]} of unit "
                    f"{units[r]} is {x[r, kids[c]]:g} ({len(bad)} such values); normalise to a positive range "
                    "(e.g. [1, 100]) or set zeros: shift",
                    kpi=parent,
                    field="method",
                )
            )
    if problems:
        raise DiagnosticError(problems)


def validate(hierarchy: Hierarchy, params: Params, weight_sets: dict[str, dict[str, float]]) -> list[str]:
    """Problems with the parameters given this framework (unknown nodes, levels or weight set)."""
    msgs = [f"nodes.{c}: no aggregate {c!r} in the framework" for c in params.nodes if c not in hierarchy]
    msgs += [f"nodes.{c}: {c!r} is an indicator, not an aggregate" for c in params.nodes if c in hierarchy.indicators]
    msgs += [
        f"levels.{lev}: the framework has aggregate levels 2..{hierarchy.n_levels}"
        for lev in params.levels
        if not 2 <= lev <= hierarchy.n_levels
    ]
    if params.weights is not None and params.weights not in weight_sets:
        msgs.append(f"weights: no weight set {params.weights!r}; known: {sorted(weight_sets)}")
    return msgs


def run(index: Index, params: Params) -> Index:
    h = index.hierarchy
    problems = validate(h, params, index.weight_sets)
    if problems:
        raise DiagnosticError([error("invalid-parameter", m, field="aggregate") for m in problems])
    weights = index.weight_sets[params.weights] if params.weights else index.weights
    level_plans = plans(h, params)
    x = index.dataset(params.dataset)
    level_weights = [h.weights(p.level - 1, weights) for p in level_plans]
    if params.zeros == "error":  # check each level's input as it is produced, to name the first offender
        columns, current = [x], x
        for plan, w in zip(level_plans, level_weights, strict=True):
            _check_positive(current, plan, h, index.units)
            current = aggregate_level(current, w, plan)
            columns.append(current)
        values = np.concatenate(columns, axis=-1)
    else:
        values = aggregate_array(x, level_plans, level_weights, params.zeros, params.shift_to)
    missing = {
        code: int(np.isnan(values[:, k]).sum())
        for k, code in enumerate(h.all_codes)
        if k >= len(h.indicators) and np.isnan(values[:, k]).any()
    }
    summary: dict[str, Any] = {"methods": {p.level: sorted(set(p.methods)) for p in level_plans}}
    if missing:
        summary["missing_aggregates"] = missing
    return index.with_step(StepRecord("aggregate", params.model_dump(), AGGREGATED, summary), values)
