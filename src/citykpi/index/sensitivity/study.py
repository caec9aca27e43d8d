"""Uncertainty analysis (rank bands) and variance-based sensitivity analysis of an index.

Output of interest, as in the reference: the ranks of the target (default: the top aggregate).
The scalar output of the sensitivity analysis is the mean absolute rank shift against the nominal
build; per unit, the output is the unit's own rank, so each unit gets its own Sobol indices.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from citykpi.index.analysis.targets import target_column, unit_ranks
from citykpi.index.model import FloatArray, Index
from citykpi.index.sensitivity.assumptions import Assumption, overrides
from citykpi.index.sensitivity.backend import Execution, Progress, evaluate
from citykpi.index.sensitivity.estimators import SobolIndices, sobol_indices
from citykpi.index.sensitivity.rankstats import RankStats, mean_abs_rank_shift, rank_statistics
from citykpi.index.sensitivity.sampling import saltelli_design, sobol_points
from citykpi.model.diagnostics import error
from citykpi.model.errors import DiagnosticError


@dataclass(frozen=True)
class Study:
    """Everything a run produced: the sample, each run's parameters, scores and ranks."""

    target: str
    units: list[str]
    assumptions: list[Assumption]
    samples: FloatArray  # (runs, d) on the unit interval
    parameters: list[dict[str, Any]]  # per run: assumption label -> value used
    scores: FloatArray  # (runs, units)
    ranks: FloatArray
    nominal_scores: FloatArray
    nominal_ranks: FloatArray
    rank_stats: RankStats
    shift: FloatArray  # (runs,) mean absolute rank shift vs nominal
    failures: dict[str, int]  # reason -> number of runs the pipeline refused
    states_built: int
    seconds: float
    n: int  # base sample size (runs for UA, N for SA)
    indices: SobolIndices | None = None  # scalar output, (d,)
    unit_indices: SobolIndices | None = None  # per unit, (d, units)

    @property
    def failed(self) -> int:
        return sum(self.failures.values())


def _check(assumptions: Sequence[Assumption], n: int, sa: bool) -> None:
    problems = []
    if not assumptions:
        problems.append(error("invalid-config", "no uncertain assumptions declared", field="uncertainty"))
    if sa and len(assumptions) < 2:
        problems.append(
            error(
                "invalid-config",
                "a sensitivity analysis needs at least two assumptions; run --type ua",
                field="uncertainty",
            )
        )
    if n < 2:
        problems.append(error("invalid-parameter", f"need at least 2 runs, got {n}", field="runs"))
    if problems:
        raise DiagnosticError(problems)


def _run(
    nominal: Index,
    assumptions: Sequence[Assumption],
    samples: FloatArray,
    n: int,
    stats_rows: int,
    target: str | None,
    execution: Execution | None,
    progress: Progress | None,
) -> Study:
    """Evaluate every sampled run; rank bands from the first `stats_rows` runs."""
    start = time.perf_counter()
    code, nominal_scores = target_column(nominal, target)
    runs, table = overrides(assumptions, samples)
    result = evaluate(nominal, runs, code, execution, progress)
    ranks = unit_ranks(nominal, result.scores)
    nominal_ranks = unit_ranks(nominal, nominal_scores)
    return Study(
        target=code,
        units=list(nominal.units),
        assumptions=list(assumptions),
        samples=samples,
        parameters=table,
        scores=result.scores,
        ranks=ranks,
        nominal_scores=nominal_scores,
        nominal_ranks=nominal_ranks,
        rank_stats=rank_statistics(ranks[:stats_rows], nominal_ranks),
        shift=mean_abs_rank_shift(ranks, nominal_ranks),
        failures=result.failures,
        states_built=result.states_built,
        seconds=time.perf_counter() - start,
        n=n,
    )


def uncertainty(
    nominal: Index,
    assumptions: Sequence[Assumption],
    runs: int,
    seed: int | None = None,
    target: str | None = None,
    execution: Execution | None = None,
    progress: Progress | None = None,
) -> Study:
    _check(assumptions, runs, sa=False)
    samples = sobol_points(runs, len(assumptions), seed)
    return _run(nominal, assumptions, samples, runs, runs, target, execution, progress)


def sensitivity(
    nominal: Index,
    assumptions: Sequence[Assumption],
    n: int,
    seed: int | None = None,
    n_boot: int = 1000,
    target: str | None = None,
    execution: Execution | None = None,
    progress: Progress | None = None,
) -> Study:
    """N(d+2) runs; rank bands from the A and B blocks (2N independent runs), as the reference does."""
    _check(assumptions, n, sa=True)
    d = len(assumptions)
    samples = saltelli_design(n, d, seed).stacked()
    study = _run(nominal, assumptions, samples, n, 2 * n, target, execution, progress)
    start = time.perf_counter()
    boot_seed = None if seed is None else seed + 1
    scalar = sobol_indices(study.shift, n, d, n_boot, boot_seed)
    per_unit = sobol_indices(study.ranks, n, d, min(n_boot, 200), boot_seed)
    seconds = study.seconds + time.perf_counter() - start
    return replace(study, indices=scalar, unit_indices=per_unit, seconds=seconds)


def total_runs(kind: str, n: int, d: int) -> int:
    """Runs a study of `kind` ("ua" or "sa") with base size `n` and `d` assumptions evaluates."""
    return n * (d + 2) if kind == "sa" else n
