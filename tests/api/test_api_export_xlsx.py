"""The workbook filled back through the API: export a period as .xlsx, import it again, nothing changes."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
from apiworld import World
from fastapi.testclient import TestClient
from httpx import Response

from citykpi.collect.tidy import write_csv
from citykpi.demo.cities import CITIES
from citykpi.demo.generate import generate
from citykpi.framework.catalogue import Catalogue
from citykpi.model.submission import CityProfile, Status

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _audit_total(client: TestClient, period: int) -> int:
    return int(client.get(f"/api/v1/periods/{period}/audit", params={"limit": 1}).json()["total"])


def _upload(client: TestClient, period: int, name: str, content: bytes, media: str) -> Response:
    return client.post(f"/api/v1/periods/{period}/import", files={"file": (name, io.BytesIO(content), media)})


def test_exported_workbook_has_the_values_and_imports_back_without_a_change(world: World, tmp_path: Path) -> None:
    editor, admin = world.client("editor"), world.client("admin")
    period = world.periods["alpha"]
    catalogue = Catalogue.load()
    demo = generate(list(catalogue.kpis.values()), CITIES[0], 2023)
    profile = CityProfile(city="Alpha", country="X", year=2023, population=250_000, households=110_000, currency="EUR")
    submission = demo.model_copy(update={"profile": profile})
    csv = write_csv(submission, tmp_path / "alpha-2023.csv")
    imported = _upload(editor, period, csv.name, csv.read_bytes(), "text/csv")
    assert imported.status_code == 200, imported.text
    assert imported.json()["created"] == len(submission.entries)
    before = _audit_total(admin, period)

    answer = editor.get(f"/api/v1/periods/{period}/export", params={"format": "xlsx"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == XLSX
    assert 'filename="alpha-2023.xlsx"' in answer.headers["content-disposition"]

    wb = openpyxl.load_workbook(io.BytesIO(answer.content))
    typed = {
        (row[0], row[2], row[3]): row
        for name in ("Economy", "Environment", "Society and Culture")
        for row in wb[name].iter_rows(min_row=4, values_only=True)
    }
    reported = [e for e in submission.entries if e.status is Status.REPORTED]
    assert reported
    for entry in reported:
        row = typed[(entry.kpi, entry.kind.value, entry.name)]
        expected = ("yes" if entry.value else "no") if isinstance(entry.value, bool) else entry.value
        assert (row[8], row[9], row[13]) == (expected, entry.source or None, "reported"), entry
    cover = {row[2]: row[1] for row in wb["Cover"].iter_rows(min_row=4, values_only=True)}
    assert (cover["city"], cover["year"], cover["households"], cover["currency"]) == ("Alpha", 2023, 110_000, "EUR")
    assert "Problems" not in wb.sheetnames

    again = _upload(editor, period, "alpha-2023.xlsx", answer.content, XLSX)
    assert again.status_code == 200, again.text
    outcome = again.json()
    assert (outcome["created"], outcome["updated"], outcome["unchanged"]) == (0, 0, len(submission.entries))
    assert outcome["report"]["valid"] is True
    assert _audit_total(admin, period) == before


def test_a_new_period_exported_and_imported_back_writes_no_audit_row(world: World) -> None:
    editor, admin = world.client("editor"), world.client("admin")
    period = world.periods["alpha"]
    before = _audit_total(admin, period)
    answer = editor.get(f"/api/v1/periods/{period}/export", params={"format": "xlsx"})
    assert answer.status_code == 200
    again = _upload(editor, period, "alpha-2023.xlsx", answer.content, XLSX)
    assert again.status_code == 200, again.text
    assert (again.json()["created"], again.json()["updated"]) == (0, 0)
    assert _audit_total(admin, period) == before


def test_exports_carry_the_verifiers_yes_or_no_of_each_kpi(world: World, tmp_path: Path) -> None:
    editor, verifier = world.client("editor"), world.client("verifier")
    period = world.periods["alpha"]
    submission = generate(list(Catalogue.load().kpis.values()), CITIES[0], 2023)
    submission = submission.model_copy(update={"profile": submission.profile.model_copy(update={"city": "Alpha"})})
    csv = write_csv(submission, tmp_path / "alpha-2023.csv")
    assert _upload(editor, period, csv.name, csv.read_bytes(), "text/csv").status_code == 200
    for to, who in (("submitted", editor), ("under_verification", verifier)):
        version = who.get(f"/api/v1/periods/{period}").json()["version"]
        assert who.post(f"/api/v1/periods/{period}/transitions", json={"to": to, "version": version}).status_code == 200
    reviews = verifier.get(f"/api/v1/periods/{period}/reviews").json()
    accepted, rejected = reviews[0], reviews[1]
    for review, action in ((accepted, "accept"), (rejected, "reject")):
        body = {"action": action, "version": review["version"], "message": "checked"}
        assert verifier.post(f"/api/v1/reviews/{review['id']}/actions", json=body).status_code == 200

    wb = openpyxl.load_workbook(io.BytesIO(editor.get(f"/api/v1/periods/{period}/export?format=xlsx").content))
    marks: dict[str, set[object]] = {}
    for name in ("Economy", "Environment", "Society and Culture"):
        header = [c.value for c in wb[name][3]]
        for row in wb[name].iter_rows(min_row=4, values_only=True):
            if row[header.index("Status")]:  # rows of the KPI that hold an entry (others stay blank)
                marks.setdefault(str(row[0]), set()).add(row[header.index("Verified")])
    assert marks[accepted["kpi"]] == {"YES"} and marks[rejected["kpi"]] == {"NO"}
    assert {None} in [m for k, m in marks.items() if k not in (accepted["kpi"], rejected["kpi"])]
    exported = editor.get(f"/api/v1/periods/{period}/export?format=json").json()["submission"]["entries"]
    assert {e["verified"] for e in exported if e["kpi"] == accepted["kpi"]} == {True}
