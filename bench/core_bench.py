"""Core path benchmark: template, validate and assess for one city, then for many cities in batch.

Targets (issue 2, section 6): one city end to end under 1 s; 1,000 cities under 60 s on 2 cores.
"End to end" here is what the software does for a city: write its template, read and validate the
filled workbook, assess it and write kpis.csv/kpis.json/summary.json. Filling the workbook is the
city team's work; the demo filler's time is printed for information only. The batch is run twice
from the same data: as workbooks and as tidy CSV files.

The template's city-independent sheets are built once per process (`collect.template`), so the
first template of each worker costs about twice a later one; the batch figures include that.
Workbooks are read by python-calamine unless they hold formulas or the like (`collect.sheets`).

Both wall-clock and CPU seconds are printed: on a shared machine the wall clock measures the other
users as much as citykpi, while CPU seconds / workers estimates the wall clock on idle cores.

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
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from citykpi.assess import assess
from citykpi.assess.output import write_assessment
from citykpi.collect.fill import entry_cells
from citykpi.collect.readers import read_any
from citykpi.collect.template import write_template
from citykpi.collect.tidy import write_csv
from citykpi.demo.cities import city, synthetic_city
from citykpi.demo.generate import generate
from citykpi.demo.workbook import edit_rows, write_filled
from citykpi.framework.catalogue import Catalogue
from timing import NOTHING, Took, timed

ONE_CITY_TARGET_S = 1.0
BATCH_TARGET_S = 60.0
console = Console(width=120)


def one_city(folder: Path, repeat: int = 3) -> dict[str, Took]:
    """Median time per step for the demo town, in this (warm) process."""
    catalogue = Catalogue.load()
    submission = generate(list(catalogue.kpis.values()), city("Vellmarsk"), 2024)
    filled = write_filled(catalogue, submission, folder / "one-filled.xlsx")
    steps: dict[str, list[Took]] = {"template": [], "validate": [], "assess": []}
    for n in range(repeat):
        template = folder / f"t{n}.xlsx"
        steps["template"].append(timed(lambda: write_template(catalogue, submission.profile, template))[0])  # noqa: B023
        took, (read, report) = timed(lambda: read_any(filled, catalogue))  # type: ignore[misc]
        assert read is not None and report.valid, report.errors
        steps["validate"].append(took)
        steps["assess"].append(timed(lambda: write_assessment(assess(read, catalogue), folder / "one-out"))[0])  # noqa: B023
    medians = {
        step: Took(statistics.median(t.wall for t in took), statistics.median(t.cpu for t in took))
        for step, took in steps.items()
    }
    command = [sys.executable, "-m", "citykpi.cli", "assess", str(filled), "-o", str(folder / "cli-out")]
    medians["cli"] = Took(timed(lambda: subprocess.run(command, check=True, capture_output=True))[0].wall, float("nan"))
    return medians


def _prepare_job(args: tuple[int, Path]) -> tuple[Took, Took]:
    """Template (timed), then the demo's typing into it (timed apart) and the same data as tidy CSV."""
    index, folder = args
    catalogue = Catalogue.load()
    submission = generate(list(catalogue.kpis.values()), synthetic_city(index), 2024)
    path = folder / f"city-{index:04d}.xlsx"
    template = timed(lambda: write_template(catalogue, submission.profile, path))[0]
    changes = {(e.kpi, e.kind.value, e.name): entry_cells(e) for e in submission.entries}
    fill = timed(lambda: edit_rows(path, changes))[0]
    write_csv(submission, folder / f"city-{index:04d}.csv")
    return template, fill


def _validate_assess_job(args: tuple[int, Path, str]) -> tuple[Took, Took]:
    index, folder, suffix = args
    catalogue = Catalogue.load()
    path = folder / f"city-{index:04d}{suffix}"
    validate, (submission, report) = timed(lambda: read_any(path, catalogue))  # type: ignore[misc]
    if submission is None or not report.valid:
        raise RuntimeError(f"{path.name} did not validate: {report.errors[:3]}")
    out = folder / "out" / f"{path.stem}{suffix}"
    return validate, timed(lambda: write_assessment(assess(submission, catalogue), out))[0]


def batch_stage(
    label: str, job: Callable[..., tuple[Took, Took]], jobs: list[tuple[object, ...]], workers: int
) -> tuple[float, Took, Took]:
    """Wall seconds of one stage on `workers` processes (with a progress bar), and the job's two
    timed steps summed over all cities."""
    first, second = NOTHING, NOTHING
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool, Progress(console=console, transient=True) as progress:
        task = progress.add_task(f"{label} ({len(jobs)} cities)", total=len(jobs))
        for a, b in pool.map(job, jobs, chunksize=8):
            first, second = first + a, second + b
            progress.advance(task)
    return time.perf_counter() - started, first, second


def _verdict(seconds: float, target: float) -> str:
    return "[green]meets[/]" if seconds < target else "[red]misses[/]"


def _table(title: str, rows: list[tuple[str, str, str, str, str]]) -> None:
    table = Table(title=title, title_justify="left")
    for column in ("step", "wall", "CPU", "target", ""):
        table.add_column(column)
    for row in rows:
        table.add_row(*row)
    console.print(table)


def _s(seconds: float) -> str:
    return "" if seconds != seconds else f"{seconds:.3f} s"


def report_one(one: dict[str, Took]) -> None:
    total = one["template"] + one["validate"] + one["assess"]
    target = f"< {ONE_CITY_TARGET_S:g} s"
    _table(
        "One city (median of 3, warm process)",
        [
            ("template (write the workbook)", _s(one["template"].wall), _s(one["template"].cpu), "", ""),
            ("validate (read + check the filled workbook)", _s(one["validate"].wall), _s(one["validate"].cpu), "", ""),
            ("assess (compute + write the three files)", _s(one["assess"].wall), _s(one["assess"].cpu), "", ""),
            ("end to end, in process", _s(total.wall), _s(total.cpu), target, _verdict(total.wall, ONE_CITY_TARGET_S)),
            ("`citykpi assess FILE` in a new process", _s(one["cli"].wall), "", "(information)", ""),
        ],
    )


def run_batch(n: int, workers: int, folder: Path) -> None:
    prepare_wall, template, fill = batch_stage(
        "template + demo fill", _prepare_job, [(i, folder) for i in range(n)], workers
    )
    per_city = f"{template.cpu / n * 1000:.0f} ms CPU/city"
    rows = [
        (
            f"template ({per_city}; wall = its share of the stage)",
            _s(template.wall / workers),
            _s(template.cpu),
            "",
            "",
        ),
        ("template + demo fill stage (fill is the city's typing)", _s(prepare_wall), _s((template + fill).cpu), "", ""),
    ]
    for label, suffix in (("workbooks", ".xlsx"), ("tidy CSV", ".csv")):
        jobs: list[tuple[object, ...]] = [(i, folder, suffix) for i in range(n)]
        wall, validate, assessed = batch_stage(f"validate + assess {label}", _validate_assess_job, jobs, workers)
        detail = f"{validate.cpu / n * 1000:.0f} + {assessed.cpu / n * 1000:.0f} ms CPU/city"
        rows.append((f"validate + assess, {label} ({detail})", _s(wall), _s((validate + assessed).cpu), "", ""))
        # A CSV comes from the city's own system, not from the template; workbooks need both.
        with_template = suffix == ".xlsx"
        measured = wall + (template.wall / workers if with_template else 0.0)
        idle = ((template if with_template else NOTHING) + validate + assessed).cpu / workers
        steps = "template + validate + assess" if with_template else "validate + assess"
        target = f"< {BATCH_TARGET_S:g} s"
        rows += [
            (f"{steps}, {label}: measured", _s(measured), "", target, _verdict(measured, BATCH_TARGET_S)),
            (
                f"   estimate on {workers} idle cores (CPU / {workers})",
                _s(idle),
                "",
                target,
                _verdict(idle, BATCH_TARGET_S),
            ),
        ]
    _table(f"{n} cities, {workers} worker processes", rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cities", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    console.print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="citykpi-core-bench-") as tmp:
        report_one(one_city(Path(tmp)))
        run_batch(args.cities, args.workers, Path(tmp))
    console.print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
