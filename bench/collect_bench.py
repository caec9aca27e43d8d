"""Collection benchmark: template, and reading + validating one filled city in each input format.

Prints the median of several runs in a warm process (the catalogue loaded once), for the demo
town's fully filled U4SSC workbook, its tidy CSV and data package, and the annotated copy.

Usage: python bench/collect_bench.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table

from citykpi.collect.annotate import annotate_workbook
from citykpi.collect.datapackage import read_datapackage, write_datapackage
from citykpi.collect.template import write_template
from citykpi.collect.tidy import read_csv, write_csv
from citykpi.collect.workbook import read_workbook
from citykpi.demo.cities import city
from citykpi.demo.generate import generate
from citykpi.demo.workbook import write_filled
from citykpi.framework.catalogue import Catalogue


def median_seconds(action: Callable[[], object], repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    catalogue = Catalogue.load()
    submission = generate(list(catalogue.kpis.values()), city("Vellmarsk"), 2024)
    with tempfile.TemporaryDirectory(prefix="citykpi-collect-bench-") as tmp:
        folder = Path(tmp)
        filled = write_filled(catalogue, submission, folder / "filled.xlsx")
        csv = write_csv(submission, folder / "city.csv")
        package = write_datapackage(submission, folder / "package")
        _, report = read_workbook(filled, catalogue)
        steps = {
            "template (write the empty workbook)": lambda: write_template(
                catalogue, submission.profile, folder / "t.xlsx"
            ),
            "read + validate the filled workbook": lambda: read_workbook(filled, catalogue),
            "read + validate the tidy CSV": lambda: read_csv(csv, catalogue),
            "read + validate the data package (frictionless)": lambda: read_datapackage(package, catalogue),
            "annotated copy of the workbook": lambda: annotate_workbook(filled, report, folder / "checked.xlsx"),
        }
        table = Table(
            title=f"One city ({len(submission.entries)} filled rows), median of {args.repeat}", title_justify="left"
        )
        table.add_column("step")
        table.add_column("seconds", justify="right")
        for label, action in steps.items():
            table.add_row(label, f"{median_seconds(action, args.repeat):.3f}")
        Console().print(table)


if __name__ == "__main__":
    main()
