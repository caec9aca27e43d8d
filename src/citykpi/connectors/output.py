"""The edges of an ingest: a terminal table for the operator and a submission file for the pipeline."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table

from citykpi.connectors.airquality import AnnualMean
from citykpi.model.submission import Submission


def print_means(console: Console, code: str, city: str, year: int, means: Sequence[AnnualMean]) -> None:
    table = Table(title=f"{code} — {city} {year} (µg/m³)")
    for column in ("pollutant", "annual mean", "data quality", "stations used", "completeness of stations used"):
        table.add_column(column)
    for m in means:
        value = "n/a" if m.value is None else f"{m.value:.2f}"
        quality = "" if m.quality is None else f"{int(m.quality)} {m.quality.label}"
        completeness = ", ".join(f"{s.station} {s.completeness:.0%}" for s in m.used[:5])
        more = f" (+{len(m.used) - 5})" if len(m.used) > 5 else ""
        table.add_row(m.label, value, quality, f"{len(m.used)} / {len(m.stations)}", completeness + more)
    console.print(table)


def write_submission(submission: Submission, path: Path) -> str | None:
    """Writes the tidy CSV that `citykpi assess` reads (.csv) or the Submission as JSON (.json); returns
    the reason on failure."""
    from citykpi.collect.tidy import write_csv

    suffix = path.suffix.lower()
    if suffix not in (".csv", ".json"):
        return f"{path}: write the submission as .csv (tidy, for citykpi assess) or .json"
    try:
        if suffix == ".csv":
            write_csv(submission, path)
        else:
            path.write_text(submission.model_dump_json(indent=2, exclude_defaults=True), encoding="utf-8")
    except OSError as exc:
        return f"{path}: cannot write: {exc.strerror or exc}"
    return None
