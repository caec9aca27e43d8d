"""Core path benchmark: template, validate and assess for one city, then for many cities in batch.

Targets (issue 2, section 6): one city end to end under 1 s; 1,000 cities under 60 s on 2 cores.
"End to end" here is what the software does for a city: write its template, read and validate the
filled workbook, assess it and write kpis.csv/kpis.json/summary.json. Filling the workbook is the
city team's work; the demo filler's time is printed for information only.

Usage: python bench/core_bench.py [--cities 1000] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from citykpi.assess import assess
from citykpi.assess.output import write_assessment
from citykpi.collect.readers import read_any
from citykpi.collect.template import write_template
from citykpi.collect.tidy import write_csv
from citykpi.demo.cities import city, synthetic_city
from citykpi.demo.generate import generate
from citykpi.demo.workbook import cells, edit_rows, write_filled
from citykpi.framework.catalogue import Catalogue

ONE_CITY_TARGET_S = 1.0
BATCH_TARGET_S = 60.0
console = Console(width=110)


def timed(action: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def one_city(folder: Path, repeat: int = 3) -> dict[str, float]:
    """Median seconds per step for the demo town, in this (warm) process."""
    catalogue = Catalogue.load()
    submission = generate(list(catalogue.kpis.values()), city("Vellmarsk"), 2024)
    filled = write_filled(catalogue, submission, folder / "one-filled.xlsx")
    steps: dict[str, list[float]] = {"template": [], "validate": [], "assess": []}
    for n in range(repeat):
        template = folder / f"t{n}.xlsx"
        steps["template"].append(timed(lambda: write_template(catalogue, submission.profile, template))[0])  # noqa: B023
        seconds, (read, report) = timed(lambda: read_any(filled, catalogue))  # type: ignore[misc]
        assert read is not None and report.valid, report.errors
        steps["validate"].append(seconds)
        steps["assess"].append(timed(lambda: write_assessment(assess(read, catalogue), folder / "one-out"))[0])  # noqa: B023
    medians = {step: statistics.median(values) for step, values in steps.items()}
    medians["cli"] = timed(
        lambda: subprocess.run(
            [sys.executable, "-m", "citykpi.cli", "assess", str(filled), "-o", str(folder / "cli-out")],
            check=True,
            capture_output=True,
        )
    )[0]
    return medians


def _prepare_job(args: tuple[int, Path]) -> tuple[float, float]:
    """Template (timed), then the demo's typing into it (timed apart) and the same data as tidy CSV."""
    index, folder = args
    catalogue = Catalogue.load()
    submission = generate(list(catalogue.kpis.values()), synthetic_city(index), 2024)
    path = folder / f"city-{index:04d}.xlsx"
    template_s = timed(lambda: write_template(catalogue, submission.profile, path))[0]
    fill_s = timed(lambda: edit_rows(path, {(e.kpi, e.kind.value, e.name): cells(e) for e in submission.entries}))[0]
    write_csv(submission, folder / f"city-{index:04d}.csv")
    return template_s, fill_s


def _validate_assess_job(args: tuple[int, Path, str]) -> tuple[float, float]:
    index, folder, suffix = args
    catalogue = Catalogue.load()
    path = folder / f"city-{index:04d}{suffix}"
    validate_s, (submission, report) = timed(lambda: read_any(path, catalogue))  # type: ignore[misc]
    if submission is None or not report.valid:
        raise RuntimeError(f"{path.name} did not validate: {report.errors[:3]}")
    out = folder / "out" / f"{path.stem}{suffix}"
    assess_s = timed(lambda: write_assessment(assess(submission, catalogue), out))[0]
    return validate_s, assess_s


def batch_stage(
    label: str, job: Callable[..., tuple[float, float]], jobs: list[tuple[object, ...]], workers: int
) -> tuple[float, float, float]:
    """Wall-clock seconds of one stage on `workers` processes (with a progress bar) and the two
    per-city timings the job returns, summed over all cities."""
    results: list[tuple[float, float]] = []
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool, Progress(console=console, transient=True) as progress:
        task = progress.add_task(f"{label} ({len(jobs)} cities)", total=len(jobs))
        for result in pool.map(job, jobs, chunksize=8):
            results.append(result)
            progress.advance(task)
    return time.perf_counter() - started, sum(r[0] for r in results), sum(r[1] for r in results)


def _verdict(seconds: float, target: float) -> str:
    return "[green]meets[/]" if seconds < target else "[red]misses[/]"


def report(rows: Iterable[tuple[str, float, str, str]], title: str) -> None:
    table = Table(title=title, title_justify="left")
    for column in ("step", "measured", "target", ""):
        table.add_column(column)
    for step, seconds, target, verdict in rows:
        table.add_row(step, f"{seconds:.3f} s", target, verdict)
    console.print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cities", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    console.print(
        f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (shared machines inflate figures)"
    )
    with tempfile.TemporaryDirectory(prefix="citykpi-core-bench-") as tmp:
        folder = Path(tmp)
        one = one_city(folder)
        end_to_end = one["template"] + one["validate"] + one["assess"]
        report(
            [
                ("template (write the workbook)", one["template"], "", ""),
                ("validate (read + check the filled workbook)", one["validate"], "", ""),
                ("assess (compute + write the three files)", one["assess"], "", ""),
                ("end to end, in process", end_to_end, f"< {ONE_CITY_TARGET_S:g} s", _verdict(end_to_end, 1.0)),
                ("`citykpi assess FILE` in a new process", one["cli"], "(information)", ""),
            ],
            "One city (median of 3, warm process)",
        )
        n, workers = args.cities, args.workers
        prepare_s, template_cpu, fill_cpu = batch_stage(
            "template + demo fill", _prepare_job, [(i, folder) for i in range(n)], workers
        )
        template_s = template_cpu / workers  # the template's share of the stage's wall clock
        rows: list[tuple[str, float, str, str]] = [
            (f"template ({template_cpu / n * 1000:.0f} ms/city; wall = CPU sum / {workers})", template_s, "", ""),
            (
                f"demo fill (the city's typing, information; {fill_cpu / n * 1000:.0f} ms/city)",
                prepare_s - template_s,
                "",
                "",
            ),
        ]
        for label, suffix in (("workbooks", ".xlsx"), ("tidy CSV", ".csv")):
            jobs = [(i, folder, suffix) for i in range(n)]
            wall, validate_cpu, assess_cpu = batch_stage(
                f"validate + assess {label}", _validate_assess_job, jobs, workers
            )
            rows += [
                (f"validate + assess, {label} (wall)", wall, "", ""),
                (
                    f"   validate {validate_cpu / n * 1000:.0f} ms/city, assess {assess_cpu / n * 1000:.0f} ms/city",
                    validate_cpu + assess_cpu,
                    "(CPU sum)",
                    "",
                ),
            ]
            if suffix == ".xlsx":
                total = template_s + wall
                rows.append(
                    (
                        "template + validate + assess, workbooks",
                        total,
                        f"< {BATCH_TARGET_S:g} s",
                        _verdict(total, BATCH_TARGET_S),
                    )
                )
        report(rows, f"{n} cities, {workers} worker processes (wall clock)")
    console.print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
