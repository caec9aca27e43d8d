"""`citykpi kpis list|show`: browse the catalogue from a terminal or a script (`--format json`)."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from citykpi.cli.failure import fail
from citykpi.cli.options import FrameworkOption, load_catalogue
from citykpi.framework.levels import Level

if TYPE_CHECKING:
    from citykpi.framework.catalogue import Catalogue
    from citykpi.framework.model import Kpi


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


FormatOption = Annotated[OutputFormat, typer.Option("--format", help="table for people, json for scripts.")]


def register(app: typer.Typer) -> None:
    kpis = typer.Typer(help="Browse the KPI catalogue (U4SSC plus any --framework files).", no_args_is_help=True)
    kpis.command("list")(list_kpis)
    kpis.command("show")(show_kpi)
    app.add_typer(kpis, name="kpis")


def list_kpis(
    framework: FrameworkOption = None,
    format: FormatOption = OutputFormat.TABLE,
    dimension: Annotated[
        str | None, typer.Option(help="Only this dimension: a name (Economy) or a code prefix (EC).")
    ] = None,
    level: Annotated[Level | None, typer.Option(help="Only core or only advanced KPIs.", case_sensitive=False)] = None,
) -> None:
    """List the KPIs of the catalogue."""
    catalogue = load_catalogue(framework)
    selected = [
        k
        for k in catalogue.kpis.values()
        if (level is None or k.level.value == level) and (dimension is None or _in_dimension(k, dimension))
    ]
    if format is OutputFormat.JSON:
        rows = [_as_json(k, catalogue) for k in selected]
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    from citykpi.cli.catalogue_view import kpi_table

    _console().print(kpi_table(selected, catalogue))


def show_kpi(
    code: Annotated[str, typer.Argument(help="KPI code; spacing and case do not matter (ec:ict:ict:1c).")],
    framework: FrameworkOption = None,
    format: FormatOption = OutputFormat.TABLE,
) -> None:
    """Everything the catalogue knows about one KPI."""
    catalogue = load_catalogue(framework)
    try:
        kpi = catalogue.kpi(code)
    except KeyError:
        raise fail(catalogue.unknown_code_message(code)) from None
    if format is OutputFormat.JSON:
        typer.echo(json.dumps(_as_json(kpi, catalogue), ensure_ascii=False, indent=2))
        return
    from citykpi.cli.catalogue_view import kpi_details

    _console().print(*kpi_details(kpi, catalogue))


def _in_dimension(kpi: Kpi, wanted: str) -> bool:
    text = wanted.strip().lower()
    return kpi.dimension.lower() == text or kpi.code.split(":")[0].strip().lower() == text


def _as_json(kpi: Kpi, catalogue: Catalogue) -> dict[str, Any]:
    return {"framework": catalogue.framework_of(kpi.code), **kpi.model_dump(mode="json")}


def _console() -> Any:
    from rich.console import Console

    return Console(soft_wrap=False)
