"""Long tidy CSV files through `citykpi validate`: refused at the row limit at once, errors printed in brief.

Issue 11 measured 33-76 s for `assess`/`validate` on CSV files over 100,000 rows, spent printing
every problem. Prints the wall time of the real command (in-process, the catalogue loaded once)
on: 100,001 data rows (over the limit: refused before a row is checked), and 100,000 data rows each
with an error, as the terminal report (the first 20 per type, then a count) and as JSON (every
problem). The baseline is the same read without any report printed, measured in the same run.

Usage: python bench/long_csv_bench.py
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
import time
from pathlib import Path

import typer

from citykpi.cli import app
from citykpi.collect.readers import read_any
from citykpi.collect.tidy import write_csv
from citykpi.demo.cities import city
from citykpi.demo.generate import generate
from citykpi.framework.catalogue import Catalogue


def timed(args: list[str]) -> tuple[float, int, int]:
    """Seconds, exit code and characters printed by `citykpi ARGS`."""
    command = typer.main.get_command(app)
    out = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = command.main(args=args, prog_name="citykpi", standalone_mode=False)
    return time.perf_counter() - started, code or 0, len(out.getvalue())


def main() -> None:
    catalogue = Catalogue.load()
    submission = generate(list(catalogue.kpis.values()), city("Vellmarsk"), 2024)
    with tempfile.TemporaryDirectory(prefix="citykpi-long-csv-") as tmp:
        folder = Path(tmp)
        lines = write_csv(submission, folder / "city.csv").read_text(encoding="utf-8").splitlines()
        row = lines[-1].split(",")
        row[6] = "x"  # the value column: a type error on every row
        bad = ",".join(row)
        over = folder / "over-limit.csv"
        over.write_text("\n".join([lines[0], *[lines[-1]] * 100_001]) + "\n", encoding="utf-8")
        errors = folder / "errors.csv"
        errors.write_text("\n".join([lines[0], *[bad] * 100_000]) + "\n", encoding="utf-8")
        timed(["validate", str(folder / "city.csv")])  # warm: imports, catalogue
        started = time.perf_counter()
        read_any(errors, catalogue)
        baseline = time.perf_counter() - started
        print(f"load average {os.getloadavg()[0]:.2f}; reading 100,000 rows of errors, no report: {baseline:.2f} s")
        for label, args in (
            ("100,001 rows, refused at once", ["validate", str(over)]),
            ("100,000 rows of errors, terminal report", ["validate", str(errors)]),
            ("100,000 rows of errors, JSON report", ["validate", str(errors), "--format", "json"]),
            ("100,000 rows of errors, assess", ["assess", str(errors), "-o", str(folder / "out")]),
        ):
            seconds, code, printed = timed(args)
            print(f"{label}: {seconds:.2f} s ({seconds / baseline:.2f}x the read), exit {code}, {printed:,} characters")


if __name__ == "__main__":
    main()
