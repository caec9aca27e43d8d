"""Leave-one-out importance: how far ranks move when one indicator or aggregate is removed.

"Removed" means its weight is set to zero and the remaining siblings' weights renormalise (as in
the reference's `remove_elements`); a node left without weighted children drops out of its parent
in turn. All removals of a level are one batched aggregation. Methods that ignore weights (Copeland
counts every child) are not affected by removal, which the output then shows as zero shift.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from citykpi.index.analysis.targets import unit_ranks
from citykpi.index.model import Index
from citykpi.index.sensitivity.rankstats import mean_abs_rank_shift
from citykpi.index.sensitivity.replicate import Replicator
from citykpi.model.diagnostics import error
from citykpi.model.errors import DiagnosticError


def leave_one_out(nominal: Index, level: int, target: str | None = None) -> pd.DataFrame:
    """One row per code of `level`: mean absolute rank shift of the target, and the largest shift."""
    rep = Replicator(nominal, target)
    h = nominal.hierarchy
    if not 1 <= level < h.n_levels:
        raise DiagnosticError(
            [error("invalid-parameter", f"level must be between 1 and {h.n_levels - 1}, got {level}", field="level")]
        )
    state, agg = rep.nominal_aggregation()
    base = state.weight_sets[agg.weights] if agg.weights else state.weights
    codes = h.codes(level)
    sets = [{**base, code: 0.0} for code in codes]
    scores = rep.aggregate_with(state, agg, [base, *sets])
    ranks = unit_ranks(nominal, scores)
    shift = np.abs(ranks[1:] - ranks[0])
    return pd.DataFrame(
        {
            "code": codes,
            "level": level,
            "mean_abs_rank_shift": mean_abs_rank_shift(ranks[1:], ranks[0]),
            "max_abs_rank_shift": np.nanmax(np.where(np.isnan(shift), -np.inf, shift), axis=1),
        }
    )


def leave_one_out_all(nominal: Index, target: str | None = None) -> pd.DataFrame:
    """Every indicator and every aggregate below the top level."""
    return pd.concat(
        [leave_one_out(nominal, lev, target) for lev in range(1, nominal.hierarchy.n_levels)], ignore_index=True
    )
