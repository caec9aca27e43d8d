"""`citykpi export` and `citykpi import`: assessment results to and from exchange formats."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from citykpi.cli.failure import fail
from citykpi.cli.options import FrameworkOption, load_catalogue

if TYPE_CHECKING:
    from citykpi.scoring.targets import TargetBook


class ExchangeFormat(StrEnum):
    """The names of `citykpi.exchange.formats.FORMATS`, spelled here so that `--help` needs no exporter."""

    FRICTIONLESS = "frictionless"
    NGSI_LD = "ngsi-ld"
    SDMX_CSV = "sdmx-csv"
    OPEN_SDG = "open-sdg"


def register(app: typer.Typer) -> None:
    app.command("export")(export_command)
    app.command("import")(import_command)


def export_command(
    files: list[Path] = typer.Argument(..., help="Assessment results (kpis.json or its folder) or submissions"),
    format: ExchangeFormat = typer.Option(..., "--format", "-f", help="The exchange format to write."),
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

    from citykpi.exchange.formats import FORMATS
    from citykpi.exchange.ngsi import export_ngsi
    from citykpi.exchange.sources import load_assessment

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
    book = None if no_scores else _target_book()
    if format is ExchangeFormat.NGSI_LD:
        form = "keyvalues" if keyvalues else "normalized"
        written = export_ngsi(assessments, catalogue.kpis, output, book, form, context_url)
    else:
        written = FORMATS[format].export(assessments, catalogue.kpis, output, book)
    rows = sum(len(a.results) for a in assessments)
    console.print(f"{format}: {len(assessments)} city-year(s), {rows} KPI value rows → {output} ({len(written)} files)")


def _target_book() -> TargetBook:
    from citykpi.scoring.targetfiles import default_target_set
    from citykpi.scoring.targets import TargetBook

    return TargetBook([default_target_set()])


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
        assessments = import_any(path, format)
    except DiagnosticError as exc:
        raise fail(f"{path} cannot be imported:", exc.diagnostics) from None
    for a in assessments:
        folder = output / f"{ascii_token(a.profile.city, '-').lower()}-{a.profile.year}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / RESULTS_FILE).write_text(a.model_dump_json(indent=1), encoding="utf-8")
    console.print(f"{len(assessments)} city-year(s) → {output}")
