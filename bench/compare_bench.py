"""`citykpi compare` of many city-years: wall and CPU seconds and peak memory, HTML and PDF.

Targets (issue 12 §9): 2,600 city-years compared in under 30 s and 1 GiB as HTML, under 3 minutes
and 2 GiB with the PDF. The city-years are tidy CSV files of the demo generator's synthetic cities
(fictional), written once into `--data` (not timed). Each run is the real command in its own process,
so the figures include reading and checking every file; CPU is that child's with its workers
(`getrusage` of the children), memory is both the largest process's peak and the peak of the
sum over the process tree, and the load average is printed beside them: the machine is shared.
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
    args = parser.parse_args()
    args.data.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    files = make_files(args.data, args.cities, args.years)
    print(
        f"{len(files)} city-years ({args.cities} cities x {len(args.years)} years) in {args.data}, "
        f"{time.perf_counter() - started:.0f} s to prepare (not timed)"
    )
    citykpi = [sys.executable, "-m", "citykpi.cli", "compare", *map(str, files), "-o", str(args.data / "compare.html")]
    runs = [("HTML", citykpi, 30.0, 1 * GIB)]
    if not args.no_pdf:
        runs.append(("HTML + PDF", [*citykpi, "--pdf", str(args.data / "compare.pdf")], 180.0, 2 * GIB))
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
