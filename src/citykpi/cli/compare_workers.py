"""Reading and scoring the cities of `citykpi compare` in worker processes.

Checking a file takes about 12 ms and building a city's report about 18 ms, so 2,600 city-years
took a minute of one core and, kept whole until the page was written, more than a gigabyte. Each
worker reads a contiguous share of the files (a city's years are usually named alike, so they land
in one worker), keeps the assessments it read, and builds the cities whose years it holds; only the
compact rows (`report.comparison.ComparedCity`) come back, since sending an assessment between
processes costs about 6 ms. A city whose years were read by two workers is built here from theirs.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from citykpi.framework.catalogue import Catalogue
    from citykpi.model.assessment import Assessment
    from citykpi.report.comparison import ComparedCity
    from citykpi.scoring.targets import TargetBook

PARALLEL_FROM = 200  # fewer files are read in this process: starting a worker costs about 2 s
MAX_WORKERS = 4

Place = tuple[str, str, int]  # city, country, year


@dataclass
class _Worker:
    """What one process holds: the catalogue and targets, and the assessments it has read."""

    catalogue: Catalogue | None = None
    book: TargetBook | None = None
    held: dict[str, Assessment] = field(default_factory=dict)


_here = _Worker()


def _start(catalogue: Catalogue, book: TargetBook) -> None:
    _here.catalogue, _here.book, _here.held = catalogue, book, {}


def _start_worker(catalogue: Catalogue, book: TargetBook) -> None:
    from citykpi.model.collector import few_collections

    few_collections()  # a worker holds the assessments it read
    _start(catalogue, book)


def _read(paths: list[str]) -> list[tuple[str, Place | None, list[str]]]:
    """Each path with its city, country and year, or with its problems (then the place is None)."""
    from citykpi.validate.files import check_file

    assert _here.catalogue is not None
    out: list[tuple[str, Place | None, list[str]]] = []
    for path in paths:
        checked = check_file(Path(path), _here.catalogue)
        name = Path(path).name
        if checked.accepted is None:
            out.append((path, None, [f"{name}: {d}" for d in checked.report.errors] or [f"{name}: cannot be read"]))
        else:
            _here.held[path] = _light(checked.accepted)
            profile = checked.accepted.profile
            out.append((path, (profile.city, profile.country, profile.year), []))
    return out


def _light(assessment: Assessment) -> Assessment:
    """The assessment without where each value came from (the checks have used it): a third less
    memory, and a worker holds some 1,300 of them."""
    results = [r.model_copy(update={"inputs": [], "missing": []}) for r in assessment.results]
    return assessment.model_copy(update={"results": results})


def _take(paths: list[str]) -> list[Assessment]:
    return [_here.held.pop(p) for p in paths]


def _build(cities: list[list[str]], given: Sequence[Sequence[Assessment]] = ()) -> list[ComparedCity]:
    """The rows of the cities whose files this process read (`cities`), then of those `given`."""
    from citykpi.report.comparison import compared

    assert _here.catalogue is not None and _here.book is not None
    histories = [*([_here.held.pop(p) for p in paths] for paths in cities), *given]
    return [compared(history, _here.catalogue.kpis, _here.book) for history in histories]


def workers_for(files: int) -> int:
    return 1 if files < PARALLEL_FROM else cores()


def cores() -> int:
    """Worker processes worth starting for work that fills them (a PDF of several parts: each part
    takes seconds to lay out, a worker about 2 s to start)."""
    return max(1, min(MAX_WORKERS, len(os.sched_getaffinity(0))))


class DuplicatePlace(ValueError):
    """The same city, country and year in two files."""

    def __init__(self, first: str, second: str, place: Place) -> None:
        super().__init__(first, second, place)
        self.first, self.second, self.place = Path(first).name, Path(second).name, place


class FileProblems(ValueError):
    def __init__(self, failed: int, problems: list[str]) -> None:
        super().__init__(failed, problems)
        self.failed, self.problems = failed, problems


def compared_cities(files: Sequence[Path], catalogue: Catalogue, book: TargetBook) -> list[ComparedCity]:
    """One row per city (name and country), in the order of the files; nothing is built when a file
    has problems (`FileProblems`) or a city-year is given twice (`DuplicatePlace`)."""
    paths = [str(p) for p in files]
    count = workers_for(len(paths))
    if count == 1:
        _start(catalogue, book)
        return _build(list(_cities(_read(paths)).values()))
    spawn = get_context("spawn")  # a fork after vl-convert has started its threads can deadlock
    pools = [ProcessPoolExecutor(1, spawn, _start_worker, (catalogue, book)) for _ in range(count)]
    try:
        share = -(-len(paths) // count)
        parts = [paths[i : i + share] for i in range(0, len(paths), share)]
        reads = [pools[n].submit(_read, part) for n, part in enumerate(parts)]
        holder = {p: n for n, part in enumerate(parts) for p in part}
        cities = _cities([row for r in reads for row in r.result()])
        own: list[list[list[str]]] = [[] for _ in pools]
        shared: list[list[str]] = []
        for city_paths in cities.values():
            holders = {holder[p] for p in city_paths}
            (own[holders.pop()] if len(holders) == 1 else shared).append(city_paths)
        given = [[a for p in ps for a in pools[holder[p]].submit(_take, [p]).result()] for ps in shared]
        builds = [pools[n].submit(_build, own[n]) for n in range(len(pools))]
        rows = {tuple(ps): row for n, b in enumerate(builds) for ps, row in zip(own[n], b.result(), strict=True)}
        _start(catalogue, book)
        rows.update(zip((tuple(ps) for ps in shared), _build([], given), strict=True))
        return [rows[tuple(ps)] for ps in cities.values()]
    finally:
        for pool in pools:
            pool.shutdown(cancel_futures=True)


def _cities(read: list[tuple[str, Place | None, list[str]]]) -> dict[tuple[str, str], list[str]]:
    """The files of each city, in the order first seen; refuses problems and repeated city-years."""
    problems = [p for _path, _place, found in read for p in found]
    if problems:
        raise FileProblems(sum(1 for _path, place, _found in read if place is None), problems)
    seen: dict[Place, str] = {}
    cities: dict[tuple[str, str], list[str]] = {}
    for path, place, _found in read:
        assert place is not None
        if place in seen:
            raise DuplicatePlace(seen[place], path, place)
        seen[place] = path
        cities.setdefault(place[:2], []).append(path)
    return cities
