"""Uncertain assumptions as the engine uses them: a unit-interval sample -> parameter overrides per step.

One assumption is one dimension of the sample. Often a choice is a method *with* its parameters
(min-max to [1, 100] against z-score with mean 10 and sd 2), so configuration entries that share a
`name` are linked: they must all be discrete with as many alternatives, and alternative i of each is
used together. An alternative that is a mapping likewise sets several parameters of its step.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import ValidationError

from citykpi.index.config import STEP_PARAMS, IndexConfig
from citykpi.index.sensitivity.sampling import FloatArray, IntArray, to_choice_index, to_range
from citykpi.model.diagnostics import Diagnostic, error
from citykpi.model.errors import DiagnosticError

Overrides = dict[str, dict[str, Any]]
Target = tuple[str, str]  # (step, param)


@dataclass(frozen=True)
class Assumption:
    """`values[i]` holds alternative i: one value per (step, param) of `targets`; or a continuous `range`."""

    label: str
    targets: tuple[Target, ...]
    values: tuple[tuple[Any, ...], ...] | None = None
    range: tuple[float, float] | None = None

    @classmethod
    def discrete(cls, label: str, step: str, param: str, values: Sequence[Any]) -> Assumption:
        return cls(label, ((step, param),), values=tuple((v,) for v in values))

    @classmethod
    def continuous(cls, label: str, step: str, param: str, low: float, high: float) -> Assumption:
        return cls(label, ((step, param),), range=(low, high))

    def choices(self, u: FloatArray) -> list[tuple[Any, ...]]:
        """The value of each target for unit-interval samples `u`."""
        if self.values is not None:
            return [self.values[i] for i in to_choice_index(u, len(self.values))]
        assert self.range is not None  # one of values/range, checked by the configuration
        return [(float(v),) for v in to_range(u, *self.range)]

    def describe(self, choice: tuple[Any, ...]) -> Any:
        """How a run's choice appears in the runs table: the bare value when there is one target."""
        if len(self.targets) == 1:
            return choice[0]
        return "; ".join(f"{step}.{param}={v}" for (step, param), v in zip(self.targets, choice, strict=True))


def _apply(over: Overrides, targets: Sequence[Target], choice: Sequence[Any]) -> None:
    """Merge one choice into `over`: a mapping value sets several parameters of its step."""
    for (step, param), value in zip(targets, choice, strict=True):
        params = over.setdefault(step, {})
        if isinstance(value, Mapping):
            params.update(value)
        else:
            params[param] = value


def _joint_problems(config: IndexConfig, assumption: Assumption, first_entry: int) -> list[Diagnostic]:
    """Linked or mapping alternatives are validated together against the nominal step parameters."""
    problems: list[Diagnostic] = []
    for i, choice in enumerate(assumption.values or ()):
        over: Overrides = {}
        _apply(over, assumption.targets, choice)
        for step, params in over.items():
            pos = config.step_index(step)
            if pos is None:
                continue  # reported by the configuration already
            try:
                STEP_PARAMS[step].model_validate({**config.steps[pos].model_dump(), **params})
            except ValidationError as exc:
                msg = "; ".join(e["msg"] for e in exc.errors())
                problems.append(
                    error(
                        "invalid-uncertainty",
                        f"alternative {i + 1} of {assumption.label!r} ({assumption.describe(choice)}) is not valid "
                        f"for step {step!r}: {msg}",
                        field=f"uncertainty[{first_entry}]",
                    )
                )
    return problems


def from_config(config: IndexConfig) -> list[Assumption]:
    """Assumptions in declaration order; entries sharing a name are linked into one."""
    grouped: dict[str, list[int]] = {}
    for i, u in enumerate(config.uncertainty):
        grouped.setdefault(u.label, []).append(i)
    out: list[Assumption] = []
    problems: list[Diagnostic] = []
    for label, members in grouped.items():
        entries = [config.uncertainty[i] for i in members]
        if len(entries) == 1:
            u = entries[0]
            if u.values is not None:
                out.append(Assumption.discrete(label, u.step, u.param, u.values))
                if any(isinstance(v, Mapping) for v in u.values):
                    problems += _joint_problems(config, out[-1], members[0])
            else:
                lo, hi = u.range or (0.0, 0.0)
                out.append(Assumption.continuous(label, u.step, u.param, float(lo), float(hi)))
            continue
        lengths = {len(u.values) if u.values is not None else -1 for u in entries}
        if -1 in lengths or len(lengths) != 1:
            problems.append(
                error(
                    "invalid-uncertainty",
                    f"entries named {label!r} are linked: each needs 'values' with the same number of alternatives",
                    field=f"uncertainty[{members[1]}]",
                )
            )
            continue
        columns = [u.values or [] for u in entries]
        out.append(
            Assumption(label, tuple((u.step, u.param) for u in entries), values=tuple(zip(*columns, strict=True)))
        )
        problems += _joint_problems(config, out[-1], members[0])
    if problems:
        raise DiagnosticError(problems)
    return out


def _checked(assumptions: Sequence[Assumption], u: FloatArray) -> FloatArray:
    u = np.atleast_2d(np.asarray(u, dtype=np.float64))
    if u.shape[1] != len(assumptions):
        raise ValueError(f"samples have {u.shape[1]} columns for {len(assumptions)} assumptions")
    return u


def _codes(a: Assumption, u: FloatArray) -> FloatArray:
    """Per run: the alternative chosen (discrete) or the value drawn (continuous)."""
    if a.values is None:
        assert a.range is not None  # one of values/range, checked by the configuration
        return to_range(u, *a.range)
    return to_choice_index(u, len(a.values)).astype(np.float64)


def distinct(assumptions: Sequence[Assumption], u: FloatArray) -> tuple[IntArray, IntArray]:
    """Runs making the same choice for every assumption are the same replication: one sample row
    for each distinct replication, and for each run the position of its replication among them."""
    u = _checked(assumptions, u)
    codes = np.column_stack([_codes(a, u[:, i]) for i, a in enumerate(assumptions)])
    _, first, inverse = np.unique(codes, axis=0, return_index=True, return_inverse=True)
    return first, inverse.reshape(-1)


def run_overrides(assumptions: Sequence[Assumption], u: FloatArray) -> list[Overrides]:
    """Per replication: the step overrides its samples `u` (runs, assumptions) choose.

    Runs making the same choices for a step's assumptions share that step's override dict (read
    only), so the engine keys each distinct one once.
    """
    u = _checked(assumptions, u)
    codes = [_codes(a, u[:, i]) for i, a in enumerate(assumptions)]
    columns = [a.choices(u[:, i]) for i, a in enumerate(assumptions)]
    by_step: dict[str, list[int]] = {}
    for i, a in enumerate(assumptions):
        for step, _ in a.targets:
            by_step.setdefault(step, [])
            if i not in by_step[step]:
                by_step[step].append(i)
    shared: dict[tuple[str, tuple[float, ...]], dict[str, Any]] = {}
    runs: list[Overrides] = []
    for r in range(u.shape[0]):
        over: Overrides = {}
        for step, members in by_step.items():
            key = (step, tuple(codes[i][r] for i in members))
            if key not in shared:
                part: Overrides = {}
                for i in members:
                    targets = [(s, p) for s, p in assumptions[i].targets if s == step]
                    values = [v for (s, _), v in zip(assumptions[i].targets, columns[i][r], strict=True) if s == step]
                    _apply(part, targets, values)
                shared[key] = part[step]
            over[step] = shared[key]
        runs.append(over)
    return runs


def _labels(a: Assumption, u: FloatArray) -> list[Any]:
    """Each run's choice as the runs table shows it (described once per discrete alternative)."""
    if a.values is None:
        return [c[0] for c in a.choices(u)]
    labels = [a.describe(c) for c in a.values]
    return [labels[k] for k in to_choice_index(u, len(a.values))]


def parameter_table(assumptions: Sequence[Assumption], u: FloatArray) -> list[dict[str, Any]]:
    """Per run: each assumption's choice, by label (the runs table)."""
    u = _checked(assumptions, u)
    names = [a.label for a in assumptions]
    columns = [_labels(a, u[:, i]) for i, a in enumerate(assumptions)]
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


def overrides(assumptions: Sequence[Assumption], u: FloatArray) -> tuple[list[Overrides], list[dict[str, Any]]]:
    """Per replication: the step overrides, and each assumption's choice (for the runs table)."""
    return run_overrides(assumptions, u), parameter_table(assumptions, u)
