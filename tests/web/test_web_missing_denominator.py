"""The web upload lists the warning `citykpi validate` gives for a KPI whose denominator was left empty,
and the city and KPI pages give the reason `assess` gives (see tests/test_missing_denominator.py)."""

from __future__ import annotations

import html
from collections.abc import Iterator
from pathlib import Path

import pytest
from web_server import csrf_of, running, signed_in

from citykpi.demo.workbook import write_filled
from citykpi.framework.catalogue import Catalogue
from citykpi.model.submission import CityProfile, Entry, EntryKind, Status, Submission
from citykpi.platform import cities
from citykpi.platform.roles import Principal, Role
from citykpi.platform.seed import ensure_framework
from citykpi.store.db import Database

KPI = "EC: ICT: WS: 1C"
REASON = "needs water_meters (not reported)"


def empty_city(db: Database) -> None:
    """A city with one empty draft year, so the upload is all the period holds."""
    admin = Principal("setup", Role.ADMIN)
    with db.write() as session:
        city = cities.create_city(session, admin, "Testville", slug="testville", population=100_000, country="X")
        cities.create_period(session, admin, city, 2024, ensure_framework(session))


@pytest.fixture(scope="module")
def base(module_db_url: str) -> Iterator[str]:
    with running(module_db_url, cities=1, prepare=empty_city) as url:
        yield url


def test_upload_then_city_page_says_error_with_the_reason(base: str, tmp_path: Path) -> None:
    given = Entry(kpi=KPI, kind=EntryKind.INPUT, name="smart_water_meters", value=5000, status=Status.REPORTED)
    submission = Submission(profile=CityProfile(city="Testville", year=2024, population=1e5), entries=[given])
    path = write_filled(Catalogue.load(), submission, tmp_path / "testville-2024.xlsx")
    admin = signed_in(base, "admin")
    city = admin.get("/cities/testville?year=2024").text
    period = next(part.split('"')[0] for part in city.split('href="/periods/')[1:])
    token = csrf_of(admin.get(f"/periods/{period}").text)
    files = {"file": (path.name, path.read_bytes())}
    answer = admin.post(f"/periods/{period}/upload", data={"csrf_token": token}, files=files)
    assert answer.status_code == 200, answer.text[-2000:]
    report = html.unescape(answer.text.split('<section class="report"', 1)[1].split("</section>", 1)[0])
    assert "testville-2024.xlsx was imported" in report and "Warnings (1)" in report
    assert "<td>Economy</td><td>I17</td>" in report and "needs water_meters, which is empty" in report
    page = admin.get("/cities/testville?year=2024").text
    row = page[page.index(f"/kpis/{KPI}") :].split("</tr>")[0]
    assert f"Error: {REASON}" in row
    kpi_page = admin.get(f"/cities/testville/kpis/{KPI}").text
    assert REASON in kpi_page
