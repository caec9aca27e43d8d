"""Evaluate many replications of a pipeline as a few array computations.

A replication is the nominal pipeline with some step parameters overridden. Replications are
grouped by the parameters of the *data* steps (everything before aggregation except weights):
each distinct data state is computed once, from the first step that differs from the nominal
build, and memoised as a prefix tree (5 winmax alternatives -> 5 treated datasets, each shared by
every normalisation alternative downstream). Weight vectors are computed per distinct weights
parameters; they do not split a group. Aggregation - every level, every replication of a group -
is then one batched call of the aggregation kernel with a leading replication axis.

A replication the pipeline would refuse (e.g. a geometric mean meeting a zero with `zeros: error`)
yields NaN scores, as a failed regeneration does in the reference, and is counted.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pydantic import ValidationError

from citykpi.index import aggregate, weights
from citykpi.index.analysis.targets import target_column
from citykpi.index.config import STEP_PARAMS
from citykpi.index.model import FloatArray, Index, StepRecord
from citykpi.index.pipeline import apply
from citykpi.index.sensitivity.assumptions import Overrides
from citykpi.model.diagnostics import error
from citykpi.model.errors import DiagnosticError

WEIGHTS_STEP = "weights"
DATA_FREE_WEIGHTS = frozenset({"metadata", "set", "equal"})
REFUSED_POWER_MEAN = "a geometric/harmonic/generalised mean met a value <= 0 (aggregate zeros: error)"
# Elements (floats) one batched aggregation call may hold; bounds memory whatever the run count.
_BATCH_ELEMENTS = 16_000_000

Key = tuple[str | None, ...]


def _rows(index: Index) -> list[tuple[str, float | None]]:
    """Identity of each row: the unit, and the time point for panel data (a unit repeats across years)."""
    time = index.data.time
    return [(u, None if time is None else float(time[i])) for i, u in enumerate(index.units)]


def _freeze(over: dict[str, Any] | None) -> str | None:
    return None if not over else json.dumps(over, sort_keys=True, default=str)


@dataclass
class Replicator:
    """Evaluates replications of `nominal`; `target` is the code whose scores are returned."""

    nominal: Index
    target: str | None = None
    states_built: int = 0
    failures: dict[str, int] = field(default_factory=dict)  # reason -> number of runs
    _states: dict[Key, Index] = field(default_factory=dict, repr=False)
    _broken: dict[Key, DiagnosticError] = field(default_factory=dict, repr=False)
    _weights: dict[tuple[Key, str | None], dict[str, float]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.target, _ = target_column(self.nominal, self.target)
        steps = [r.step for r in self.nominal.log]
        if "aggregate" not in steps:
            raise DiagnosticError(
                [error("missing-step", "uncertainty analysis needs an aggregate step", field="steps")]
            )
        self._agg = len(steps) - 1 - steps[::-1].index("aggregate")
        if self._agg != len(steps) - 1:
            raise DiagnosticError(
                [
                    error(
                        "unsupported-pipeline",
                        f"steps after the last aggregate ({steps[self._agg + 1 :]}) cannot be replicated",
                        field="steps",
                    )
                ]
            )
        chain: list[Index] = [self.nominal]
        while chain[-1].previous is not None:
            chain.append(chain[-1].previous)
        chain.reverse()  # chain[k] = state after the first k steps
        self._nominal_states = chain
        self._records: tuple[StepRecord, ...] = self.nominal.log
        self._row_pos = {row: i for i, row in enumerate(_rows(self.nominal))}

    # -- data states ---------------------------------------------------------------------------
    def _data_key(self, over: Overrides) -> Key:
        return tuple(None if r.step == WEIGHTS_STEP else _freeze(over.get(r.step)) for r in self._records[: self._agg])

    @property
    def failed(self) -> int:
        return sum(self.failures.values())

    def _fail(self, reason: str, runs: int) -> None:
        self.failures[reason] = self.failures.get(reason, 0) + runs

    def _params(self, record: StepRecord, override: dict[str, Any] | None) -> Any:
        try:
            return STEP_PARAMS[record.step].model_validate({**record.params, **(override or {})})
        except ValidationError as exc:
            msg = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            raise DiagnosticError([error("invalid-override", f"{record.step}: {msg}", field=record.step)]) from None

    def _state(self, key: Key) -> Index:
        """State after len(key) steps with the data-step overrides in `key` (memoised prefix tree)."""
        if all(k is None for k in key):
            return self._nominal_states[len(key)]
        if key in self._states:
            return self._states[key]
        if key in self._broken:
            raise self._broken[key]
        parent = self._state(key[:-1])
        record = self._records[len(key) - 1]
        override = None if key[-1] is None else json.loads(key[-1])
        try:
            state = apply(parent, self._params(record, override))
        except DiagnosticError as exc:
            self._broken[key] = exc
            raise
        self.states_built += 1
        self._states[key] = state
        return state

    def _weight_set(self, key: Key, over: Overrides, agg: aggregate.Params) -> dict[str, float]:
        """The weights a replication aggregates with; computed once per distinct weights input."""
        w_over = over.get(WEIGHTS_STEP)
        if agg.weights is not None:
            return self._state(key).weight_sets[agg.weights]
        if not w_over:
            return self._state(key).weights
        pos = next(i for i, r in enumerate(self._records[: self._agg]) if r.step == WEIGHTS_STEP)
        params = self._params(self._records[pos], w_over)
        # metadata, named-set and equal weights (with or without noise) do not read the data, so the
        # data state upstream does not change them: one computation serves every data variant.
        data_free = params.method in DATA_FREE_WEIGHTS
        cache_key = (() if data_free else key[:pos], _freeze(w_over))
        if cache_key not in self._weights:
            if data_free and params.noise > 0:
                self._weights[cache_key] = self._noisy(pos, params)
            else:
                before = self._nominal_states[pos] if data_free else self._state(key[:pos])
                self._weights[cache_key] = apply(before, params).weights
        return self._weights[cache_key]

    def _noisy(self, pos: int, params: weights.Params) -> dict[str, float]:
        """The weights step's noise on top of its noiseless result, without re-running the step.

        A continuous noise range gives every run its own weight set; the step itself also builds
        its log summary, which would then dominate the run time. Same draws as `weights.run`: one
        generator seeded with `seed`, `weights.noisy` over the codes of `noise_levels` in level order.
        """
        base_key = ((), _freeze({"noiseless": params.model_dump(exclude={"noise", "seed"})}))
        if base_key not in self._weights:
            noiseless = params.model_copy(update={"noise": 0.0})
            self._weights[base_key] = apply(self._nominal_states[pos], noiseless).weights
        base = self._weights[base_key]
        h = self.nominal.hierarchy
        codes = [c for lev in params.noise_levels or range(1, h.n_levels + 1) for c in h.codes(lev)]
        drawn = weights.noisy(np.array([base[c] for c in codes]), params.noise, np.random.default_rng(params.seed))
        return {**base, **dict(zip(codes, drawn.tolist(), strict=True))}

    # -- evaluation ----------------------------------------------------------------------------
    def evaluate(self, runs: Sequence[Overrides]) -> FloatArray:
        """Target scores (len(runs), nominal units); units absent from a replication are NaN."""
        out = np.full((len(runs), len(self.nominal.units)), np.nan)
        groups: dict[tuple[Key, str | None], list[int]] = {}
        for r, over in enumerate(runs):
            groups.setdefault((self._data_key(over), _freeze(over.get("aggregate"))), []).append(r)
        for (key, agg_key), members in groups.items():
            try:
                agg = self._params(self._records[self._agg], None if agg_key is None else json.loads(agg_key))
                state = self._state(key)
                weight_sets = [self._weight_set(key, runs[r], agg) for r in members]
                scores = self.aggregate_with(state, agg, weight_sets)
            except DiagnosticError as exc:  # the pipeline refuses these parameters: the runs fail, the study goes on
                self._fail(exc.diagnostics[0].message, len(members))
                continue
            cols = np.array([self._row_pos.get(row, -1) for row in _rows(state)])
            ok = cols >= 0
            out[np.ix_(np.asarray(members), cols[ok])] = scores[:, ok]
        return out

    def nominal_aggregation(self) -> tuple[Index, aggregate.Params]:
        """The state the nominal aggregate step read, and that step's parameters."""
        return self._nominal_states[self._agg], self._params(self._records[self._agg], None)

    def aggregate_with(self, state: Index, agg: aggregate.Params, weight_sets: list[dict[str, float]]) -> FloatArray:
        """Target scores (len(weight_sets), units of `state`): one batched aggregation per memory-sized chunk."""
        h = state.hierarchy
        plans = aggregate.plans(h, agg)
        x = state.dataset(agg.dataset)
        codes = h.all_codes
        t = codes.index(str(self.target))
        offsets = np.cumsum([0] + [len(h.codes(lev)) for lev in range(1, h.n_levels + 1)])
        batch = max(1, _BATCH_ELEMENTS // max(1, x.shape[0] * len(codes)))
        result = np.empty((len(weight_sets), x.shape[0]))
        vectors: dict[int, list[FloatArray]] = {}  # weight sets repeat: convert each dict once
        for ws in weight_sets:
            if id(ws) not in vectors:
                vectors[id(ws)] = [h.weights(p.level - 1, ws) for p in plans]
        for start in range(0, len(weight_sets), batch):
            chunk = weight_sets[start : start + batch]
            w = [np.stack([vectors[id(ws)][k] for ws in chunk]) for k in range(len(plans))]
            xb = np.broadcast_to(x, (len(chunk), *x.shape))
            full = aggregate.aggregate_array(xb, plans, w, agg.zeros, agg.shift_to)
            bad = self._refused(full, plans, offsets) if agg.zeros == "error" else np.zeros(len(chunk), dtype=bool)
            if bad.any():
                self._fail(REFUSED_POWER_MEAN, int(bad.sum()))
            result[start : start + len(chunk)] = np.where(bad[:, None], np.nan, full[..., t])
        return result

    @staticmethod
    def _refused(full: FloatArray, plans: Sequence[aggregate.LevelPlan], offsets: Any) -> Any:
        """Replications where a power mean meets a non-positive child: the step would raise."""
        bad = np.zeros(full.shape[0], dtype=bool)
        for plan in plans:
            power = [j for j, m in enumerate(plan.methods) if m in aggregate.POWER_MEANS]
            if not power:
                continue
            kids = np.flatnonzero(plan.membership[:, power].any(axis=1)) + offsets[plan.level - 2]
            bad |= (full[..., kids] <= 0).any(axis=(-2, -1))
        return bad
