"""`citykpi export` and `citykpi import`: assessment results to and from exchange formats."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from citykpi.cli.failure import fail
from citykpi.cli.options import FrameworkOption, load_catalogue


class ExchangeFormat(StrEnum):
    """The names of `citykpi.exchange.formats.EXPORTS`, spelled here so that `--help` needs no exporter.

    The last four are one-way views (`ONE_WAY`): `import` refuses them as formats it cannot read.
    """

    FRICTIONLESS = "frictionless"
    NGSI_LD = "ngsi-ld"
    SDMX_CSV = "sdmx-csv"
    OPEN_SDG = "open-sdg"
    ISO37120 = "iso37120"
    ISO37122 = "iso37122"
    ISO37123 = "iso37123"
    SDG_INDICATORS = "sdg-indicators"


def register(app: typer.Typer) -> None:
    app.command("export")(export_command)
    app.command("import")(import_command)


def export_command(
    files: list[Path] = typer.Argument(..., help="Assessment results (kpis.json or its folder) or submissions"),
    format: ExchangeFormat = typer.Option(..., "--format", "-f", help="The exchange format or one-way view to write."),
    output: Path = typer.Option(..., "-o", "--output", help="Folder to write"),
    keyvalues: bool = typer.Option(False, "--keyvalues", help="ngsi-ld: key-values entities instead of normalized"),
    no_scores: bool = typer.Option(False, "--no-scores", help="ngsi-ld: leave out target and currentStanding"),
    framework: FrameworkOption = None,
    context_url: str = typer.Option(
        "context.jsonld", "--context-url", help="ngsi-ld: where the U4SSC @context (context.jsonld) is published"
    ),
) -> None:
    """Export KPI results of one or more city-years in an exchange format."""
    from rich.console import Console

    from citykpi.exchange.formats import EXPORTS
    from citykpi.exchange.ngsi import export_ngsi
    from citykpi.exchange.sources import load_assessment
    from citykpi.scoring.targetfiles import default_book

    console = Console(stderr=True)
    catalogue = load_catalogue(framework)
    assessments, failed = [], False
    problems: list[object] = []
    for path in files:
        assessment, found = load_assessment(path, catalogue)
        problems += found
        failed |= assessment is None
        if assessment is not None:
            assessments.append(assessment)
    if failed:
        raise fail(f"{len(files) - len(assessments)} of {len(files)} file(s) cannot be exported:", problems)
    book = None if no_scores else default_book()
    if format is ExchangeFormat.NGSI_LD:
        form = "keyvalues" if keyvalues else "normalized"
        written = export_ngsi(assessments, catalogue.kpis, output, book, form, context_url)
    else:
        written = EXPORTS[format](assessments, catalogue.kpis, output, book)
    rows = sum(len(a.results) for a in assessments)
    console.print(f"{format}: {len(assessments)} city-year(s), {rows} KPI value rows → {output} ({len(written)} files)")


def import_command(
    path: Path = typer.Argument(..., help="An export folder (or datapackage.json / entities.jsonld)"),
    output: Path = typer.Option(..., "-o", "--output", help="Folder for one <city>-<year>/kpis.json per city-year"),
    format: ExchangeFormat | None = typer.Option(
        None, "--format", "-f", help="Format; detected from the folder when omitted"
    ),
) -> None:
    """Read exported KPI results back as assessment results (<city>-<year>/kpis.json, as `citykpi assess` writes)."""
    from rich.console import Console

    from citykpi.exchange.formats import import_any
    from citykpi.exchange.records import ascii_token
    from citykpi.exchange.sources import RESULTS_FILE
    from citykpi.model.errors import DiagnosticError

    console = Console(stderr=True)
    try:
        assessments = import_any(path, format.value if format else None)
    except DiagnosticError as exc:
        raise fail(f"{path} cannot be imported:", exc.diagnostics) from None
    for a in assessments:
        folder = output / f"{ascii_token(a.profile.city, '-').lower()}-{a.profile.year}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / RESULTS_FILE).write_text(a.model_dump_json(indent=1), encoding="utf-8")
    console.print(f"{len(assessments)} city-year(s) → {output}")
