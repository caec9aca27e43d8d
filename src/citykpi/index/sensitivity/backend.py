"""Where replications run: in this process, in local worker processes, or on a Dask cluster.

Runs are sorted by their parameters before being cut into chunks, so that each chunk holds few
distinct upstream states and every worker recomputes as little as possible. Each worker keeps one
`Replicator` (and its memo of states) for all the chunks it receives.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass

import numpy as np

from citykpi.index.model import FloatArray, Index
from citykpi.index.sensitivity.assumptions import Overrides
from citykpi.index.sensitivity.heap import keep_heap_for_arrays
from citykpi.index.sensitivity.replicate import Replicator
from citykpi.model.diagnostics import error
from citykpi.model.errors import DiagnosticError

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Execution:
    """`workers` > 1: local processes; `scheduler`: address of a dask.distributed scheduler."""

    workers: int = 1
    scheduler: str | None = None
    chunks_per_worker: int = 4


@dataclass(frozen=True)
class Evaluated:
    scores: FloatArray  # (runs, nominal units)
    failures: dict[str, int]  # reason -> number of failed runs
    states_built: int

    @property
    def failed(self) -> int:
        return sum(self.failures.values())


Chunk = tuple[FloatArray, dict[str, int], int]  # scores, failures, upstream states built


class _Collector:
    """Puts chunk results back in run order and adds up failures and state counts."""

    def __init__(self, n_runs: int, n_units: int, tick: Progress) -> None:
        self.scores = np.full((n_runs, n_units), np.nan)
        self.failures: dict[str, int] = {}
        self.built = 0
        self.tick = tick

    def add(self, idx: np.ndarray, chunk: Chunk, runs: int) -> None:
        scores, failures, built = chunk
        self.scores[idx] = scores
        for reason, k in failures.items():
            self.failures[reason] = self.failures.get(reason, 0) + k
        self.built += built
        self.tick(runs)

    def result(self) -> Evaluated:
        return Evaluated(self.scores, self.failures, self.built)


_WORKER: Replicator | None = None


def _init_worker(nominal: Index, target: str | None) -> None:
    global _WORKER
    _WORKER = Replicator(nominal, target)


def _run_chunk(rep: Replicator, runs: Sequence[Overrides], counts: Sequence[int]) -> Chunk:
    """Evaluate `runs` on a (possibly long-lived) replicator; report only what this chunk added."""
    failures, built = dict(rep.failures), rep.states_built
    scores = rep.evaluate(runs, counts)
    added = {k: v - failures.get(k, 0) for k, v in rep.failures.items() if v > failures.get(k, 0)}
    return scores, added, rep.states_built - built


def _eval_chunk(runs: Sequence[Overrides], counts: Sequence[int]) -> Chunk:
    assert _WORKER is not None  # set by the pool initializer
    return _run_chunk(_WORKER, runs, counts)


_DASK_WORKER = threading.local()  # per worker thread: (nominal, target, replicator) of the last study served


def _eval_dask(nominal: Index, target: str | None, runs: Sequence[Overrides], counts: Sequence[int]) -> Chunk:
    """A worker thread keeps its replicator (and the upstream states it built) across the chunks of
    a study: the scattered nominal index is the same object in every task the worker runs."""
    keep_heap_for_arrays()
    last = getattr(_DASK_WORKER, "last", None)
    if last is None or last[0] is not nominal or last[1] != target:
        last = _DASK_WORKER.last = (nominal, target, Replicator(nominal, target))
    return _run_chunk(last[2], runs, counts)


def _chunks(runs: Sequence[Overrides], n_chunks: int) -> list[np.ndarray]:
    order = sorted(range(len(runs)), key=lambda r: repr(runs[r]))  # runs alike sort together; any order is exact
    return [c for c in np.array_split(np.array(order, dtype=np.intp), max(1, n_chunks)) if c.size]


def evaluate(
    nominal: Index,
    runs: Sequence[Overrides],
    target: str | None = None,
    execution: Execution | None = None,
    progress: Progress | None = None,
    counts: Sequence[int] | None = None,
) -> Evaluated:
    """Scores of every run; `counts[r]`: how many runs of the study run r stands for (progress and
    failures are counted in those), 1 each by default."""
    ex = execution or Execution()
    weight = np.ones(len(runs), dtype=np.int64) if counts is None else np.asarray(counts, dtype=np.int64)
    collect = _Collector(len(runs), len(nominal.units), progress or (lambda _n: None))
    if ex.scheduler:
        _evaluate_dask(nominal, runs, weight, target, ex, collect)
    elif ex.workers <= 1:
        rep = Replicator(nominal, target)
        for idx in _chunks(runs, 20):
            collect.add(idx, _run_chunk(rep, [runs[i] for i in idx], weight[idx].tolist()), int(weight[idx].sum()))
    else:
        chunks = _chunks(runs, ex.workers * ex.chunks_per_worker)
        ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
        with ProcessPoolExecutor(
            ex.workers, mp_context=ctx, initializer=_init_worker, initargs=(nominal, target)
        ) as pool:
            futures = {pool.submit(_eval_chunk, [runs[i] for i in idx], weight[idx].tolist()): idx for idx in chunks}
            for fut in as_completed(futures):
                idx = futures[fut]
                collect.add(idx, fut.result(), int(weight[idx].sum()))
    return collect.result()


def _evaluate_dask(
    nominal: Index,
    runs: Sequence[Overrides],
    weight: np.ndarray,
    target: str | None,
    ex: Execution,
    collect: _Collector,
) -> None:
    from dask.distributed import Client
    from dask.distributed import as_completed as dask_completed

    try:
        client = Client(ex.scheduler, timeout="5s")  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError) as exc:
        msg = f"cannot reach the Dask scheduler at {ex.scheduler!r}: {exc}"
        raise DiagnosticError([error("scheduler-unreachable", msg, field="--scheduler")]) from None
    with client:
        n_workers = max(1, len(client.scheduler_info().get("workers", {})))
        shared = client.scatter(nominal, broadcast=True)  # type: ignore[no-untyped-call]
        chunks = _chunks(runs, n_workers * ex.chunks_per_worker)
        futures = {
            client.submit(_eval_dask, shared, target, [runs[i] for i in idx], weight[idx].tolist(), pure=False): idx
            for idx in chunks
        }
        for fut in dask_completed(list(futures)):  # type: ignore[no-untyped-call]
            idx = futures[fut]
            collect.add(idx, fut.result(), int(weight[idx].sum()))
