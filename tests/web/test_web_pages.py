"""Pages over HTTP against a real server: permissions, CSRF, errors as pages, language, no 500."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from web_server import CITY, YEARS, csrf_of, draft_period, running, signed_in


@pytest.fixture(scope="module")
def base(module_db_url: str) -> Iterator[str]:
    with running(module_db_url, cities=2) as url:
        yield url


def test_public_sees_published_years_only(base: str) -> None:
    editor = signed_in(base, "editor")
    period = draft_period(editor)
    public = httpx.Client(base_url=base)
    city = public.get(f"/cities/{CITY}").text
    assert f">{YEARS[0]}<" in city and f">{YEARS[-1]}<" not in city
    assert public.get(f"/cities/{CITY}?year={YEARS[-1]}").status_code == 404
    assert public.get(period).status_code == 404
    assert public.get(f"/wheels/{period.rsplit('/', 1)[1]}.svg").status_code == 404
    assert "Audit trail" not in public.get(f"/cities/{CITY}/kpis/EC: ICT: ICT: 1C").text


def test_form_without_csrf_token_changes_nothing(base: str) -> None:
    editor = signed_in(base, "editor")
    period = draft_period(editor)
    answer = editor.post(f"{period}/transition", data={"target": "submitted", "version": "1"})
    assert answer.status_code == 403 and "did not come from this site" in answer.text
    assert "draft" in editor.get(period).text


def test_wrong_password_and_unknown_pages_are_pages(base: str) -> None:
    client = httpx.Client(base_url=base)
    form = {"username": "no-such-user", "password": "nope-nope"}  # a wrong try makes that name wait a second
    assert client.post("/signin", data=form).status_code == 403  # no sign-in CSRF token: login CSRF
    answer = client.post("/signin", data={**form, "csrf_token": csrf_of(client.get("/signin").text)})
    assert answer.status_code == 401 and "Wrong user name or password." in answer.text
    missing = client.get("/cities/atlantis")
    assert missing.status_code == 404 and "no city &#39;atlantis&#39;" in missing.text
    assert client.get("/queue").headers["location"].startswith("/signin")
    assert client.get("/periods/99999999999999999999").status_code == 422  # beyond the database's integers


def test_upload_of_a_non_workbook_is_reported(base: str, tmp_path: Path) -> None:
    editor = signed_in(base, "editor")
    period = draft_period(editor)
    token = csrf_of(editor.get(period).text)
    files = {"file": ("notes.xlsx", b"this is not a spreadsheet", "application/octet-stream")}
    answer = editor.post(f"{period}/upload", data={"csrf_token": token}, files=files)
    assert answer.status_code == 422
    assert "Errors found in the file" in answer.text and "notes.xlsx" in answer.text


def test_editor_of_one_city_cannot_reach_another(base: str) -> None:
    """Another city's draft is not even visible to the editor: 404, so its existence does not leak."""
    editor = signed_in(base, "editor")
    admin = signed_in(base, "admin")
    other = admin.get("/cities/lotusgate").text
    period = re.search(r'href="(/periods/\d+)"', other)
    assert period is not None
    value = re.search(r'href="/values/(\d+)/edit"', admin.get(period.group(1)).text)
    assert value is not None
    assert editor.get(f"/values/{value.group(1)}/edit").status_code == 404
    assert editor.get(period.group(1)).status_code == 404


def test_french_pages(base: str) -> None:
    client = httpx.Client(base_url=base, cookies={"lang": "fr"})
    page = client.get(f"/cities/{CITY}").text
    assert '<html lang="fr">' in page and "Roue d'évaluation" in page and "publié" in page
    switched = httpx.Client(base_url=base).get("/lang/fr?next=/compare")
    assert switched.status_code == 303 and switched.headers["location"] == "/compare"
    assert "lang=fr" in switched.headers["set-cookie"]


def test_audit_times_are_utc_whatever_the_database_zone(base: str) -> None:
    """The demo was loaded moments ago: its audit rows must read as now in UTC, even on a non-UTC server."""
    page = signed_in(base, "admin").get(f"/cities/{CITY}/kpis/EC: ICT: ICT: 1C").text
    assert "When (UTC)" in page
    shown = re.findall(r"<td>(\d{4}-\d\d-\d\d \d\d:\d\d)</td>", page)
    assert shown
    now = datetime.now(UTC)
    for when in shown:
        assert abs(datetime.strptime(when, "%Y-%m-%d %H:%M").replace(tzinfo=UTC) - now) < timedelta(minutes=30), when


def test_cached_pages_are_per_visitor_and_follow_their_read_scope(base: str) -> None:
    """A rendered page is reused for its own session only: names, CSRF secrets and draft years never cross."""
    editor, viewer = signed_in(base, "editor"), signed_in(base, "viewer")
    other = next(s for s in re.findall(r'href="/cities/([a-z0-9-]+)"', httpx.get(f"{base}/").text) if s != CITY)
    for _ in range(2):  # the second round is served from the cache
        mine, theirs = editor.get(f"/cities/{other}").text, viewer.get(f"/cities/{other}").text
        assert f">{YEARS[-1]}<" in theirs and f">{YEARS[-1]}<" not in mine  # the editor's city is the first
        assert "viewer" in theirs and "viewer" not in mine
        assert csrf_of(mine) != csrf_of(theirs)
        public = httpx.get(f"{base}/cities/{other}").text
        assert 'name="csrf_token"' not in public.split("<main", 1)[-1] and f">{YEARS[-1]}<" not in public


def test_versions_beyond_the_database_integers_are_conflicts(base: str) -> None:
    """SQLite cannot bind integers beyond 64 bits and PostgreSQL compares them: either way a stale form."""
    editor = signed_in(base, "editor")
    period = draft_period(editor)
    workspace = editor.get(period).text
    token = csrf_of(workspace)
    value = re.search(r'href="(/values/\d+)/edit"', workspace)
    assert value is not None
    huge = str(10**20)
    edit = editor.post(f"{value.group(1)}/edit", data={"csrf_token": token, "version": huge, "value": "42"})
    move = editor.post(f"{period}/transition", data={"csrf_token": token, "version": huge, "target": "submitted"})
    assert edit.status_code == 409 and move.status_code == 409


def test_accepting_every_clean_kpi_needs_a_verifier_even_when_none_is_left(base: str) -> None:
    editor = signed_in(base, "editor")
    period = draft_period(editor)  # a draft: nothing submitted, so nothing to accept
    answer = editor.post(f"{period}/accept-clean", data={"csrf_token": csrf_of(editor.get(period).text)})
    assert answer.status_code == 403 and "acted" not in answer.headers.get("location", "")


def test_a_control_character_in_a_form_is_shown_at_its_field_and_nothing_is_saved(base: str) -> None:
    editor = signed_in(base, "editor")
    workspace = editor.get(draft_period(editor)).text
    value = re.search(r'href="(/values/\d+)/edit"', workspace)
    assert value is not None
    form = editor.get(f"{value.group(1)}/edit").text
    version = re.search(r'name="version" value="(\d+)"', form)
    assert version is not None
    data = {"csrf_token": csrf_of(workspace), "version": version.group(1), "value": "42", "status": "reported"}
    answer = editor.post(f"{value.group(1)}/edit", data={**data, "notes": "ok\r\nfine", "source": "survey\x1f"})
    assert answer.status_code == 422
    assert "source holds the control character U+001F at position 7; remove it" in answer.text
    assert "survey" not in editor.get(f"{value.group(1)}/edit").text.split('name="source"')[1][:80]
