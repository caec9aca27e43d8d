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
from citykpi.index.config import STEP_PARAMS
from citykpi.index.model import FloatArray, Hierarchy, Index, StepRecord
from citykpi.index.pipeline import apply
from citykpi.index.sensitivity import kernel
from citykpi.index.sensitivity.assumptions import Overrides
from citykpi.index.targets import target_column
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
    _param_memo: dict[tuple[int, str | None], Any] = field(default_factory=dict, repr=False)
    _noise_base: dict[tuple[tuple[str, str], ...], tuple[dict[str, float], list[str], FloatArray]] = field(
        default_factory=dict, repr=False
    )
    _level_codes: dict[int, tuple[Hierarchy, list[tuple[list[str], list[float]]]]] = field(
        default_factory=dict, repr=False
    )
    _column_memo: dict[int, tuple[Index, np.ndarray]] = field(default_factory=dict, repr=False)
    _vector_memo: dict[tuple[int, int], tuple[Hierarchy, dict[str, float], list[FloatArray]]] = field(
        default_factory=dict, repr=False
    )

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
        # the steps whose overrides make a data state (weights do not: they never split a group)
        self._data_steps = [None if r.step == WEIGHTS_STEP else r.step for r in self._records[: self._agg]]
        self._weights_pos = next((i for i, r in enumerate(self._records[: self._agg]) if r.step == WEIGHTS_STEP), None)

    # -- data states ---------------------------------------------------------------------------
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

    def _validated(self, pos: int, frozen: str | None) -> Any:
        """The parameters of step `pos` with a (frozen) override, validated once per distinct override."""
        if (pos, frozen) not in self._param_memo:
            override = None if frozen is None else json.loads(frozen)
            self._param_memo[(pos, frozen)] = self._params(self._records[pos], override)
        return self._param_memo[(pos, frozen)]

    def _weight_set(self, key: Key, w_over: str | None, agg: aggregate.Params) -> dict[str, float]:
        """The weights a replication aggregates with (`w_over`: its frozen weights override); computed
        once per distinct weights input."""
        if agg.weights is not None:
            return self._state(key).weight_sets[agg.weights]
        if w_over is None or self._weights_pos is None:
            return self._state(key).weights
        pos = self._weights_pos
        params = self._validated(pos, w_over)
        # metadata, named-set and equal weights (with or without noise) do not read the data, so the
        # data state upstream does not change them: one computation serves every data variant.
        data_free = params.method in DATA_FREE_WEIGHTS
        cache_key = (() if data_free else key[:pos], w_over)
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
        base_key = tuple((k, repr(v)) for k, v in params.__dict__.items() if k not in ("noise", "seed"))
        if base_key not in self._noise_base:
            noiseless = apply(self._nominal_states[pos], params.model_copy(update={"noise": 0.0})).weights
            h = self.nominal.hierarchy
            codes = [c for lev in params.noise_levels or range(1, h.n_levels + 1) for c in h.codes(lev)]
            self._noise_base[base_key] = (noiseless, codes, np.array([noiseless[c] for c in codes]))
        base, codes, vector = self._noise_base[base_key]
        drawn = weights.noisy(vector, params.noise, np.random.default_rng(params.seed))
        return {**base, **dict(zip(codes, drawn.tolist(), strict=True))}

    # -- evaluation ----------------------------------------------------------------------------
    def evaluate(self, runs: Sequence[Overrides], counts: Sequence[int] | None = None) -> FloatArray:
        """Target scores (len(runs), nominal units); units absent from a replication are NaN.

        `counts[r]` is how many runs of the study run `r` stands for (identical runs are evaluated
        once): failures are counted in runs of the study.
        """
        weight = np.ones(len(runs), dtype=np.int64) if counts is None else np.asarray(counts, dtype=np.int64)
        out = np.full((len(runs), len(self.nominal.units)), np.nan)
        groups: dict[tuple[Key, str | None], list[int]] = {}
        frozen_weights: list[str | None] = []
        by_id: dict[int, str | None] = {}  # runs share their steps' override dicts: freeze each once
        for r, over in enumerate(runs):
            frozen = {}
            for step, params in over.items():
                if id(params) not in by_id:
                    by_id[id(params)] = _freeze(params)
                frozen[step] = by_id[id(params)]
            key = tuple(None if step is None else frozen.get(step) for step in self._data_steps)
            groups.setdefault((key, frozen.get("aggregate")), []).append(r)
            frozen_weights.append(frozen.get(WEIGHTS_STEP))
        for (key, agg_key), members in groups.items():
            try:
                agg = self._validated(self._agg, agg_key)
                state = self._state(key)
                batch = self._aggregate(state, agg, [self._weight_set(key, frozen_weights[r], agg) for r in members])
            except DiagnosticError as exc:  # the pipeline refuses these parameters: the runs fail, the study goes on
                self._fail(exc.diagnostics[0].message, int(weight[members].sum()))
                continue
            if batch.refused.any():
                self._fail(REFUSED_POWER_MEAN, int(weight[members][batch.refused].sum()))
            cols = self._columns(state)
            ok = cols >= 0
            out[np.ix_(np.asarray(members), cols[ok])] = batch.scores[:, ok]
        return out

    def _columns(self, state: Index) -> np.ndarray:
        """Where each row of `state` sits among the nominal rows (-1: not there); once per state."""
        if id(state) not in self._column_memo:  # the memo holds the state, so its id stays its own
            cols = np.array([self._row_pos.get(row, -1) for row in _rows(state)], dtype=np.intp)
            self._column_memo[id(state)] = (state, cols)
        return self._column_memo[id(state)][1]

    def nominal_aggregation(self) -> tuple[Index, aggregate.Params]:
        """The state the nominal aggregate step read, and that step's parameters."""
        return self._nominal_states[self._agg], self._params(self._records[self._agg], None)

    def aggregate_with(self, state: Index, agg: aggregate.Params, weight_sets: list[dict[str, float]]) -> FloatArray:
        """Target scores (len(weight_sets), units of `state`); NaN where the aggregate step would refuse."""
        return self._aggregate(state, agg, weight_sets).scores

    def _vectors(self, h: Hierarchy, ws: dict[str, float]) -> list[FloatArray]:
        """`h.input_weights(level, ws)` for each level; weight sets repeat across calls, so each is
        converted once, and each hierarchy's input codes and default weights are listed once."""
        key = (id(h), id(ws))
        if key not in self._vector_memo:  # the memos hold h and ws, so their ids stay theirs
            if id(h) not in self._level_codes:
                levels = [h.inputs(level) for level in range(2, h.n_levels + 1)]
                self._level_codes[id(h)] = (h, [(codes, [h.weight(c) for c in codes]) for codes in levels])
            vectors = [
                np.array([ws.get(c, d) for c, d in zip(codes, defaults, strict=True)], dtype=np.float64)
                for codes, defaults in self._level_codes[id(h)][1]
            ]
            self._vector_memo[key] = (h, ws, vectors)
        return self._vector_memo[key][2]

    def _aggregate(self, state: Index, agg: aggregate.Params, weight_sets: list[dict[str, float]]) -> kernel.Batch:
        """One batched aggregation per memory-sized chunk of weight sets."""
        h = state.hierarchy
        plans = aggregate.plans(h, agg)
        x = state.dataset(agg.dataset)
        t = h.all_codes.index(str(self.target))
        batch = max(1, _BATCH_ELEMENTS // max(1, x.shape[0] * len(h.all_codes)))
        scores = np.empty((len(weight_sets), x.shape[0]))
        refused = np.zeros(len(weight_sets), dtype=bool)
        vectors = [self._vectors(h, ws) for ws in weight_sets]
        for start in range(0, len(weight_sets), batch):
            chunk = vectors[start : start + batch]
            w = [np.stack([v[k] for v in chunk]) for k in range(len(plans))]
            part = kernel.target_scores(x, plans, w, t, agg.zeros, agg.shift_to)
            scores[start : start + len(chunk)] = np.where(part.refused[:, None], np.nan, part.scores)
            refused[start : start + len(chunk)] = part.refused
        return kernel.Batch(scores, refused)
