"""`citykpi template`, `citykpi validate` and `citykpi fill`: the city team's commands.

This is the edge of the program: whatever a file does to the readers, the user gets a report
and an exit code (0 valid, 1 errors, 2 when the command cannot run: a broken framework
file, an output that is not .xlsx), never a traceback.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from citykpi.cli.failure import USAGE_ERROR_EXIT, fail
from citykpi.cli.options import FrameworkOption, load_catalogue

if TYPE_CHECKING:
    from citykpi.model.diagnostics import ValidationReport
    from citykpi.model.submission import Submission
    from citykpi.validate.files import CheckCatalogue


class ReportFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


def register(app: typer.Typer) -> None:
    app.command("template")(template)
    app.command("validate")(validate)
    app.command("fill")(fill)


def template(
    city: Annotated[str, typer.Option(help="City name, shown on every sheet.")],
    year: Annotated[int, typer.Option(help="Reference year of the data.", min=1900, max=2100)],
    output: Annotated[Path, typer.Option("--output", "-o", help="Workbook to write (.xlsx).")],
    country: Annotated[str, typer.Option(help="Country.")] = "",
    population: Annotated[float | None, typer.Option(help="Inhabitants.", min=0)] = None,
    households: Annotated[float | None, typer.Option(help="Number of households.", min=0)] = None,
    area: Annotated[float | None, typer.Option("--area", help="Land area in km².", min=0)] = None,
    gdp: Annotated[float | None, typer.Option(help="City GDP in --currency.", min=0)] = None,
    currency: Annotated[str, typer.Option(help="ISO 4217 currency code, e.g. EUR.")] = "",
    framework: FrameworkOption = None,
) -> None:
    """Write the collection workbook for a city and year."""
    from citykpi.collect.template import write_template
    from citykpi.model.submission import CityProfile

    if output.suffix.lower() != ".xlsx":
        raise _not_xlsx(output)
    catalogue = load_catalogue(framework)
    profile = CityProfile(
        city=city,
        country=country,
        year=year,
        population=population,
        households=households,
        area_km2=area,
        gdp=gdp,
        currency=currency.upper(),
    )
    try:
        path = write_template(catalogue, profile, output)
    except OSError as exc:
        raise fail(f"cannot write {output}: {exc.strerror or exc}", code=USAGE_ERROR_EXIT) from None
    rows = sum(len(k.inputs) + len(k.data_points) for k in catalogue.kpis.values())
    typer.echo(f"wrote {path} ({len(catalogue.kpis)} KPIs, {rows} rows to fill)")


def validate(
    file: Annotated[
        Path, typer.Argument(help="Workbook (.xlsx), tidy CSV, or data package (folder or datapackage.json).")
    ],
    format: Annotated[
        ReportFormat, typer.Option("--format", help="text for people, json for scripts.")
    ] = ReportFormat.TEXT,
    framework: FrameworkOption = None,
    annotate: Annotated[
        Path | None, typer.Option(help="Write a copy of the workbook with the problems highlighted and listed.")
    ] = None,
    max_mb: Annotated[float, typer.Option(help="Refuse files larger than this many megabytes.", min=0.001)] = 50,
) -> None:
    """Check a filled workbook, CSV or data package; exit 1 when it has errors."""
    from rich.console import Console

    from citykpi.cli.report_view import as_json, print_report
    from citykpi.collect.annotate import annotate_workbook

    catalogue = load_catalogue(framework)
    report = _read_submission(file, catalogue, max_mb)[1]
    if format is ReportFormat.JSON:
        typer.echo(as_json(report))
    else:
        print_report(report, Console(), file.name)
    if annotate is not None:
        result = annotate_workbook(file, report, annotate)
        if isinstance(result, Path):
            typer.echo(f"annotated copy: {result}", err=True)
        else:
            typer.echo(f"{result}", err=True)
    raise typer.Exit(0 if report.valid else 1)


def fill(
    file: Annotated[
        Path, typer.Argument(help="Tidy CSV, data package (folder or datapackage.json) or workbook to convert.")
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="Filled workbook to write (.xlsx).")],
    framework: FrameworkOption = None,
    max_mb: Annotated[float, typer.Option(help="Refuse files larger than this many megabytes.", min=0.001)] = 50,
) -> None:
    """Write the collection workbook filled with a CSV's, data package's or older workbook's data."""
    # The data are validated with `validate`'s rules first, and a file with errors writes nothing:
    # a value the reader refused would otherwise be missing from the workbook without a trace.
    from rich.console import Console

    from citykpi.cli.report_view import print_report
    from citykpi.collect.fill import write_filled

    if output.suffix.lower() != ".xlsx":
        raise _not_xlsx(output)
    catalogue = load_catalogue(framework)
    submission, report = _read_submission(file, catalogue, max_mb)
    if submission is None or not report.valid:
        print_report(report, Console(), file.name)
        raise fail(f"{output} was not written; fix the errors above first")
    written = write_filled(catalogue, submission, output)
    unwritten = next((d for d in written.errors if d.type == "output-error"), None)
    if unwritten is not None:
        raise fail(unwritten.message, code=USAGE_ERROR_EXIT)
    report = report.merged(written)
    if report.errors or report.warnings:
        print_report(report, Console(), file.name)
    typer.echo(f"wrote {output} ({len(submission.entries)} entries from {file.name})")
    raise typer.Exit(0 if report.valid else 1)


def _not_xlsx(output: Path) -> typer.Exit:
    return fail(f"the output must be an .xlsx file, not '{output.name}'", code=USAGE_ERROR_EXIT)


def _read_submission(
    file: Path, catalogue: CheckCatalogue, max_mb: float
) -> tuple[Submission | None, ValidationReport]:
    from citykpi.collect.safety import Limits
    from citykpi.model.diagnostics import ValidationReport, error
    from citykpi.validate.files import check_file

    try:
        checked = check_file(file, catalogue, Limits(max_bytes=int(max_mb * 1_000_000)))
        return checked.submission, checked.report
    except Exception as exc:
        message = f"the file could not be read ({type(exc).__name__}: {exc}); please report this as a bug"
        return None, ValidationReport.from_diagnostics([error("source-error", message, file=file.name)])
