"""`citykpi ingest measurements`: station time series to KPI values, printed or written as a submission."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from citykpi.cli.failure import USAGE_ERROR_EXIT, fail
from citykpi.cli.options import FrameworkOption, load_catalogue

if TYPE_CHECKING:
    from rich.console import Console

    from citykpi.connectors.airquality import AnnualMean

ingest_app = typer.Typer(help="Turn raw measurements (station or meter time series) into KPI values.")


def register(app: typer.Typer) -> None:
    app.add_typer(ingest_app, name="ingest")


@ingest_app.command("measurements")
def measurements(
    file: Path = typer.Argument(..., help="CSV or Parquet file of readings (one row per time and station)"),
    kpi: str = typer.Option(..., "--kpi", help="KPI code, e.g. 'EN: EN: AQ: 1C'"),
    city: str = typer.Option(..., "--city", help="City name (also used to filter a 'City' column)"),
    year: int = typer.Option(..., "--year", help="Reporting year"),
    output: Path | None = typer.Option(None, "-o", "--output", help="Write the submission (.json or .csv)"),
    unit: list[str] = typer.Option([], "--unit", help="Unit of a pollutant's readings, e.g. NO2=ppb (repeatable)"),
    time_column: str | None = typer.Option(None, "--time-column", help="Column with the date/time of a reading"),
    station_column: str | None = typer.Option(None, "--station-column", help="Column naming the station"),
    framework: FrameworkOption = None,
) -> None:
    """One KPI's annual means from station readings, printed and, with -o, written as a submission."""
    from rich.console import Console

    from citykpi.connectors.ingest import Options, ingest_measurements
    from citykpi.connectors.output import write_submission

    console = Console(stderr=True)
    units: dict[str, str] = {}
    for item in unit:
        name, sep, value = item.partition("=")
        if not sep or not value.strip():
            raise fail(f"--unit {item!r}: write POLLUTANT=UNIT, e.g. NO2=ppb", code=USAGE_ERROR_EXIT)
        units[name.strip()] = value.strip()
    catalogue = load_catalogue(framework)
    try:
        found = catalogue.kpi(kpi)
    except KeyError as exc:
        raise fail(exc.args[0], code=USAGE_ERROR_EXIT) from None
    result = ingest_measurements(file, found, city, year, Options(units, time_column, station_column))
    for warning in result.report.warnings:
        console.print(f"[yellow]{warning}[/yellow]")
    if result.submission is None:
        raise fail(f"no KPI values from {file.name}:", result.report.errors)
    for problem in result.report.errors:
        console.print(f"[red]{problem}[/red]")
    print_means(Console(), found.code, city, year, result.means)
    if output is not None:
        failure = write_submission(result.submission, output)
        if failure:
            raise fail(failure)
        console.print(f"wrote {output}")


def print_means(console: Console, code: str, city: str, year: int, means: Sequence[AnnualMean]) -> None:
    """The operator's table of the annual means, one row per pollutant."""
    from rich.table import Table

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
