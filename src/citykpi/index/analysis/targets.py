"""Which column an analysis looks at (by default the single top aggregate) and how its units are ranked."""

from __future__ import annotations

import numpy as np

from citykpi.index.model import AGGREGATED, FloatArray, Index
from citykpi.index.ranks import sport_rank
from citykpi.model.diagnostics import error
from citykpi.model.errors import DiagnosticError


def default_target(index: Index) -> str:
    top = index.hierarchy.codes(index.hierarchy.n_levels)
    if len(top) != 1:
        raise DiagnosticError(
            [
                error(
                    "ambiguous-target",
                    f"the top level has {len(top)} codes {top}; name the target code",
                    field="target",
                )
            ]
        )
    return top[0]


def target_column(index: Index, code: str | None = None) -> tuple[str, FloatArray]:
    """The code and its scores (one per unit row) in the Aggregated dataset."""
    if AGGREGATED not in index.datasets:
        raise DiagnosticError(
            [error("missing-dataset", "the pipeline has no aggregate step; nothing to rank", field="steps")]
        )
    code = code or default_target(index)
    columns = index.columns(AGGREGATED)
    if code not in columns:
        raise DiagnosticError(
            [error("unknown-code", f"{code!r} is not an indicator or aggregate; known: {columns}", field="target")]
        )
    return code, index.datasets[AGGREGATED][:, columns.index(code)]


def unit_ranks(index: Index, scores: FloatArray) -> FloatArray:
    """Sport ranks along the last (units) axis; for panel data within each time point, never across years."""
    time = index.data.time
    if time is None or np.unique(time).size == 1:
        return sport_rank(scores, axis=-1)
    ranks = np.full(np.shape(scores), np.nan)
    for t in np.unique(time[~np.isnan(time)]):
        cols = np.flatnonzero(time == t)
        ranks[..., cols] = sport_rank(scores[..., cols], axis=-1)
    return ranks
