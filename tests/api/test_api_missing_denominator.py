"""The API import answer lists the empty-denominator warning `citykpi validate` gives, and the stored
result and the snapshot give the KPI's reason (see tests/test_missing_denominator.py)."""

from __future__ import annotations

from pathlib import Path

from apiworld import World

from citykpi.collect.tidy import write_csv
from citykpi.demo.workbook import write_filled
from citykpi.framework.catalogue import Catalogue
from citykpi.model.submission import CityProfile, Entry, EntryKind, Status, Submission

KPI = "EC: ICT: WS: 1C"
REASON = "needs water_meters (not reported)"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_import_answer_lists_the_warning_and_results_give_the_reason(world: World, tmp_path: Path) -> None:
    given = Entry(kpi=KPI, kind=EntryKind.INPUT, name="smart_water_meters", value=5000, status=Status.REPORTED)
    submission = Submission(profile=CityProfile(city="Alpha", year=2023, population=250_000), entries=[given])
    path = write_filled(Catalogue.load(), submission, tmp_path / "alpha-2023.xlsx")
    editor, period = world.client("editor"), world.periods["alpha"]

    answer = editor.post(f"/api/v1/periods/{period}/import", files={"file": (path.name, path.read_bytes(), XLSX)})
    assert answer.status_code == 200, answer.text
    report = answer.json()["report"]
    assert report["valid"] is True and report["errors"] == []
    (warning,) = [w for w in report["warnings"] if w["type"] == "missing-input"]
    assert (warning["location"]["sheet"], warning["location"]["cell"], warning["location"]["kpi"]) == (
        "Economy",
        "I17",
        KPI,
    )
    assert REASON in warning["message"]

    results = editor.get(f"/api/v1/periods/{period}/results", params={"limit": 500}).json()["items"]
    (result,) = [r for r in results if r["code"] == KPI]
    assert (result["status"], result["record"]["reason"]) == ("error", REASON)
    snapshot = editor.get(f"/api/v1/periods/{period}/reports/snapshot")
    assert snapshot.status_code == 200 and f"Error: {REASON}" in snapshot.text


def test_a_refused_import_lists_each_file_error_once(world: World, tmp_path: Path) -> None:
    """The period check (another city) adds its error to the file's; neither is repeated."""
    bad = Entry(kpi=KPI, kind=EntryKind.INPUT, name="smart_water_meters", value=-5, status=Status.REPORTED)
    submission = Submission(profile=CityProfile(city="Beta", year=2023), entries=[bad])
    path = write_csv(submission, tmp_path / "beta-2023.csv")
    editor, period = world.client("editor"), world.periods["alpha"]
    answer = editor.post(f"/api/v1/periods/{period}/import", files={"file": (path.name, path.read_bytes(), "text/csv")})
    assert answer.status_code == 422, answer.text
    errors = answer.json()["error"]["report"]["errors"]
    assert sorted(e["type"] for e in errors) == ["constraint-error", "period-mismatch"]
