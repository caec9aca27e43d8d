"""One dataset aggregated under many weight sets at once, as far as the target column only.

The pipeline's kernel (`aggregate.aggregate_array`) takes a leading replication axis on data and
weights alike and returns every column of every level. In a study the indicators of a group are
the same for all its replications and only the target is read. So here a power mean is a
weighted sum over each parent's own children, the first level's terms shared by the batch: no
(R, units, indicators) copy of the data, and the levels above the target are not computed.
Other methods (median, Copeland) take the pipeline's path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from citykpi.index import aggregate
from citykpi.index.model import FloatArray

LINEAR_IN_WEIGHTS = frozenset({"arithmetic"}) | aggregate.POWER_MEANS


@dataclass(frozen=True)
class Batch:
    """Target scores (R, units) and which replications the aggregate step would refuse (R,)."""

    scores: FloatArray
    refused: np.ndarray


def _units_last(x: FloatArray, n_runs: int) -> FloatArray:
    """Children-first values (children, [R,] units) as the pipeline's layout (R, units, children)."""
    if x.ndim == 2:
        return np.broadcast_to(x.T, (n_runs, x.shape[1], x.shape[0]))
    return np.moveaxis(x, 0, -1)


def _level(x: FloatArray, w: FloatArray, plan: aggregate.LevelPlan) -> FloatArray:
    """Parents of `plan.level`, children first (parents, R, units), from children `x` laid out
    children first too, shared by the batch (children, units) or per replication (children, R,
    units), with weights `w` (R, children).

    Each parent's sums run over its own children only, one child at a time into (R, units)
    accumulators: no product with the mostly-zero membership matrix, no transposes between
    levels, and, unlike BLAS, the same bits whatever the number of replications in the batch (so a
    study gives the same scores on one process or over workers).
    """
    n_runs = w.shape[0]
    if not set(plan.methods) <= LINEAR_IN_WEIGHTS:
        parents = aggregate.aggregate_level(_units_last(x, n_runs), w, plan)
        return np.ascontiguousarray(np.moveaxis(parents, -1, 0))
    present: np.ndarray = np.asarray(~np.isnan(x))
    gaps: np.ndarray = np.asarray(~present.reshape(x.shape[0], -1).all(axis=1))  # per child: any value missing
    out = np.empty((plan.membership.shape[1], n_runs, x.shape[-1]))
    terms: dict[tuple[str, float], FloatArray] = {}
    for j, key in enumerate(zip(plan.methods, plan.p, strict=True)):
        if key not in terms:
            with np.errstate(invalid="ignore"):
                terms[key] = aggregate.power_terms(x, *key)
        kids = np.flatnonzero(plan.membership[:, j])
        num, den = _weighted_sums(terms[key], present, w, kids, bool(gaps[kids].any()))
        out[j] = aggregate.power_finish(num, den, *key)
        if kids.size == 0:
            out[j] = np.nan
        elif gaps[kids].any():  # the share of children present must reach the threshold
            share = sum(present[c].astype(np.float64) for c in kids) / kids.size
            out[j] = np.where((share >= plan.threshold[j]) & (share > 0), out[j], np.nan)
    return out


def _weighted_sums(
    terms: FloatArray, present: np.ndarray, w: FloatArray, kids: np.ndarray, gaps: bool
) -> tuple[FloatArray, FloatArray]:
    """Sum over `kids` of w * terms and of w * present, child by child into (R, units) accumulators."""
    shape = (w.shape[0], terms.shape[-1])
    num, den, tmp = np.zeros(shape), np.zeros(shape), np.empty(shape)
    with np.errstate(invalid="ignore"):
        for c in kids:
            np.multiply(w[:, c, None], terms[c], out=tmp)
            num += tmp
            if gaps:
                np.multiply(w[:, c, None], present[c], out=tmp)
                den += tmp
    if not gaps:
        den[:] = w[:, kids].sum(axis=-1)[:, None]
    return num, den


def _nonpositive_inputs(values: FloatArray, plan: aggregate.LevelPlan) -> Any:
    """Does a power-mean node of `plan` meet a child <= 0 (the step would raise): one flag for
    shared children (children, units), one per replication for (children, R, units)."""
    power = [j for j, m in enumerate(plan.methods) if m in aggregate.POWER_MEANS]
    if not power:
        return False
    bad = values[np.flatnonzero(plan.membership[:, power].any(axis=1))] <= 0
    return bool(bad.any()) if values.ndim == 2 else bad.any(axis=(0, 2))


def _shifted(values: FloatArray, plan: aggregate.LevelPlan, shift_to: float) -> FloatArray:
    """`aggregate.shift_nonpositive` on children-first values."""
    units_last = np.moveaxis(values, 0, -1)
    return np.ascontiguousarray(np.moveaxis(aggregate.shift_nonpositive(units_last, plan, shift_to), -1, 0))


def _gathered(columns: list[FloatArray], plan: aggregate.LevelPlan, n_runs: int) -> FloatArray:
    """The inputs of a level of an unbalanced tree, children first (inputs, R, units), from every
    column built so far."""
    full = [np.broadcast_to(c[:, None, :] if c.ndim == 2 else c, (c.shape[0], n_runs, c.shape[-1])) for c in columns]
    return np.concatenate(full, axis=0)[list(plan.inputs)]


def target_scores(
    x: FloatArray,
    plans: Sequence[aggregate.LevelPlan],
    weights: Sequence[FloatArray],
    target: int,
    zeros: str = "error",
    shift_to: float = 1.0,
) -> Batch:
    """Column `target` (index into all codes, level by level) of `x` (units, indicators) aggregated
    with `weights[k]` (R, inputs of `plans[k]`) for each of R replications."""
    n_runs = weights[0].shape[0] if weights else 1
    refused = np.zeros(n_runs, dtype=bool)
    if target < x.shape[1]:
        return Batch(np.broadcast_to(x[:, target], (n_runs, x.shape[0])).copy(), refused)
    offset = x.shape[1]
    columns: list[FloatArray] = [np.ascontiguousarray(x.T)]  # children first from here on
    for plan, w in zip(plans, weights, strict=True):
        current = columns[-1] if plan.balanced else _gathered(columns, plan, n_runs)
        if zeros == "shift":
            current = _shifted(current, plan, shift_to)
        else:
            refused |= _nonpositive_inputs(current, plan)
        current = _level(current, w, plan)
        columns.append(current)
        width = plan.membership.shape[1]
        if target < offset + width:
            return Batch(np.ascontiguousarray(current[target - offset]), refused)
        offset += width
    raise IndexError(f"target column {target} is beyond the {offset} columns of the hierarchy")
