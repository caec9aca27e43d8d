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
from citykpi.index.sensitivity.sampling import FloatArray, to_choice_index, to_range
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


def _described(a: Assumption, u: FloatArray) -> tuple[list[tuple[Any, ...]], list[Any]]:
    """Each run's choice and its runs-table description (described once per discrete alternative)."""
    if a.values is None:
        chosen = a.choices(u)
        return chosen, [c[0] for c in chosen]
    idx = to_choice_index(u, len(a.values))
    labels = [a.describe(c) for c in a.values]
    return [a.values[k] for k in idx], [labels[k] for k in idx]


def overrides(assumptions: Sequence[Assumption], u: FloatArray) -> tuple[list[Overrides], list[dict[str, Any]]]:
    """Per replication: the step overrides, and each assumption's choice (for the runs table)."""
    u = np.atleast_2d(np.asarray(u, dtype=np.float64))
    if u.shape[1] != len(assumptions):
        raise ValueError(f"samples have {u.shape[1]} columns for {len(assumptions)} assumptions")
    columns = [_described(a, u[:, i]) for i, a in enumerate(assumptions)]
    runs: list[Overrides] = []
    table: list[dict[str, Any]] = []
    for r in range(u.shape[0]):
        over: Overrides = {}
        for a, (chosen, _) in zip(assumptions, columns, strict=True):
            _apply(over, a.targets, chosen[r])
        runs.append(over)
        table.append({a.label: labels[r] for a, (_, labels) in zip(assumptions, columns, strict=True)})
    return runs, table
