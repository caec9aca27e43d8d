"""Cell rules hardened by issue 11: data-quality levels, digits, control characters, long texts, formulas in exports."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from rich.console import Console

from citykpi.cli.report_view import print_report
from citykpi.collect import cells
from citykpi.collect.cells import TEXT_LIMIT, Problem
from citykpi.collect.datapackage import MAX_RESOURCES, read_datapackage
from citykpi.collect.formula_guard import neutralised, restored
from citykpi.collect.tidy import read_csv, write_csv
from citykpi.framework.catalogue import Catalogue
from citykpi.model.diagnostics import Location, ValidationReport, error
from citykpi.model.submission import CityProfile, DataQuality, Entry, EntryKind, Status, Submission

ICT1 = "EC: ICT: ICT: 1C"


@pytest.mark.parametrize(
    ("typed", "level"),
    [
        ("3", 3),
        (3, 3),
        ("3.", 3),
        ("6 - Unknown methodology, not traceable", 6),
        ("Extrapolated based on survey of inhabitants", 2),
        ("personal estimation", 5),
    ],
)
def test_the_six_levels_are_read_as_digit_dropdown_text_or_words(typed: object, level: int) -> None:
    assert cells.quality(typed) == DataQuality(level)  # type: ignore[arg-type]


@pytest.mark.parametrize("typed", ["²", "①", "³ - Extrapolated", "٣", "３", "7", "0", "12", "9" * 5000, "1.5", "²1"])
def test_anything_else_is_refused_as_a_problem_not_an_exception(typed: str) -> None:
    result = cells.quality(typed)
    assert isinstance(result, Problem) and result.variant == "quality"
    assert len(result.message) < 200  # a 5,000-digit text is quoted cut


@pytest.mark.parametrize("typed", ["٣", "３", "1²", "١٢٣"])
def test_numbers_take_ascii_digits_only(typed: str) -> None:
    result = cells.number(typed)
    assert isinstance(result, Problem) and result.type == "type-error"


@pytest.mark.parametrize("typed", ["9" * 5000, 10**400, "1e309", "-1e999"])
def test_numbers_too_large_for_a_float_are_not_finite_problems(typed: object) -> None:
    result = cells.number(typed)  # type: ignore[arg-type]
    assert isinstance(result, Problem) and result.variant == "not-finite" and len(result.message) < 120


@pytest.mark.parametrize("code", [*range(32), 0x7F])
def test_every_control_character_is_refused_in_a_name_and_all_but_tab_and_breaks_in_notes(code: int) -> None:
    typed = f"Probe{chr(code)}City"
    name = cells.plain_text(typed, lines=False)
    assert isinstance(name, Problem) and f"U+{code:04X}" in name.message and "position 6" in name.message
    notes = cells.plain_text(typed, lines=True)
    if chr(code) in "\t\n\r":
        assert notes == typed
    else:
        assert isinstance(notes, Problem) and notes.variant == "control-character-lines"


def test_texts_are_refused_over_what_an_excel_cell_holds() -> None:
    assert cells.plain_text("é" * TEXT_LIMIT, lines=True) == "é" * TEXT_LIMIT
    refused = cells.plain_text("é" * (TEXT_LIMIT + 1), lines=True)
    assert isinstance(refused, Problem) and "32767" in refused.message and refused.variant == "text-length"


TEXTS = ['=HYPERLINK("http://x","x")', "+1+2", "-2+3", "@SUM(A1)", "\tx", "\rx", "'=x", "''@x", "'plain", "plain"]


@pytest.mark.parametrize("text", TEXTS)
def test_formula_like_texts_are_quoted_and_read_back_as_they_were(text: str) -> None:
    written = neutralised(text)
    assert written[0] not in "=+-@\t\r"
    assert restored(written) == text


@pytest.mark.parametrize("number", ["-3", "+1.5e3", "-0.25", "12"])
def test_numbers_are_never_quoted(number: str) -> None:
    assert neutralised(number) == number and neutralised(-3.0) == -3.0


def test_the_tidy_csv_quotes_formulas_and_reads_back_the_same(tmp_path: Path, catalogue: Catalogue) -> None:
    formula = '=HYPERLINK("http://evil.example","click")'
    entry = Entry(
        kpi=ICT1, kind=EntryKind.INPUT, name="households_with_internet", value=10.0, status=Status.REPORTED,
        notes=formula, source="-2+3", origin="@SUM(A1)",
    )  # fmt: skip
    profile = CityProfile(city="=Town", country="+CH", year=2024, households=8000)
    path = write_csv(Submission(profile=profile, entries=[entry]), tmp_path / "city.csv")
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert {r["notes"] for r in rows if r["kind"] == "input"} == {"'" + formula}
    assert all(r["city"] == "'=Town" and r["country"] == "'+CH" for r in rows)
    back, report = read_csv(path, catalogue)
    assert back is not None and report.valid, report.errors
    assert (back.profile.city, back.profile.country) == ("=Town", "+CH")
    assert (back.entries[0].notes, back.entries[0].source, back.entries[0].origin) == (formula, "-2+3", "@SUM(A1)")


def test_the_terminal_report_shows_twenty_per_type_and_never_reads_markup() -> None:
    problems = [error("type-error", f"[/red] bad value {i} \x1b[2J", file="f.csv", row=i + 2) for i in range(45)]
    console = Console(record=True, width=200)
    print_report(ValidationReport.from_diagnostics(problems), console, "[bold]f.csv")
    shown = console.export_text()
    assert "and 25 more of the same kind" in shown and "bad value 19" in shown and "bad value 20 " not in shown
    assert "[/red]" in shown and "[bold]f.csv" in shown and "\x1b" not in shown and "\\x1b[2J" in shown


def test_a_package_of_more_resources_than_the_limit_is_refused_before_any_is_read(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    descriptor = tmp_path / "datapackage.json"
    descriptor.write_text(json.dumps({"resources": [{"path": f"r{i}.csv"} for i in range(MAX_RESOURCES + 1)]}))
    submission, report = read_datapackage(descriptor, catalogue)
    assert submission is None
    assert [(d.type, d.variant) for d in report.errors] == [("hostile-file", "resources")]  # no "missing file" each


def test_a_nul_byte_in_a_resource_path_is_a_located_problem(tmp_path: Path, catalogue: Catalogue) -> None:
    descriptor = tmp_path / "datapackage.json"
    descriptor.write_text(json.dumps({"resources": [{"path": "data.csv\x00.txt"}]}))
    _, report = read_datapackage(descriptor, catalogue)
    assert [(d.type, d.variant, d.location) for d in report.errors] == [
        ("source-error", "path-control", Location(file="datapackage.json", field="resources[0].path"))
    ]
