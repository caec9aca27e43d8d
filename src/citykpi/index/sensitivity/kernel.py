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

import numpy as np

from citykpi.index import aggregate
from citykpi.index.model import FloatArray

LINEAR_IN_WEIGHTS = frozenset({"arithmetic"}) | aggregate.POWER_MEANS


@dataclass(frozen=True)
class Batch:
    """Target scores (R, units) and which replications the aggregate step would refuse (R,)."""

    scores: FloatArray
    refused: np.ndarray


def _level(x: FloatArray, w: FloatArray, plan: aggregate.LevelPlan) -> FloatArray:
    """Parents of `plan.level` (R, units, parents) from children `x`, shared (units, children) or
    per replication (R, units, children), with weights `w` (R, children).

    Each parent's sums run over its own children only, one child at a time into (R, units)
    accumulators: no product with the mostly-zero membership matrix, no replications x units x
    children temporary, and, unlike BLAS, the same bits whatever the number of replications in
    the batch (so a study gives the same scores on one process or over workers).
    """
    if not set(plan.methods) <= LINEAR_IN_WEIGHTS:
        return aggregate.aggregate_level(np.broadcast_to(x, (w.shape[0], *x.shape[-2:])), w, plan)
    missing = np.isnan(x)
    out = np.empty((w.shape[0], x.shape[-2], plan.membership.shape[1]))
    terms: dict[tuple[str, float], FloatArray] = {}
    present = np.moveaxis(~missing, -1, 0)  # children first: each child's values are contiguous
    for j, key in enumerate(zip(plan.methods, plan.p, strict=True)):
        if key not in terms:
            with np.errstate(invalid="ignore"):
                terms[key] = np.ascontiguousarray(np.moveaxis(aggregate.power_terms(x, *key), -1, 0))
        kids = np.flatnonzero(plan.membership[:, j])
        num, den = _weighted_sums(terms[key], present, w, kids, bool(missing[..., kids].any()))
        out[..., j] = aggregate.power_finish(num, den, *key)
    member_count = plan.membership.sum(axis=0)
    if missing.any():
        share = (~missing).astype(np.float64) @ plan.membership / np.maximum(member_count, 1)
    else:  # every child present: the share is 1 wherever a parent has children
        share = (member_count > 0).astype(np.float64)
    return np.where((share >= plan.threshold) & (share > 0), out, np.nan)


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


def _nonpositive_inputs(values: FloatArray, plan: aggregate.LevelPlan) -> np.ndarray:
    """Per leading index: does a power-mean node of `plan` meet a child <= 0 (the step would raise)."""
    power = [j for j, m in enumerate(plan.methods) if m in aggregate.POWER_MEANS]
    if not power:
        return np.zeros(values.shape[:-2], dtype=bool)
    kids = np.flatnonzero(plan.membership[:, power].any(axis=1))
    return np.asarray((values[..., kids] <= 0).any(axis=(-2, -1)))


def _gathered(columns: list[FloatArray], plan: aggregate.LevelPlan, n_runs: int) -> FloatArray:
    """The inputs of a level of an unbalanced tree, from every column built so far (R, units, inputs)."""
    full = [np.broadcast_to(c, (n_runs, *c.shape[-2:])) for c in columns]
    return np.concatenate(full, axis=-1)[..., list(plan.inputs)]


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
    columns: list[FloatArray] = [x]
    for plan, w in zip(plans, weights, strict=True):
        current = columns[-1] if plan.balanced else _gathered(columns, plan, n_runs)
        if zeros == "shift":
            current = aggregate.shift_nonpositive(current, plan, shift_to)
        else:
            refused |= _nonpositive_inputs(current, plan)
        current = _level(current, w, plan)
        columns.append(current)
        width = plan.membership.shape[1]
        if target < offset + width:
            return Batch(np.ascontiguousarray(current[..., target - offset]), refused)
        offset += width
    raise IndexError(f"target column {target} is beyond the {offset} columns of the hierarchy")
