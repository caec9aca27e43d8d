"""A maturity self-assessment end to end: the blank workbook, typed in, validated, assessed and reported."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from citykpi.cli import app

runner = CliRunner()
SHEET = "Net Zero maturity"
ANSWERS = {  # criterion -> (level typed, evidence, verifier's answer)
    "NZM: 1": (2, "Climate plan 2023, council decision 17/2023", "YES"),
    "NZM: 2": ("4", "Smart-meter roll-out report 2024", "YES"),
    "NZM: 3": (1, "Building renovation baseline 2022", "NO"),
    "NZM: 5": ("5", "Annual GHG inventory 2019-2024", None),
}


def run(*args: str | Path) -> tuple[int, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.output


def columns(ws: openpyxl.worksheet.worksheet.Worksheet) -> dict[str, int]:
    header = next(r for r in ws.iter_rows(min_row=1, max_row=5) if r[0].value == "KPI code")
    return {str(c.value): c.column for c in header if c.value}


def fill(path: Path, answers: dict[str, tuple[object, str, str | None]]) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET]
    col = columns(ws)
    for row in ws.iter_rows(min_row=4):
        code = row[0].value
        if code in answers:
            level, evidence, verified = answers[code]
            ws.cell(row[0].row, col["Value"], level)
            ws.cell(row[0].row, col["Data source"], evidence)
            ws.cell(row[0].row, col["Verified"], verified)
    wb.save(path)


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    path = tmp_path / "pully-2024.xlsx"
    code, output = run(
        "template", "--city", "Pully", "--year", "2024", "--population", "18000", "--framework", "net-zero-maturity",
        "-o", path,
    )  # fmt: skip
    assert code == 0, output
    fill(path, ANSWERS)
    return path


def test_workbook_validate_assess_report(workbook: Path, tmp_path: Path) -> None:
    # The sheet shows what each level means beside the answer.
    ws = openpyxl.load_workbook(workbook)[SHEET]
    definitions = [r[columns(ws)["Short definition"] - 1] for r in ws.iter_rows(min_row=4, values_only=True) if r[0]]
    assert all("Level 1 - strategy developed" in str(d) and "Level 5 - long-term" in str(d) for d in definitions)

    code, output = run("validate", workbook, "--framework", "net-zero-maturity")
    assert code == 0, output

    code, output = run("assess", workbook, "--framework", "net-zero-maturity", "-o", tmp_path / "out")
    assert code == 0, output
    results = {r["code"]: r for r in json.loads((tmp_path / "out" / "kpis.json").read_text())["results"]}
    assert results["NZM: 1"]["value_text"] == "2" and results["NZM: 1"]["source"].startswith("Climate plan")
    assert results["NZM: 3"]["verified"] is False
    assert results["NZM: 4"]["status"] == "not reported"

    page_path = tmp_path / "v.html"
    code, output = run(
        "report", workbook, "--framework", "net-zero-maturity", "--kind", "verification", "-o", page_path
    )
    assert code == 0, output
    page = page_path.read_text(encoding="utf-8")
    section = page[page.index("<h2>Maturity self-assessment</h2>") :]
    section = section[: section.index("</section>")]
    assert section.count("<svg") == 1  # the chart of levels
    rows = section.split("<tr>")[2:]  # after the header row
    assert len(rows) == 6
    first = rows[0]
    assert "NZM: 1" in first and ">2<" in first and "Level 2 - first interim targets" in first
    assert "Climate plan 2023, council decision 17/2023" in first and "yes" in first
    assert "Not reported" in rows[3]  # NZM: 4 was not answered
    assert "Level 5 - long-term (net-zero) targets reached." in rows[4]
    # The chart draws a bar per criterion, its tooltip saying what the level means and the evidence.
    assert "Evidence: Annual GHG inventory 2019-2024" in section


def test_a_level_outside_1_to_5_is_a_located_error(workbook: Path) -> None:
    fill(workbook, {"NZM: 6": (7, "self-declared", None)})
    code, output = run("validate", workbook, "--framework", "net-zero-maturity", "--format", "json")
    assert code == 1
    (problem,) = json.loads(output)["errors"]
    assert problem["location"]["sheet"] == SHEET and problem["location"]["kpi"] == "NZM: 6"
    assert problem["location"]["cell"].startswith("I")
    assert problem["message"] == "'7' is not one of the allowed answers: 1, 2, 3, 4, 5"
