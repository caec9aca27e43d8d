"""The objects every index step reads and returns: data, framework hierarchy and the whole "coin".

Everything is immutable: a step returns a new `Index` that shares the unchanged arrays with its
predecessor (`previous`), so that keeping every intermediate state costs one dict per step and a
result can be regenerated from any step (see `pipeline.rerun`). Arrays are numpy float64 with NaN
for missing values; units are rows, indicators (or aggregates) are columns.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from citykpi.model.diagnostics import error
from citykpi.model.errors import DiagnosticError

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

RAW = "Raw"
AGGREGATED = "Aggregated"


@dataclass(frozen=True)
class IndexData:
    """The units-by-indicators matrix and what describes its rows.

    Rows are observations: one per unit, or one per unit and time point for panel data (then
    `time` is set and a unit code repeats).
    """

    units: list[str]
    unit_names: list[str]
    groups: dict[str, npt.NDArray[np.object_]]
    time: FloatArray | None
    indicators: list[str]
    values: FloatArray
    denominators: dict[str, FloatArray] = field(default_factory=dict)

    @property
    def n_units(self) -> int:
        return len(self.units)

    def take(self, rows: npt.NDArray[np.intp]) -> IndexData:
        """The same data restricted to `rows` (used by unit screening)."""
        return IndexData(
            units=[self.units[i] for i in rows],
            unit_names=[self.unit_names[i] for i in rows],
            groups={k: v[rows] for k, v in self.groups.items()},
            time=None if self.time is None else self.time[rows],
            indicators=self.indicators,
            values=self.values[rows],
            denominators={k: v[rows] for k, v in self.denominators.items()},
        )


@dataclass(frozen=True)
class Node:
    """One indicator (level 1) or aggregate (level > 1) of the framework."""

    code: str
    name: str
    level: int
    parent: str | None
    weight: float = 1.0
    direction: int = 1
    type: str = "Indicator"
    unit: str = ""
    target: float | None = None
    denominator: str | None = None
    params: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Hierarchy:
    """A framework tree of any depth; level 1 holds the indicators, level L the top aggregate(s).

    Every node's parent sits exactly one level up, so aggregating level l is one matrix product
    of the level l-1 columns with `aggregation_matrix(l)` (children x parents).
    """

    nodes: tuple[Node, ...]

    @cached_property
    def _by_code(self) -> dict[str, Node]:
        return {n.code: n for n in self.nodes}

    @property
    def n_levels(self) -> int:
        return max(n.level for n in self.nodes)

    def node(self, code: str) -> Node:
        return self._by_code[code]

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def codes(self, level: int) -> list[str]:
        return [n.code for n in self.nodes if n.level == level]

    @property
    def indicators(self) -> list[str]:
        return self.codes(1)

    @property
    def all_codes(self) -> list[str]:
        """Every code, level by level: the column order of the Aggregated dataset."""
        return [c for lev in range(1, self.n_levels + 1) for c in self.codes(lev)]

    def parent(self, code: str) -> str | None:
        return self.node(code).parent

    def children(self, code: str) -> list[str]:
        return [n.code for n in self.nodes if n.parent == code]

    def weight(self, code: str) -> float:
        return self.node(code).weight

    def direction(self, code: str) -> int:
        return self.node(code).direction

    def weights(self, level: int, overrides: Mapping[str, float] | None = None) -> FloatArray:
        """Weights of the nodes of `level`, taken from `overrides` (a weight set) where given."""
        over = overrides or {}
        return np.array([over.get(c, self.weight(c)) for c in self.codes(level)], dtype=np.float64)

    def directions(self, level: int = 1) -> FloatArray:
        return np.array([self.direction(c) for c in self.codes(level)], dtype=np.float64)

    def membership(self, level: int) -> FloatArray:
        """0/1 matrix (nodes of level-1 x nodes of level): which child belongs to which parent."""
        children = self.codes(level - 1)
        parents = {c: j for j, c in enumerate(self.codes(level))}
        m = np.zeros((len(children), len(parents)), dtype=np.float64)
        for i, c in enumerate(children):
            p = self.parent(c)
            if p is not None and p in parents:
                m[i, parents[p]] = 1.0
        return m

    def indicator_membership(self, level: int) -> FloatArray:
        """0/1 matrix (indicators x nodes of `level`): which indicators sit under which node."""
        m = np.eye(len(self.indicators))
        for lev in range(2, level + 1):
            m = m @ self.membership(lev)
        return m

    def aggregation_matrix(self, level: int, overrides: Mapping[str, float] | None = None) -> FloatArray:
        """Children x parents matrix with the child weights as entries (weights are relative)."""
        return self.membership(level) * self.weights(level - 1, overrides)[:, None]

    def effective_weights(self, overrides: Mapping[str, float] | None = None) -> dict[str, float]:
        """Each node's share of the top aggregate: the product of normalised weights up the tree."""
        over = overrides or {}
        share: dict[str, float] = {}
        for lev in range(self.n_levels, 0, -1):
            for code in self.codes(lev):
                parent = self.parent(code)
                if parent is None or parent not in share:
                    share[code] = 1.0
                    continue
                siblings = self.children(parent)
                total = sum(over.get(s, self.weight(s)) for s in siblings)
                own = over.get(code, self.weight(code))
                share[code] = share[parent] * (own / total if total else 0.0)
        return share

    def restricted_to(self, indicators: list[str]) -> Hierarchy:
        """The sub-framework over a subset of indicators: aggregates left without children are dropped."""
        keep = set(indicators)
        for lev in range(2, self.n_levels + 1):
            keep |= {c for c in self.codes(lev) if any(ch in keep for ch in self.children(c))}
        return Hierarchy(tuple(n for n in self.nodes if n.code in keep))


@dataclass(frozen=True)
class StepRecord:
    """One executed step: its name, the exact parameters used and what it did."""

    step: str
    params: dict[str, Any]
    output: str
    summary: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Index:
    """The whole composite index ("coin"): data, framework, one dataset per step, flags and log.

    `datasets` maps a step's output name (Raw, Denominated, Screened, Imputed, Treated,
    Normalised, Aggregated) to its array; all share the rows of `data` (screening removes rows
    from every dataset). Aggregated has the columns `hierarchy.all_codes`, every other dataset
    the indicator columns. `weights` is the weight set in force (code -> weight) and
    `weight_sets` the named alternatives.
    """

    data: IndexData
    hierarchy: Hierarchy
    datasets: dict[str, FloatArray]
    flags: dict[str, BoolArray] = field(default_factory=dict)
    log: tuple[StepRecord, ...] = ()
    removed_units: tuple[str, ...] = ()
    weights: dict[str, float] = field(default_factory=dict)
    weight_sets: dict[str, dict[str, float]] = field(default_factory=dict)
    previous: Index | None = field(default=None, repr=False, compare=False)

    @classmethod
    def new(
        cls, data: IndexData, hierarchy: Hierarchy, weight_sets: Mapping[str, dict[str, float]] | None = None
    ) -> Index:
        original = {n.code: n.weight for n in hierarchy.nodes}
        return cls(
            data=data,
            hierarchy=hierarchy,
            datasets={RAW: data.values},
            weights=original,
            weight_sets={"Original": original, **dict(weight_sets or {})},
        )

    @property
    def units(self) -> list[str]:
        return self.data.units

    @property
    def latest(self) -> str:
        """Name of the dataset the next step reads by default."""
        return next((r.output for r in reversed(self.log) if r.output in self.datasets), RAW)

    def columns(self, dataset: str) -> list[str]:
        return self.hierarchy.all_codes if dataset == AGGREGATED else self.hierarchy.indicators

    def dataset(self, name: str | None = None) -> FloatArray:
        key = name or self.latest
        if key not in self.datasets:
            raise DiagnosticError(
                [error("missing-dataset", f"dataset {key!r} does not exist; available: {sorted(self.datasets)}")]
            )
        return self.datasets[key]

    def with_step(
        self,
        record: StepRecord,
        values: FloatArray | None,
        **changes: Any,
    ) -> Index:
        """A new Index with `record` appended and, if given, `values` stored as `record.output`."""
        datasets = dict(changes.pop("datasets", self.datasets))
        if values is not None:
            datasets[record.output] = values
        return replace(self, datasets=datasets, log=(*self.log, record), previous=self, **changes)
