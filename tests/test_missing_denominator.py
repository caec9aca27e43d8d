"""One KPI, one verdict: a fresh template with smart_water_meters filled and water_meters left empty.

`validate` warns at the empty cell, naming the KPI and the missing input; `assess` puts the KPI in
error for the same reason; the City Snapshot prints that reason beside "Error". (The API import
answer and the web pages: tests/api and tests/web, same workbook.)
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from citykpi.cli import app
from citykpi.demo.workbook import write_filled
from citykpi.framework.catalogue import Catalogue
from citykpi.model.submission import CityProfile, Entry, EntryKind, Status, Submission

KPI = "EC: ICT: WS: 1C"
REASON = "needs water_meters (not reported)"


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    given = Entry(kpi=KPI, kind=EntryKind.INPUT, name="smart_water_meters", value=5000, status=Status.REPORTED)
    submission = Submission(profile=CityProfile(city="Testville", year=2024, population=1e5), entries=[given])
    return write_filled(Catalogue.load(), submission, tmp_path_factory.mktemp("wb") / "testville-2024.xlsx")


def test_validate_warns_at_the_empty_input_naming_the_kpi(workbook: Path) -> None:
    done = CliRunner().invoke(app, ["validate", str(workbook), "--format", "json"])
    assert done.exit_code == 0, done.output  # a warning: the file stays valid
    report = json.loads(done.output)
    (warning,) = [w for w in report["warnings"] if w["type"] == "missing-input"]
    assert warning["location"] | {"file": None} == {
        "file": None, "sheet": "Economy", "cell": "I17", "row": 17, "column": None, "kpi": KPI, "field": None,
    }  # fmt: skip
    assert KPI in warning["message"] and "water_meters" in warning["message"] and REASON in warning["message"]
    assert warning["params"]["name"] == "water_meters" and warning["params"]["given"] == "smart_water_meters"


def test_assess_gives_the_same_reason(workbook: Path, tmp_path: Path) -> None:
    done = CliRunner().invoke(app, ["assess", str(workbook), "-o", str(tmp_path)])
    assert done.exit_code == 0, done.output
    with (tmp_path / "kpis.csv").open(encoding="utf-8") as handle:
        (row,) = [r for r in csv.DictReader(handle) if r["code"] == KPI]
    assert (row["status"], row["reason"]) == ("error", REASON)


def test_the_snapshot_prints_error_with_the_reason(workbook: Path, tmp_path: Path) -> None:
    page = tmp_path / "snapshot.html"
    done = CliRunner().invoke(app, ["report", str(workbook), "-o", str(page)])
    assert done.exit_code == 0, done.output
    html = page.read_text(encoding="utf-8")
    assert f"Error: {REASON}" in html
