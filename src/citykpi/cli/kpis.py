"""`citykpi kpis list|show|select`: browse the catalogue from a terminal or a script (`--format json`)."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from citykpi.cli.failure import fail
from citykpi.cli.options import FrameworkOption, load_catalogue
from citykpi.framework.levels import Level

if TYPE_CHECKING:
    from citykpi.framework.catalogue import Catalogue
    from citykpi.framework.model import Kpi
    from citykpi.framework.select import Held, Proposal


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


FormatOption = Annotated[OutputFormat, typer.Option("--format", help="table for people, json for scripts.")]


def register(app: typer.Typer) -> None:
    kpis = typer.Typer(help="Browse the KPI catalogue (U4SSC plus any --framework files).", no_args_is_help=True)
    kpis.command("list")(list_kpis)
    kpis.command("show")(show_kpi)
    kpis.command("select")(select_kpis)
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


def select_kpis(
    sdg: Annotated[
        list[int] | None, typer.Option("--sdg", help="An SDG the city pursues (1-17); repeat for several.")
    ] = None,
    theme: Annotated[
        list[str] | None, typer.Option("--theme", help="A theme (mobility, energy, water, ...); repeat for several.")
    ] = None,
    match_all: Annotated[bool, typer.Option("--all", help="Only KPIs matching every SDG and theme given.")] = False,
    have: Annotated[
        Path | None, typer.Option("--have", help="A workbook, tidy CSV or data package of the data the city holds.")
    ] = None,
    level: Annotated[Level | None, typer.Option(help="Only core or only advanced KPIs.", case_sensitive=False)] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the selection: .csv (a list) or .xlsx (its workbook).")
    ] = None,
    city: Annotated[str | None, typer.Option(help="City of the workbook (default: from --have).")] = None,
    year: Annotated[int | None, typer.Option(help="Year of the workbook (default: from --have).")] = None,
    framework: FrameworkOption = None,
    format: FormatOption = OutputFormat.TABLE,
) -> None:
    """Propose the KPIs that fit the city's goals and the data it already holds."""
    from citykpi.framework.select import select

    catalogue = load_catalogue(framework)
    held, profile = _held(have, catalogue) if have else (None, None)
    try:
        found = select(catalogue.kpis, sdg or [], theme or [], held, level, match_all)
    except KeyError as exc:
        raise fail(exc.args[0]) from None
    if format is OutputFormat.JSON:
        typer.echo(json.dumps([_proposal_json(p) for p in found], ensure_ascii=False, indent=2))
    else:
        from citykpi.cli.catalogue_view import proposal_table

        _console().print(proposal_table(found, held is not None))
    if out is not None:
        _write_selection(
            out,
            found,
            catalogue,
            city or (profile.city if profile else None),
            year or (profile.year if profile else None),
        )


def _held(path: Path, catalogue: Catalogue) -> tuple[Held, Any]:
    from citykpi.collect.readers import read_any
    from citykpi.framework.select import Held

    submission, report = read_any(path, catalogue)
    if submission is None:
        raise fail(f"{path.name} cannot be read:", report.errors)
    return Held.of(submission), submission.profile


def _proposal_json(p: Proposal) -> dict[str, Any]:
    return {
        "code": p.kpi.code,
        "name": p.kpi.name,
        "level": p.kpi.level.value,
        "reasons": list(p.reasons),
        "readiness": p.readiness.name.lower(),
        "held": p.held,
        "needed": p.needed,
    }


def _write_selection(
    out: Path, found: list[Proposal], catalogue: Catalogue, city: str | None, year: int | None
) -> None:
    suffix = out.suffix.lower()
    if suffix == ".csv":
        import csv

        rows = [_proposal_json(p) | {"reasons": "; ".join(p.reasons)} for p in found]
        with out.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(_PROPOSAL_COLUMNS))
            writer.writeheader()
            writer.writerows(rows)
    elif suffix == ".xlsx":
        if city is None or year is None:
            raise fail("a workbook needs --city and --year (or a --have file that gives them)")
        from citykpi.collect.template import write_template
        from citykpi.framework.select import subset
        from citykpi.model.submission import CityProfile

        chosen = subset(catalogue.kpis, catalogue.frameworks, [p.kpi.code for p in found], catalogue)
        write_template(chosen, CityProfile(city=city, year=year), out)
    else:
        raise fail(f"write the selection as .csv or .xlsx, not '{out.name}'")
    typer.echo(f"wrote {out} ({len(found)} KPIs)", err=True)


_PROPOSAL_COLUMNS = ("code", "name", "level", "reasons", "readiness", "held", "needed")


def _in_dimension(kpi: Kpi, wanted: str) -> bool:
    text = wanted.strip().lower()
    return kpi.dimension.lower() == text or kpi.code.split(":")[0].strip().lower() == text


def _as_json(kpi: Kpi, catalogue: Catalogue) -> dict[str, Any]:
    return {"framework": catalogue.framework_of(kpi.code), **kpi.model_dump(mode="json")}


def _console() -> Any:
    from rich.console import Console

    return Console(soft_wrap=False)
