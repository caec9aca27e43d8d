"""The edges of an ingest: a terminal table for the operator and a submission file for the pipeline."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from citykpi.connectors.ingest import Ingest
from citykpi.model.submission import Submission

SHOWN_STATIONS = 5


def print_ingest(console: Console, code: str, city: str, ingest: Ingest) -> None:
    if ingest.rule is not None:
        console.print(f"coverage rule {ingest.rule.describe()}", markup=False)
    if ingest.ignored:
        console.print(f"ignored (pollutants {code} does not use): {', '.join(ingest.ignored)}", markup=False)
    table = Table(title=f"{code} — {city} (µg/m³)")
    for column in ("year", "pollutant", "annual mean", "quality", "stations used", "coverage of the year"):
        table.add_column(column)
    for done in ingest.years:
        for m in done.means:
            value = "n/a" if m.value is None else f"{m.value:.2f}" + (" (estimate)" if m.estimate else "")
            quality = "" if m.quality is None else str(int(m.quality))
            shown = m.used or m.stations
            listed = ", ".join(f"{s.station} {s.coverage.brief()}" for s in shown[:SHOWN_STATIONS])
            more = f" (+{len(shown) - SHOWN_STATIONS})" if len(shown) > SHOWN_STATIONS else ""
            table.add_row(str(m.year), m.label, value, quality, f"{len(m.used)} / {len(m.stations)}", listed + more)
    console.print(table)
    if any(m.value is None and any(s.mean is not None for s in m.stations) for y in ingest.years for m in y.means):
        console.print("n/a with readings: the year fails the coverage rule; --allow-partial gives an estimate instead")


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
