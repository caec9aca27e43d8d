"""Report rendering figures: one city's snapshot as HTML and PDF, then snapshots of 150 cities.

Targets (issue 3): HTML under 1 s and PDF under 5 s per city; 150 city snapshots (HTML) under
2 minutes. Data come from the demo generator (fictional cities) and the real assessment engine;
only rendering is timed (building the report = scoring + progress + page), not data generation.
Wall-clock and CPU seconds are both printed, because the bench machine is shared.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from citykpi.assess.engine import assess
from citykpi.demo.cities import CitySpec, city, synthetic_city
from citykpi.demo.generate import generate
from citykpi.framework.catalogue import Catalogue
from citykpi.model.assessment import Assessment
from citykpi.report.content import build
from citykpi.report.pages import city_html
from citykpi.report.render import pdf
from citykpi.scoring.targetfiles import default_target_set
from citykpi.scoring.targets import TargetBook
from timing import timed

console = Console()
_worker: dict[str, object] = {}


def _start_worker() -> None:
    """Each worker process loads the catalogue and targets once, as a server process would.

    Workers are spawned, not forked: a fork after vl-convert has started its threads deadlocks.
    """
    catalogue = Catalogue.load()
    _worker["kpis"] = catalogue.kpis
    _worker["book"] = TargetBook([default_target_set()])


def _snapshot(path: Path, history: list[Assessment]) -> None:
    html = city_html(build(history, _worker["kpis"], _worker["book"]), "snapshot")  # type: ignore[arg-type]
    path.write_text(html, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cities", type=int, default=150)
    parser.add_argument("--years", type=int, nargs="+", default=[2022, 2024])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes for the many-city run")
    args = parser.parse_args()
    catalogue = Catalogue.load()
    kpis = list(catalogue.kpis.values())
    book = TargetBook([default_target_set()])

    def history(spec: CitySpec, years: list[int]) -> list[Assessment]:
        return [assess(generate(kpis, spec, y), catalogue) for y in years]

    rows: list[tuple[str, float, float, str]] = []
    one = history(city("Vellmarsk"), [2021, 2022, 2023, 2024])
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        took, page = timed(lambda: city_html(build(one, catalogue.kpis, book), "snapshot"))
        rows.append(("snapshot HTML, 1 city, first in process", took.wall, took.cpu, "< 1 s"))
        took, page = timed(lambda: city_html(build(one, catalogue.kpis, book), "snapshot"))
        rows.append(("snapshot HTML, 1 city, warm", took.wall, took.cpu, "< 1 s"))
        took, _ = timed(lambda: pdf(page, out / "one.pdf"))
        rows.append(("snapshot PDF, 1 city, first in process", took.wall, took.cpu, "< 5 s"))
        took, _ = timed(lambda: pdf(page, out / "one.pdf"))
        rows.append(("snapshot PDF, 1 city, warm", took.wall, took.cpu, "< 5 s"))

        console.print(f"Generating and assessing {args.cities} fictional cities x {len(args.years)} years (not timed)")
        histories = [history(synthetic_city(i), args.years) for i in range(args.cities)]
        columns = (
            TextColumn("snapshots"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
        )

        def all_snapshots() -> None:
            with (
                Progress(*columns, console=console) as bar,
                ProcessPoolExecutor(args.workers, get_context("spawn"), _start_worker) as pool,
            ):
                task = bar.add_task("snapshots", total=len(histories))
                jobs = [pool.submit(_snapshot, out / f"city-{i:03d}.html", h) for i, h in enumerate(histories)]
                for job in as_completed(jobs):
                    job.result()
                    bar.advance(task)

        took, _ = timed(all_snapshots)
        label = f"snapshot HTML, {args.cities} cities, {args.workers} worker process(es)"
        rows.append((label, took.wall, took.cpu, "< 120 s"))

    table = Table(title="citykpi report benchmark")
    for name in ("measure", "wall s", "CPU s", "target"):
        table.add_column(name, justify="right" if name.endswith("s") else "left")
    for name, wall, cpu, target in rows:
        table.add_row(name, f"{wall:.2f}", f"{cpu:.2f}", target)
    console.print(table)
    console.print(
        "CPU s counts every thread of this process (vl-convert renders charts on its own threads); "
        "for the many-city run it excludes the worker processes, so only wall time counts there."
    )


if __name__ == "__main__":
    main()
