"""`citykpi compare` of many city-years: wall and CPU seconds and peak memory, HTML and PDF.

Targets (issue 12 §9): 2,600 city-years compared in under 30 s and 1 GiB as HTML, under 3 minutes
and 2 GiB with the PDF. The city-years are tidy CSV files of the demo generator's synthetic cities
(fictional), written once into `--data` (not timed). Each run is the real command in its own process,
so the figures include reading and checking every file; CPU is that child's with its workers
(`getrusage` of the children), memory is both the largest process's peak and the peak of the
sum over the process tree, and the load average is printed beside them: the machine is shared.
`--stages N` instead times each step in this process, without workers, on the first N files: CPU
milliseconds per city-year for reading, assessing, checking, building the rows (scores and
progress), the HTML page, and the PDF in parts (its layout is WeasyPrint's).
"""

from __future__ import annotations

import argparse
import contextlib
import resource
import subprocess
import sys
import time
from pathlib import Path

import psutil

from citykpi.collect.tidy import write_csv
from citykpi.demo.cities import synthetic_city
from citykpi.demo.generate import generate
from citykpi.framework.catalogue import Catalogue
from citykpi.model.assessment import Assessment

GIB = 1024**3


def make_files(folder: Path, cities: int, years: list[int]) -> list[Path]:
    """One tidy CSV per city and year; files already there are kept (same seed, same content)."""
    kpis = list(Catalogue.load().kpis.values())
    paths = []
    for index in range(cities):
        spec = synthetic_city(index)
        for year in years:
            path = folder / f"synthetic-{index:04d}-{year}.csv"
            if not path.exists():
                write_csv(generate(kpis, spec, year), path)
            paths.append(path)
    return paths


def stages(files: list[Path], pdf: Path | None) -> None:
    """CPU per city-year of each step of `citykpi compare`, one process, the steps in its order."""
    from collections import defaultdict
    from functools import partial

    from citykpi.assess.engine import assess
    from citykpi.cli.report import load_book
    from citykpi.collect.readers import read_or_report
    from citykpi.model.collector import few_collections
    from citykpi.report.comparison import compared
    from citykpi.report.pages import TABLES_PER_PART, compare_footers, compare_html, compare_parts
    from citykpi.report.render import pdf_of_parts
    from citykpi.validate.checks import run_checks
    from citykpi.validate.context import Context

    few_collections()  # as the command does
    spent: dict[str, float] = defaultdict(float)
    clock = time.process_time()

    def step(name: str) -> None:
        nonlocal clock
        now = time.process_time()
        spent[name] += now - clock
        clock = now

    catalogue = Catalogue.load()
    book = load_book(None, True, catalogue)
    step("catalogue and targets")
    histories: dict[tuple[str, str], list[Assessment]] = defaultdict(list)
    for path in files:
        submission, _report = read_or_report(path, catalogue)
        assert submission is not None, path
        step("read")
        assessment = assess(submission, catalogue)
        step("assess")
        run_checks(Context(submission, catalogue, assessment))
        step("check")
        histories[(assessment.profile.city, assessment.profile.country)].append(assessment)
    cities = [compared(history, catalogue.kpis, book) for history in histories.values()]
    step("rows (score, progress)")
    compare_html(cities, book.names, "en")
    step("HTML page (ranking, chart, tables)")
    if pdf is not None:
        parts = compare_parts(cities, book.names, "en", TABLES_PER_PART)
        pages = pdf_of_parts(parts, pdf, 1, partial(compare_footers, lang="en"))
        step(f"PDF ({len(parts)} parts, {pages} pages, one process)")
    print(f"CPU per step, {len(files)} city-years of {len(cities)} cities, one process, load {load()}:")
    for name, seconds in spent.items():
        print(f"  {name:<45} {seconds:7.2f} s {1000 * seconds / len(files):8.2f} ms per city-year")
    total = sum(spent.values())
    print(f"  {'total':<45} {total:7.2f} s {1000 * total / len(files):8.2f} ms per city-year")


def tree_rss(pid: int) -> int:
    """Resident memory of a process and all its descendants (the worker processes), in bytes."""
    try:
        root = psutil.Process(pid)
        members = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for p in members:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += p.memory_info().rss
    return total


def run(command: list[str]) -> tuple[float, float, int, int]:
    """Wall seconds, CPU seconds (user + system, the workers included), the largest single
    process's peak RSS, and the peak of the summed RSS of the process tree (sampled every 0.2 s)."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    summed = 0
    while child.poll() is None:
        summed = max(summed, tree_rss(child.pid))
        time.sleep(0.2)
    wall = time.perf_counter() - started
    if child.returncode != 0:
        raise SystemExit(f"{command[:3]} failed with status {child.returncode}")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # this bench runs one child at a time
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, summed


def load() -> str:
    return Path("/proc/loadavg").read_text().split(" ", 3)[:3].__str__()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cities", type=int, default=650)
    parser.add_argument("--years", type=int, nargs="+", default=[2021, 2022, 2023, 2024])
    parser.add_argument("--data", type=Path, default=Path("bench-output/compare"), help="folder of the CSV files")
    parser.add_argument("--no-pdf", action="store_true", help="time the HTML only")
    parser.add_argument("--stages", type=int, default=0, metavar="N", help="time each step on N files instead")
    args = parser.parse_args()
    args.data.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    files = make_files(args.data, args.cities, args.years)
    print(
        f"{len(files)} city-years ({args.cities} cities x {len(args.years)} years) in {args.data}, "
        f"{time.perf_counter() - started:.0f} s to prepare (not timed)"
    )
    if args.stages:  # alone: a child forked from this grown process would report its memory as its own
        stages(files[: args.stages], None if args.no_pdf else args.data / "stages.pdf")
        return
    citykpi = [sys.executable, "-m", "citykpi.cli", "compare", *map(str, files), "-o", str(args.data / "compare.html")]
    runs = [("HTML", citykpi, 30.0, 1 * GIB)]
    if not args.no_pdf:
        runs.append(("HTML + PDF", [*citykpi, "--pdf", str(args.data / "compare.pdf")], 180.0, 2 * GIB))
    for name in ("compare.html", "compare.pdf"):  # an earlier run's file must not be reported as this one's
        (args.data / name).unlink(missing_ok=True)
    print(f"{'run':<12} {'wall s':>8} {'CPU s':>8} {'max RSS MiB':>12} {'sum RSS MiB':>12}  target  load average")
    spent = 0.0
    for name, command, seconds, memory in runs:
        before = load()
        wall, cpu, rss, summed = run(command)
        cpu, spent = cpu - spent, cpu  # RUSAGE_CHILDREN accumulates over the runs
        verdict = "ok" if wall < seconds and summed < memory else "MISSED"
        print(
            f"{name:<12} {wall:8.1f} {cpu:8.1f} {rss / 2**20:12.0f} {summed / 2**20:12.0f}"
            f"  < {seconds:.0f} s, < {memory // GIB} GiB {verdict:<6} {before} -> {load()}",
            flush=True,
        )
    for name in ("compare.html", "compare.pdf"):
        if (args.data / name).exists():
            print(f"{name}: {(args.data / name).stat().st_size / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
