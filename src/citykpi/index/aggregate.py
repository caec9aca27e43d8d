"""Aggregation: combine each node's children into the node's score, level by level.

A level is aggregated with matrix products against the inputs x parents membership matrix, so a
whole level (and a batch of replications, leading axes of `x` and of the weights) is one numpy
computation. A node's children may sit at different levels (an unbalanced tree): the inputs of
level l are then gathered from every column built so far. Weights are relative: children with a
missing value are dropped and the weights of the others renormalised; `threshold` sets the minimum
share of available children below which the aggregate is missing. Power means need positive
values: `zeros: error` refuses them, `zeros: shift` adds to the children of that node the constant
that lifts their minimum to `shift_to`. The non-compensatory methods (mpi, ampi, bod, robust_bod,
topsis) read the whole units axis; their kernels are in `noncompensatory` (formulas and sources in
docs/index-methodology.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from citykpi.index import noncompensatory
from citykpi.index.model import AGGREGATED, FloatArray, Hierarchy, Index, StepRecord
from citykpi.model.diagnostics import error
from citykpi.model.errors import DiagnosticError

Method = Literal[
    "arithmetic", "geometric", "harmonic", "genmean", "median", "copeland", "mpi", "ampi", "bod", "robust_bod", "topsis"
]
POWER_MEANS: frozenset[str] = frozenset({"geometric", "harmonic", "genmean"})
ACROSS_UNITS: frozenset[str] = frozenset({"mpi", "ampi", "bod", "robust_bod", "topsis"})


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
    penalty: noncompensatory.Penalty = Field(
        default="negative", description="mpi/ampi: subtract S*cv (negative) or add it (positive, for 'bad' phenomena)"
    )
    references: dict[str, float] = Field(
        default_factory=dict, description="ampi: reference value (maps to 100) per child code; default its mean"
    )
    shares: tuple[float, float] | None = Field(
        default=None, description="bod/robust_bod: bounds [lo, hi] on each child's share of a unit's score"
    )
    sample: int = Field(default=20, ge=1, description="robust_bod: units per bootstrap draw (m of order-m)")
    replicates: int = Field(default=100, ge=2, description="robust_bod: number of bootstrap draws")
    seed: int = Field(default=0, description="robust_bod: random seed")

    @model_validator(mode="after")
    def _genmean(self) -> Params:
        if self.method == "genmean" and self.p == 0:
            raise ValueError("genmean with p = 0 is the geometric mean: use method 'geometric'")
        if self.shares is not None and not 0 <= self.shares[0] < self.shares[1] <= 1:
            raise ValueError(f"shares must satisfy 0 <= lo < hi <= 1, got {list(self.shares)}")
        return self


@dataclass(frozen=True)
class AcrossUnits:
    """Parameters of the methods reading the whole units axis, and where they report extras."""

    penalty: noncompensatory.Penalty = "negative"
    references: dict[str, float] = field(default_factory=dict)
    shares: tuple[float, float] | None = None
    sample: int = 20
    replicates: int = 100
    seed: int = 0


@dataclass(frozen=True)
class LevelPlan:
    """How to aggregate one level: membership (inputs x parents) and a method per parent.

    `inputs` are the columns of the inputs among every column built so far (`Hierarchy.all_codes`
    order up to this level); `balanced` means they are exactly the previous level's output.
    """

    level: int
    membership: FloatArray
    methods: tuple[str, ...]
    p: tuple[float, ...]
    threshold: FloatArray
    inputs: tuple[int, ...] = ()
    balanced: bool = True
    input_codes: tuple[str, ...] = ()
    options: AcrossUnits = AcrossUnits()


def _masked(x: FloatArray, fill: float, f: Any = None) -> FloatArray:
    ok = ~np.isnan(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        v = x if f is None else f(x)
    return np.where(ok, v, fill)


def power_terms(x: FloatArray, method: str, p: float = 1.0) -> FloatArray:
    """The values a power mean averages (x, log x, 1/x or x^p), 0 where x is missing."""
    if method == "arithmetic":
        return _masked(x, 0.0)
    if method == "geometric":
        return _masked(x, 0.0, np.log)
    if method == "harmonic":
        return _masked(x, 0.0, np.reciprocal)
    if method == "genmean":
        return _masked(x, 0.0, lambda v: v**p)
    raise ValueError(f"unknown power mean {method!r}")


def power_finish(num: FloatArray, den: FloatArray, method: str, p: float = 1.0) -> FloatArray:
    """The mean from the weighted sum of the terms (`num`) and of the weights present (`den`)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "geometric":
            return np.asarray(np.exp(num / den))
        if method == "harmonic":
            return np.asarray(den / num)
        if method == "genmean":
            return np.asarray((num / den) ** (1.0 / p))
        return np.asarray(num / den)


def power_mean(x: FloatArray, w: FloatArray, member: FloatArray, method: str, p: float = 1.0) -> FloatArray:
    """Weighted arithmetic/geometric/harmonic/generalised mean of the children of each parent."""
    wb = w[..., None, :]
    den = (~np.isnan(x) * wb) @ member
    with np.errstate(invalid="ignore"):
        return power_finish((power_terms(x, method, p) * wb) @ member, den, method, p)


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


def across_units(
    method: str, x: FloatArray, w: FloatArray, codes: list[str], opts: AcrossUnits, details: dict[str, Any] | None
) -> FloatArray:
    """One node's score by a method reading every unit; robust_bod's intervals go to `details`."""
    if method == "mpi":
        return noncompensatory.mpi(x, w, opts.penalty)
    if method == "ampi":
        ref = np.array([opts.references.get(c, np.nan) for c in codes], dtype=np.float64)
        return noncompensatory.ampi(x, w, ref, opts.penalty)
    if method == "topsis":
        return noncompensatory.topsis(x, w)
    if method == "bod":
        return noncompensatory.bod(x, opts.shares)
    mean, lo, hi = noncompensatory.robust_bod(x, opts.sample, opts.replicates, opts.seed, opts.shares)
    if details is not None:
        details["interval"] = (lo, hi)
    return mean


def aggregate_level(
    x: FloatArray, w: FloatArray, plan: LevelPlan, details: dict[int, dict[str, Any]] | None = None
) -> FloatArray:
    """Scores of the parents of `plan.level` from its inputs `x` (..., n_units, n_inputs).

    `details`, if given, receives per parent column the extras a method reports (robust_bod's
    bootstrap intervals).
    """
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
            if method in ACROSS_UNITS:
                extra: dict[str, Any] | None = None if details is None else details.setdefault(j, {})
                codes = [plan.input_codes[k] for k in kids] if plan.input_codes else []
                out[..., j] = across_units(method, x[..., kids], w[..., kids], codes, plan.options, extra)
                continue
            f = weighted_median if method == "median" else copeland
            out[..., j] = f(x[..., kids], w[..., kids])
    share = (~np.isnan(x)).astype(np.float64) @ member / np.maximum(member.sum(axis=0), 1)
    return np.where((share >= plan.threshold) & (share > 0), out, np.nan)


def level_inputs(columns: list[FloatArray], plan: LevelPlan) -> FloatArray:
    """The inputs of `plan` from the columns built so far: the last level's, or gathered (unbalanced)."""
    if plan.balanced:
        return columns[-1]
    return np.concatenate(columns, axis=-1)[..., list(plan.inputs)]


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

    `weights[k]` holds the weights of the inputs of `plans[k]`, shaped (..., n_inputs).
    With `zeros == "error"` non-positive inputs of power means give NaN (the step reports them).
    """
    columns = [x]
    for plan, w in zip(plans, weights, strict=True):
        current = level_inputs(columns, plan)
        if zeros == "shift":
            current = shift_nonpositive(current, plan, shift_to)
        columns.append(aggregate_level(current, np.asarray(w, dtype=np.float64), plan))
    return np.concatenate(columns, axis=-1)


def plans(hierarchy: Hierarchy, params: Params) -> list[LevelPlan]:
    out = []
    position = {c: k for k, c in enumerate(hierarchy.all_codes)}
    options = AcrossUnits(
        params.penalty, dict(params.references), params.shares, params.sample, params.replicates, params.seed
    )
    for level in range(2, hierarchy.n_levels + 1):
        lev = params.levels.get(level, NodeSpec())
        methods, ps, thresholds = [], [], []
        for code in hierarchy.codes(level):
            node = params.nodes.get(code, NodeSpec())
            methods.append(node.method or lev.method or params.method)
            ps.append(next(v for v in (node.p, lev.p, params.p) if v is not None))
            thresholds.append(next(v for v in (node.threshold, lev.threshold, params.threshold) if v is not None))
        inputs = hierarchy.inputs(level)
        out.append(
            LevelPlan(
                level,
                hierarchy.membership(level),
                tuple(methods),
                tuple(ps),
                np.array(thresholds, dtype=float),
                inputs=tuple(position[c] for c in inputs),
                balanced=hierarchy.is_balanced(level),
                input_codes=tuple(inputs),
                options=options,
            )
        )
    return out


BOD_METHODS: frozenset[str] = frozenset({"bod", "robust_bod"})


def _check_signs(
    x: FloatArray, plan: LevelPlan, hierarchy: Hierarchy, units: list[str], methods: frozenset[str], strict: bool
) -> None:
    """Refuse inputs <= 0 (strict: power means) or < 0 (BoD weighs non-negative achievements)."""
    children = hierarchy.inputs(plan.level)
    problems = []
    for j, (method, parent) in enumerate(zip(plan.methods, hierarchy.codes(plan.level), strict=True)):
        if method not in methods:
            continue
        kids = np.flatnonzero(plan.membership[:, j])
        bad = np.argwhere(x[:, kids] <= 0 if strict else x[:, kids] < 0)
        if bad.size:
            r, c = bad[0]
            remedy = "or set zeros: shift" if strict else "(BoD weighs non-negative achievements)"
            what = (
                f"{method} mean of {parent!r} needs positive"
                if strict
                else f"{method} of {parent!r} needs non-negative"
            )
            problems.append(
                error(
                    "nonpositive-value",
                    f"{what} values but {children[kids[c]]} of unit {units[r]} is {x[r, kids[c]]:g} "
                    f"({len(bad)} such values); "
                    f"normalise to a positive range (e.g. [1, 100]) {remedy}",
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
    msgs += [f"references.{c}: no code {c!r} in the framework" for c in params.references if c not in hierarchy]
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
    level_weights = [h.input_weights(p.level, weights) for p in level_plans]
    columns = [x]
    details: dict[str, dict[str, Any]] = {}
    for plan, w in zip(level_plans, level_weights, strict=True):
        current = level_inputs(columns, plan)
        _check_signs(current, plan, h, index.units, BOD_METHODS, strict=False)
        if params.zeros == "error":  # check each level's input as it is produced, to name the first offender
            _check_signs(current, plan, h, index.units, POWER_MEANS, strict=True)
        else:
            current = shift_nonpositive(current, plan, params.shift_to)
        extras: dict[int, dict[str, Any]] = {}
        columns.append(aggregate_level(current, w, plan, extras))
        parents = h.codes(plan.level)
        details.update({parents[j]: extra for j, extra in extras.items() if extra})
    values = np.concatenate(columns, axis=-1)
    missing = {
        code: int(np.isnan(values[:, k]).sum())
        for k, code in enumerate(h.all_codes)
        if k >= len(h.indicators) and np.isnan(values[:, k]).any()
    }
    summary: dict[str, Any] = {"methods": {p.level: sorted(set(p.methods)) for p in level_plans}}
    if missing:
        summary["missing_aggregates"] = missing
    intervals = {
        code: {
            u: [round(float(a), 6), round(float(b), 6)]
            for u, a, b in zip(index.units, *extra["interval"], strict=True)
            if not np.isnan(a)
        }
        for code, extra in details.items()
        if "interval" in extra
    }
    if intervals:
        summary["bootstrap_intervals"] = intervals  # robust_bod: 2.5th-97.5th percentile per unit
    return index.with_step(StepRecord("aggregate", params.model_dump(), AGGREGATED, summary), values)
