"""`citykpi report` and `citykpi compare`: files in, a self-contained HTML page (and a PDF) out.

All inputs (data files, target files, the recommendations file) are read and checked before
anything is written, and every problem is printed with its location; no traceback for bad input.
"""

from __future__ import annotations

from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from citykpi.cli import options
from citykpi.cli.failure import fail
from citykpi.cli.options import (
    FrameworkOption,
    Lang,
    LangOption,
    NoDefaultTargetsOption,
    PdfOption,
    TargetsOption,
)

if TYPE_CHECKING:
    from citykpi.framework.catalogue import Catalogue
    from citykpi.model.assessment import Assessment
    from citykpi.report.content import CityReport
    from citykpi.scoring.targets import TargetBook


class Kind(StrEnum):
    SNAPSHOT = "snapshot"
    VERIFICATION = "verification"
    PROFILE = "profile"


FilesArgument = Annotated[
    list[Path], typer.Argument(help="Collection workbooks, tidy CSV or datapackage.json; several years of one city.")
]
HtmlOut = Annotated[Path, options.out("The HTML file to write.")]


def register(app: typer.Typer) -> None:
    app.command("report")(report_command)
    app.command("compare")(compare_command)


def load_book(paths: list[Path] | None, use_default: bool, catalogue: Catalogue) -> TargetBook:
    from citykpi.scoring.averaging import check_averaging
    from citykpi.scoring.targetfiles import check_against_catalogue, default_target_set, numbered, read_targets
    from citykpi.scoring.targets import TargetBook

    sets = [default_target_set()] if use_default else []
    points = {code: [d.key for d in kpi.data_points] for code, kpi in catalogue.kpis.items()}
    for path in paths or []:
        target_set, report = read_targets(path)
        if target_set is None or not report.valid:
            raise fail(f"the target file {path} has problems:", [str(d) for d in report.errors])
        wrong_period = check_averaging(numbered(target_set, str(path)), catalogue.kpis, str(path))
        if wrong_period:
            raise fail(f"the target file {path} has targets of another averaging period:", wrong_period)
        for warning in check_against_catalogue(target_set, points, str(path)):
            typer.echo(f"Warning: {warning}", err=True)
        sets.append(target_set)
    return TargetBook(sets)


def read_assessments(files: list[Path], catalogue: Catalogue) -> list[Assessment]:
    from citykpi.validate.files import check_file

    assessments: list[Assessment] = []
    problems: list[str] = []
    for path in files:
        checked = check_file(path, catalogue)
        if checked.accepted is None:
            problems += [f"{path.name}: {d}" for d in checked.report.errors] or [f"{path.name}: cannot be read"]
        else:
            assessments.append(checked.accepted)
    if problems:
        raise fail(f"{len(files) - len(assessments)} of {len(files)} file(s) have errors; nothing written.", problems)
    return assessments


def by_city(assessments: list[Assessment], files: list[Path]) -> dict[tuple[str, str], list[Assessment]]:
    """Assessments per city (its name and its country), refusing the same city and year twice.

    London, Canada 2015 and London, United Kingdom 2016 are two cities of one year each, never a trend.
    """
    cities: dict[tuple[str, str], list[Assessment]] = {}
    seen: dict[tuple[str, str, int], Path] = {}
    for assessment, path in zip(assessments, files, strict=True):
        profile = assessment.profile
        key = (*profile.place, profile.year)
        if key in seen:
            raise fail(
                f"{seen[key].name} and {path.name} are both {profile.place_label} {profile.year}; "
                "give each city and year once."
            )
        seen[key] = path
        cities.setdefault(profile.place, []).append(assessment)
    return cities


def write(page: str, out: Path, pdf: Path | None) -> None:
    from citykpi.report.render import pdf as write_pdf

    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    typer.echo(f"HTML: {out}")
    if pdf is not None:
        pdf.parent.mkdir(parents=True, exist_ok=True)
        write_pdf(page, pdf)
        typer.echo(f"PDF:  {pdf}")


def city_reports(
    files: list[Path], framework: list[Path] | None, targets: list[Path] | None, use_default: bool
) -> list[CityReport]:
    from citykpi.report.content import build

    catalogue = options.load_catalogue(framework)
    book = load_book(targets, use_default, catalogue)
    cities = by_city(read_assessments(files, catalogue), files)
    return [build(history, catalogue.kpis, book) for history in cities.values()]


def report_command(
    files: FilesArgument,
    out: HtmlOut,
    kind: Annotated[Kind, typer.Option("--kind", help="Which report.")] = Kind.SNAPSHOT,
    pdf: PdfOption = None,
    targets: TargetsOption = None,
    no_default_targets: NoDefaultTargetsOption = False,
    framework: FrameworkOption = None,
    lang: LangOption = Lang.EN,
    recommendations: Annotated[
        Path | None, typer.Option("--recommendations", help="Recommendations file for --kind profile (YAML).")
    ] = None,
    context: Annotated[
        list[str] | None,
        typer.Option(
            "--context",
            help="For --kind profile: a context tag of the city, KIND=VALUE (e.g. income-group=high, "
            "pollution-source=heating; the recommendations file lists them); repeat for several. A recommendation "
            "meant for other contexts is left out.",
        ),
    ] = None,
) -> None:
    """A City Snapshot, Verification Report or SSC City Profile of one city; several years add progress."""
    from citykpi.report.pages import city_html
    from citykpi.report.recommendations import read_recommendations

    advice = None
    city: dict[str, str] = {}
    if context and kind is not Kind.PROFILE:
        raise fail("--context tags the city for the recommendations of --kind profile only.")
    if kind is Kind.PROFILE:
        advice, checked = read_recommendations(recommendations)
        if advice is None:
            raise fail("the recommendations file has problems:", [str(d) for d in checked.errors])
        city, wrong = advice.city_context(context or [])
        if wrong:
            raise fail("--context: a tag the recommendations file does not declare:", wrong)
    reports = city_reports(files, framework, targets, not no_default_targets)
    if len(reports) > 1:
        names = "; ".join(f"{r.latest.profile.place_label} {', '.join(map(str, r.years))}" for r in reports)
        raise fail(
            f"the files hold {len(reports)} cities ({names}); a city is its name and its country, and a report "
            "covers one city: use `citykpi compare` for several."
        )
    (report,) = reports
    write(city_html(report, kind.value, lang.value, advice, city), out, pdf)
    card = report.card.city
    share = f"{card.percent:.0f} %" if card.percent is not None else "no score"
    typer.echo(f"{report.latest.profile.city} {report.years}: {card.scored} data points scored, {share} of points")
    if report.peer_sets:
        typer.echo(
            f"{len(report.screening)} value(s) unusual among the reference cities ({'; '.join(report.peer_sets)})"
        )


def compare_command(
    files: Annotated[list[Path], typer.Argument(help="Files of several cities (the latest year of each is compared).")],
    out: HtmlOut,
    pdf: PdfOption = None,
    targets: TargetsOption = None,
    no_default_targets: NoDefaultTargetsOption = False,
    framework: FrameworkOption = None,
    lang: LangOption = Lang.EN,
) -> None:
    """Several cities side by side: ranked on the data points they all scored, per dimension and per KPI."""
    from citykpi.cli.compare_workers import DuplicatePlace, FileProblems, compared_cities, cores
    from citykpi.model.collector import few_collections
    from citykpi.report.pages import TABLES_PER_PART, compare_footers, compare_html, compare_parts
    from citykpi.report.render import pdf_of_parts

    few_collections()  # this process may read the files itself, and lays the PDF out when it is one part
    catalogue = options.load_catalogue(framework)
    book = load_book(targets, not no_default_targets, catalogue)
    try:
        cities = compared_cities(files, catalogue, book)
    except FileProblems as e:
        raise fail(f"{e.failed} of {len(files)} file(s) have errors; nothing written.", e.problems) from None
    except DuplicatePlace as e:
        city, country, year = e.place
        place = f"{city}, {country}" if country else city
        raise fail(f"{e.first} and {e.second} are both {place} {year}; give each city and year once.") from None
    write(compare_html(cities, book.names, lang.value), out, None)
    if pdf is not None:
        parts = compare_parts(cities, book.names, lang.value, TABLES_PER_PART)
        pdf.parent.mkdir(parents=True, exist_ok=True)
        pages = pdf_of_parts(parts, pdf, cores(), partial(compare_footers, lang=lang.value))
        typer.echo(f"PDF:  {pdf} ({pages} pages)")
