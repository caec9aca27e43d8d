"""Run a configuration step by step, and regenerate from any step with changed parameters.

Each step's parameters are logged exactly as used, so `rerun` can replay the log from a step
with overrides, reusing every earlier state unchanged (the previous states are kept in the chain
`Index.previous`, sharing their arrays).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

import numpy as np
from pydantic import BaseModel, ValidationError

from citykpi.index import aggregate, denominate, impute, io, normalise, screen, treat, weights
from citykpi.index.config import STEP_PARAMS, IndexConfig
from citykpi.index.model import Hierarchy, Index, IndexData
from citykpi.model.diagnostics import error
from citykpi.model.errors import DiagnosticError

StepFunction = Callable[[Index, Any], Index]

STEPS: dict[str, StepFunction] = {
    "denominate": denominate.run,
    "screen": screen.run,
    "impute": impute.run,
    "treat": treat.run,
    "normalise": normalise.run,
    "weights": weights.run,
    "aggregate": aggregate.run,
}


def _subset(hierarchy: Hierarchy, indicators: list[str]) -> Hierarchy:
    unknown = [c for c in indicators if c not in hierarchy.indicators]
    if unknown:
        raise DiagnosticError([error("invalid-config", f"unknown indicators {unknown}", field="data.indicators")])
    return hierarchy.restricted_to(indicators)


def _one_time_point(data: IndexData, year: int, file: str) -> IndexData:
    if data.time is None:
        raise DiagnosticError([error("missing-label", "data.year needs a Time column in the unit data", file=file)])
    rows = np.flatnonzero(data.time == year)
    if rows.size == 0:
        raise DiagnosticError([error("missing-rows", f"no unit data rows for time {year}", file=file)])
    return data.take(rows)


def _catalogue_directions(config: IndexConfig) -> dict[str, int]:
    """Directions of the KPI data points from the built-in U4SSC framework plus configured files."""
    from citykpi.framework.catalogue import Catalogue

    # A broken framework file raises DiagnosticError, which the index commands print like their own.
    return io.assessment_directions(Catalogue.load([config.resolve(p) for p in config.data.frameworks]))


def load(config: IndexConfig) -> Index:
    """The unprocessed Index (dataset Raw) described by `config.data`."""
    src = config.data
    if src.units is not None and src.meta is not None:
        meta = io.read_table(config.resolve(src.meta), src.meta_sheet)
        hierarchy, sets = io.build_hierarchy(meta, str(src.meta))
        if src.indicators is not None:
            hierarchy = _subset(hierarchy, src.indicators)
        units = io.read_table(config.resolve(src.units), src.units_sheet)
        roles = {"uCode": src.unit_code, "uName": src.unit_name, "Time": src.time}
        data = io.build_data(units, hierarchy, meta, str(src.units), roles, src.groups)
        if src.year is not None:
            data = _one_time_point(data, src.year, str(src.units))
    else:
        assert src.assessment is not None  # DataSource guarantees one of the two sources
        frame = io.read_table(config.resolve(src.assessment))
        data, hierarchy = io.from_assessment(frame, _catalogue_directions(config), src.year, str(src.assessment))
        if src.indicators is not None:
            hierarchy = _subset(hierarchy, src.indicators)
            keep = [data.indicators.index(c) for c in hierarchy.indicators]
            data = replace(data, indicators=hierarchy.indicators, values=data.values[:, keep])
        sets = {}
    unknown_codes = [
        f"weights.{name}.{code}" for name, ws in config.weights.items() for code in ws if code not in hierarchy
    ]
    if unknown_codes:
        raise DiagnosticError(
            [error("invalid-config", "weight for a code that is not in the framework", field=k) for k in unknown_codes]
        )
    return Index.new(data, hierarchy, {**sets, **config.weights})


def apply(index: Index, params: BaseModel) -> Index:
    step = str(params.model_dump(include={"step"})["step"])
    return STEPS[step](index, params)


def run(config: IndexConfig) -> Index:
    index = load(config)
    for params in config.steps:
        index = apply(index, params)
    return index


def rerun(index: Index, from_step: str, overrides: Mapping[str, Mapping[str, Any]] | None = None) -> Index:
    """Replay the log from the first `from_step` record, with `overrides[step]` merged into the params."""
    over = dict(overrides or {})
    names = [r.step for r in index.log]
    if from_step not in names:
        raise DiagnosticError(
            [error("unknown-step", f"step {from_step!r} was not run; log: {names}", field="from_step")]
        )
    start = names.index(from_step)
    early = [s for s in over if s in names[:start] and s not in names[start:]]
    unknown = [s for s in over if s not in names]
    if early or unknown:
        raise DiagnosticError(
            [
                error("invalid-override", f"override of step {s!r} would be ignored: it runs before {from_step!r}")
                for s in early
            ]
            + [error("invalid-override", f"override of step {s!r}, which is not in the log {names}") for s in unknown]
        )
    state = index
    for _ in range(len(index.log) - start):
        assert state.previous is not None  # every logged step links to its input state
        state = state.previous
    for record in index.log[start:]:
        raw = {**record.params, **over.get(record.step, {})}
        try:
            params = STEP_PARAMS[record.step].model_validate(raw)
        except ValidationError as exc:
            raise DiagnosticError(
                [
                    error("invalid-override", e["msg"], field=f"{record.step}." + ".".join(map(str, e["loc"])))
                    for e in exc.errors()
                ]
            ) from None
        state = apply(state, params)
    return state
