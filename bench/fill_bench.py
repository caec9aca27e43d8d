"""Filling the collection workbook back with one city's data: the one-pass filler against the old path.

new: `collect.fill.write_filled`, the template built in memory, the values typed in, one save.
old: the path the demo and the API took before: the template saved, loaded again, edited, saved again
(with the same row finder, so the difference is the extra save and load).
Runs alternate (new, old, new, ...) so that the shared machine's load falls on both alike; the
figures are medians of wall and CPU seconds in a warm process (the catalogue loaded once).

Usage: python bench/fill_bench.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from pathlib import Path

from openpyxl import load_workbook
from rich.console import Console
from rich.table import Table

from citykpi.collect.fill import entry_cells, type_rows, write_filled
from citykpi.collect.template import write_template
from citykpi.demo.cities import CITIES
from citykpi.demo.generate import generate
from citykpi.framework.catalogue import Catalogue
from citykpi.model.submission import Submission
from timing import Took, timed


def old_path(catalogue: Catalogue, submission: Submission, path: Path) -> None:
    write_template(catalogue, submission.profile, path)
    wb = load_workbook(path)
    type_rows(wb, {(e.kpi, e.kind.value, e.name): entry_cells(e) for e in submission.entries})
    wb.save(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=7)
    args, _ = parser.parse_known_args()
    catalogue = Catalogue.load()
    table = Table(title=f"Filled workbook for one city, median of {args.repeat} runs", title_justify="left")
    for column in ("city (filled rows)", "new wall s", "new CPU s", "old wall s", "old CPU s", "new / old (CPU)"):
        table.add_column(column, justify="left" if column.startswith("city") else "right")
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="citykpi-fill-bench-") as tmp:
        folder = Path(tmp)
        for spec in CITIES:
            submission = generate(list(catalogue.kpis.values()), spec, 2024)
            new: list[Took] = []
            old: list[Took] = []
            for _ in range(args.repeat):
                new.append(timed(lambda: write_filled(catalogue, submission, folder / "new.xlsx"))[0])  # noqa: B023
                old.append(timed(lambda: old_path(catalogue, submission, folder / "old.xlsx"))[0])  # noqa: B023
            medians = [statistics.median(getattr(t, part) for t in ts) for ts in (new, old) for part in ("wall", "cpu")]
            table.add_row(
                f"{spec.name} ({len(submission.entries)})",
                *(f"{m:.3f}" for m in medians),
                f"{medians[1] / medians[3]:.2f}",
            )
    console = Console(width=120)
    console.print(table)
    console.print(f"load average before {load:.1f}, after {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
