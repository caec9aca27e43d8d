"""`citykpi ingest measurements`: station time series to KPI values, printed or written as submissions."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from citykpi.cli.failure import USAGE_ERROR_EXIT, fail
from citykpi.cli.options import FrameworkOption, load_catalogue

if TYPE_CHECKING:
    from rich.console import Console

    from citykpi.connectors.ingest import Ingest

ingest_app = typer.Typer(help="Turn raw measurements (station or meter time series) into KPI values.")
YEAR_SLOT = "{year}"
SHOWN_STATIONS = 5


def register(app: typer.Typer) -> None:
    app.add_typer(ingest_app, name="ingest")


@ingest_app.command("measurements")
def measurements(
    files: list[str] = typer.Argument(..., help="CSV (.csv, .csv.gz) or Parquet files or glob patterns of readings"),
    kpi: str = typer.Option(..., "--kpi", help="KPI code, e.g. 'EN: EN: AQ: 1C'"),
    city: str = typer.Option(..., "--city", help="City name (also used to filter a 'City' column)"),
    year: list[int] = typer.Option([], "--year", help="Reporting year (repeatable; default: every year read)"),
    output: str | None = typer.Option(
        None, "-o", "--output", help="Write the submission (.json or .csv); with several years put {year} in the name"
    ),
    unit: list[str] = typer.Option([], "--unit", help="Unit of a pollutant's readings, e.g. NO2=ppb (repeatable)"),
    time_column: str | None = typer.Option(None, "--time-column", help="Column with the date/time of a reading"),
    time_columns: str | None = typer.Option(
        None, "--time-columns", help="Year, month, day[, hour] columns, e.g. year,month,day,hour"
    ),
    station_column: str | None = typer.Option(None, "--station-column", help="Column naming the station"),
    coverage_rule: str | None = typer.Option(None, "--coverage-rule", help="Coverage rule (default: eu-2008-50)"),
    coverage_rules: Path | None = typer.Option(None, "--coverage-rules", help="YAML file of coverage rules"),
    allow_partial: bool = typer.Option(
        False, "--allow-partial", help="A year failing the coverage rule gives an estimate, not 'not available'"
    ),
    framework: FrameworkOption = None,
) -> None:
    """One KPI's annual means from station readings, printed and, with -o, written as a submission."""
    from rich.console import Console

    from citykpi.connectors.files import expand, source_label
    from citykpi.connectors.ingest import Options, ingest_measurements
    from citykpi.connectors.output import write_submission

    console = Console(stderr=True)
    units: dict[str, str] = {}
    for item in unit:
        name, sep, value = item.partition("=")
        if not sep or not value.strip():
            raise fail(f"--unit {item!r}: write POLLUTANT=UNIT, e.g. NO2=ppb", code=USAGE_ERROR_EXIT)
        units[name.strip()] = value.strip()
    try:
        found = load_catalogue(framework).kpi(kpi)
    except KeyError as exc:
        raise fail(exc.args[0], code=USAGE_ERROR_EXIT) from None
    paths, problems = expand(files)
    if problems:
        raise fail("no measurements read", problems)
    parts = [p.strip() for p in time_columns.split(",")] if time_columns else None
    options = Options(units, time_column, station_column, parts, coverage_rule, coverage_rules, allow_partial)
    result = ingest_measurements(paths, found, city, year, options)
    for warning in result.report.warnings:
        console.print(str(warning), style="yellow", markup=False)
    if not result.years:
        raise fail(f"no KPI values from {source_label(paths)}:", result.report.errors)
    for problem in result.report.errors:
        console.print(str(problem), style="red", markup=False)
    print_ingest(Console(), found.code, city, result)
    if output is None:
        return
    if len(result.years) > 1 and YEAR_SLOT not in output:
        message = f"-o {output}: {len(result.years)} years were read; put {YEAR_SLOT} in the file name"
        raise fail(message, code=USAGE_ERROR_EXIT)
    for done in result.years:
        target = Path(output.replace(YEAR_SLOT, str(done.year)))
        failure = write_submission(done.submission, target)
        if failure:
            raise fail(failure)
        console.print(f"wrote {target}")


def print_ingest(console: Console, code: str, city: str, ingest: Ingest) -> None:
    """The operator's table: one row per year and pollutant, the rule and the ignored columns above it."""
    from rich.table import Table

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
