"""Uncertain assumptions as the engine uses them: a unit-interval sample -> parameter overrides per step.

A discrete alternative that is a mapping sets several parameters of the step at once (e.g.
`{method: zscore, mean: 10, sd: 2}` against `{method: minmax, range: [1, 100]}`), because one
normalisation choice is often a method *with* its parameters, not one parameter alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from citykpi.index.config import IndexConfig
from citykpi.index.sensitivity.sampling import FloatArray, to_choice_index, to_range

Overrides = dict[str, dict[str, Any]]


@dataclass(frozen=True)
class Assumption:
    label: str
    step: str
    param: str
    values: tuple[Any, ...] | None = None
    range: tuple[float, float] | None = None

    def sample(self, u: FloatArray) -> list[Any]:
        """Parameter values for unit-interval samples `u`."""
        if self.values is not None:
            return [self.values[i] for i in to_choice_index(u, len(self.values))]
        assert self.range is not None  # validated by the configuration: exactly one of values/range
        return [float(v) for v in to_range(u, *self.range)]


def from_config(config: IndexConfig) -> list[Assumption]:
    return [
        Assumption(
            label=u.label,
            step=u.step,
            param=u.param,
            values=None if u.values is None else tuple(u.values),
            range=None if u.range is None else (float(u.range[0]), float(u.range[1])),
        )
        for u in config.uncertainty
    ]


def overrides(assumptions: Sequence[Assumption], u: FloatArray) -> tuple[list[Overrides], list[dict[str, Any]]]:
    """Per replication: the step overrides, and the sampled value of each assumption (for the run table)."""
    u = np.atleast_2d(np.asarray(u, dtype=np.float64))
    if u.shape[1] != len(assumptions):
        raise ValueError(f"samples have {u.shape[1]} columns for {len(assumptions)} assumptions")
    columns = [a.sample(u[:, i]) for i, a in enumerate(assumptions)]
    runs: list[Overrides] = []
    table: list[dict[str, Any]] = []
    for r in range(u.shape[0]):
        over: Overrides = {}
        row: dict[str, Any] = {}
        for a, col in zip(assumptions, columns, strict=True):
            value = col[r]
            step = over.setdefault(a.step, {})
            if isinstance(value, Mapping):
                step.update(value)
            else:
                step[a.param] = value
            row[a.label] = value
        runs.append(over)
        table.append(row)
    return runs, table
