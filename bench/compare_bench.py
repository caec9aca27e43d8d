"""`citykpi compare` of many city-years: wall and CPU seconds and peak memory, HTML and PDF.

Targets (issue 12 §9): 2,600 city-years compared in under 30 s and 1 GiB as HTML, under 3 minutes
and 2 GiB with the PDF. The city-years are tidy CSV files of the demo generator's synthetic cities
(fictional), written once into `--data` (not timed). Each run is the real command in its own process,
so the figures include reading and checking every file; CPU and peak RSS are that child's
(`os.wait4`), and the load average is printed beside them because the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

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


def run(command: list[str]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + system) and peak RSS in bytes of one child process."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{command[:3]} failed with status {status}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024  # ru_maxrss is in KiB on Linux


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
    print(f"{'run':<12} {'wall s':>8} {'CPU s':>8} {'peak RSS MiB':>13}  target            load average")
    for name, command, seconds, memory in runs:
        before = load()
        wall, cpu, rss = run(command)
        verdict = "ok" if wall < seconds and rss < memory else "MISSED"
        print(
            f"{name:<12} {wall:8.1f} {cpu:8.1f} {rss / 2**20:13.0f}  < {seconds:.0f} s, < {memory // GIB} GiB"
            f" {verdict:<6} {before} -> {load()}",
            flush=True,
        )
    for name in ("compare.html", "compare.pdf"):
        if (args.data / name).exists():
            print(f"{name}: {(args.data / name).stat().st_size / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
