"""What a clumsy user or an attacker sends gets a located 4xx, never a 500 (issue 11), on the real app and database.

Control characters in names and texts, non-finite numbers, a period moved back to draft, upload
names no file system takes, sign-in guessing; and the browser security headers on every answer.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from apiworld import PASSWORD, World
from sqlalchemy import select

from citykpi.platform import accounts, uploads
from citykpi.platform.errors import Invalid, RateLimited
from citykpi.platform.roles import Principal, Role
from citykpi.store.schema import Audit

KPI = "EC: ICT: ICT: 1C"
ADMIN = Principal("admin", Role.ADMIN)
C0 = [chr(code) for code in range(0x20)]
VALUE = {"kpi": KPI, "kind": "input", "name": "households_with_internet", "value": 50, "status": "reported"}


def _fields(answer) -> list[str | None]:  # type: ignore[no-untyped-def]
    return [e["location"]["field"] for e in answer.json()["error"]["report"]["errors"]]


def test_every_c0_character_in_a_city_name_country_or_hub_is_refused_naming_the_field(world: World) -> None:
    admin = world.client("admin")
    for char in C0:
        for field in ("name", "country", "hub"):
            body = {"name": "Probe City", "slug": f"probe-{ord(char)}-{field}", field: f"Probe{char}City"}
            answer = admin.post("/api/v1/cities", json=body)
            assert answer.status_code == 422, (ord(char), field, answer.text)
            assert _fields(answer) == [field]
            assert f"U+{ord(char):04X} at position 6" in answer.json()["error"]["report"]["errors"][0]["message"]
    assert admin.get("/api/v1/cities").json()["total"] == 2  # nothing was created


def test_notes_keep_tab_and_line_breaks_and_refuse_every_other_c0_character(world: World) -> None:
    editor = world.client("editor")
    period = world.periods["alpha"]
    kept = editor.put(f"/api/v1/periods/{period}/values", json={**VALUE, "notes": "a\tb\r\nc", "version": 0})
    assert kept.status_code == 200 and kept.json()["notes"] == "a\tb\r\nc"
    for char in C0:
        for field in ("notes", "source"):
            if field == "notes" and char in "\t\n\r":
                continue
            body = {**VALUE, field: f"x{char}y", "version": kept.json()["version"]}
            answer = editor.put(f"/api/v1/periods/{period}/values", json=body)
            assert answer.status_code == 422 and _fields(answer) == [field], (ord(char), field, answer.text)
    assert editor.get(f"/api/v1/values/{kept.json()['id']}").json()["notes"] == "a\tb\r\nc"


def test_reasons_messages_target_notes_and_token_names_refuse_control_characters(world: World) -> None:
    editor = world.client("editor")
    period = world.periods["alpha"]
    moved = editor.post(
        f"/api/v1/periods/{period}/transitions", json={"to": "submitted", "version": 0, "reason": "\x1b"}
    )
    assert moved.status_code == 422 and _fields(moved) == ["reason"]
    target = {"kpi": KPI, "year": 2030, "value": 1, "note": "plan\x07"}
    assert _fields(editor.put("/api/v1/cities/alpha/targets", json=target)) == ["note"]
    assert _fields(editor.post("/api/v1/tokens", json={"name": "ci\x00"})) == ["name"]


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e309"])
def test_non_finite_numbers_are_refused_naming_the_field(world: World, number: str) -> None:
    admin = world.client("admin")
    json = {"content-type": "application/json"}
    for field in ("population", "area_km2"):
        body = f'{{"name": "Probe", "slug": "probe", "{field}": {number}}}'
        answer = admin.post("/api/v1/cities", content=body, headers=json)
        assert answer.status_code == 422 and _fields(answer) == [field], answer.text
    target = f'{{"kpi": "{KPI}", "year": 2030, "value": {number}}}'
    assert _fields(admin.put("/api/v1/cities/alpha/targets", content=target, headers=json)) == ["value"]
    value = f'{{"kpi": "{KPI}", "kind": "input", "name": "households_with_internet", "value": {number}, "version": 0}}'
    answer = admin.put(f"/api/v1/periods/{world.periods['alpha']}/values", content=value, headers=json)
    assert answer.status_code == 422 and _fields(answer) == ["value"], answer.text
    assert admin.get("/api/v1/cities/alpha/targets").json() == []


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (b'{"name": ', "application/json"),  # cut short
        (b'{"name": "\xff"}', "application/json"),  # not UTF-8
        (b"[" * 100_000 + b"]" * 100_000, "application/json"),  # nested deeper than the parser goes
        (b"abc", "multipart/form-data"),  # no boundary
    ],
)
def test_a_body_that_cannot_be_read_is_a_422_like_every_invalid_request(world: World, body: bytes, kind: str) -> None:
    answer = world.client("admin").post("/api/v1/cities", content=body, headers={"content-type": kind})
    assert answer.status_code == 422 and answer.json()["error"]["type"] == "invalid-request", answer.text[:200]


def test_a_period_never_moves_back_to_draft_and_the_answer_names_where_it_may_go(world: World) -> None:
    period = world.periods["alpha"]
    for user in ("editor", "verifier", "admin", "viewer"):
        answer = world.client(user).post(f"/api/v1/periods/{period}/transitions", json={"to": "draft", "version": 0})
        assert answer.status_code == 409, (user, answer.text)
        assert (
            answer.json()["error"]["message"] == "a period never moves to draft; from draft it may move to: submitted"
        )


@pytest.mark.parametrize(
    ("name", "says"),
    [("..", "the file has no name"), ("a" * 300 + ".csv", "longer than 255 bytes")],
)
def test_upload_names_no_file_system_takes_are_refused_with_a_message(world: World, name: str, says: str) -> None:
    files = {"file": (name, b"kpi,value\n", "text/csv")}
    answer = world.client("editor").post(f"/api/v1/periods/{world.periods['alpha']}/import", files=files)
    assert answer.status_code == 422 and says in answer.text


def test_an_upload_name_with_a_nul_or_control_character_is_refused(world: World) -> None:
    """The multipart parser turns such names into something else; a page or script calling the service may not."""
    db = world.app.state.db  # type: ignore[attr-defined]
    for name in ("data\x00.csv", "data\x1f.csv"):
        with pytest.raises(Invalid) as refused:
            uploads.import_upload(db, ADMIN, world.periods["alpha"], name, b"kpi,value\n", 1000)
        assert refused.value.report is not None and refused.value.report.errors[0].location.field == "file name"


def test_every_answer_carries_the_browser_security_headers(world: World) -> None:
    client = world.client()
    for path in ("/healthz", "/api/v1/cities", "/api/v1/periods/99", "/", "/signin", "/static/site.css"):
        headers = client.get(path).headers
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["X-Frame-Options"] == "DENY", path
        assert headers["Referrer-Policy"] == "same-origin", path
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], path
        assert "unsafe-inline" not in headers["Content-Security-Policy"], path
        assert "Strict-Transport-Security" not in headers, path  # not served over HTTPS here
    assert "script-src" not in client.get("/").headers["Content-Security-Policy"]  # 'self' only, by default-src


def test_a_report_allows_exactly_its_own_inline_style_by_hash_and_no_script(world: World) -> None:
    import base64
    import hashlib

    answer = world.client("admin").get(f"/api/v1/periods/{world.periods['alpha']}/reports/snapshot")
    assert answer.status_code == 200
    policy = answer.headers["Content-Security-Policy"]
    assert "<script" not in answer.text  # the charts' tooltips are SVG titles
    assert "script-src 'none';" in policy
    style = re.search(r"<style>(.*?)</style>", answer.text, re.DOTALL)
    assert style is not None
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    assert f"'sha256-{digest}'" in policy.split("style-src", 1)[1].split(";", 1)[0]
    assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy


def test_hsts_is_sent_when_secure_cookies_are_on(db_url: str) -> None:
    from fastapi.testclient import TestClient

    from citykpi.app import create_app
    from citykpi.http.settings import Settings

    app = create_app(Settings(database_url=db_url, secure_cookies=True))
    assert TestClient(app).get("/healthz").headers["Strict-Transport-Security"].startswith("max-age=")
    app.state.db.dispose()


def test_sign_in_waits_grow_per_client_and_the_owner_gets_through_an_attack(world: World) -> None:
    db = world.app.state.db  # type: ignore[attr-defined]
    start = datetime(2026, 1, 1, tzinfo=UTC)

    def attempt(client: str, password: str, seconds: float) -> str:
        try:
            with db.write() as s:
                return (
                    "in" if accounts.sign_in(s, "admin", password, client, start + timedelta(seconds=seconds)) else "no"
                )
        except RateLimited as exc:
            return f"wait {exc.params['seconds']}"

    # One attacker address: 1, 2, 4, 8 s between guesses, then the account limit (5) locks that address.
    tries = [(0, "no"), (0.5, "wait 1"), (1, "no"), (2, "wait 1"), (3, "no"), (7, "no"), (15, "no")]
    assert [attempt("10.0.0.66", "guess", at) for at, _ in tries] == [said for _, said in tries]
    assert attempt("10.0.0.66", PASSWORD, 60) == "wait 855"  # even with the right password: 15 min after the 5th
    # The owner, from their own machine, signs in while the attack goes on.
    assert attempt("10.0.0.1", PASSWORD, 61) == "in"
    # Another address guessing after the limit gets one try, then waits the whole window.
    assert attempt("10.0.0.77", "guess", 62) == "no"
    assert attempt("10.0.0.77", "guess", 63) == "wait 899"
    with db.read() as s:
        failed = s.scalars(select(Audit).where(Audit.action == "sign-in-failed")).all()
    assert len(failed) == 6 and {a.new["client"] for a in failed} == {"10.0.0.66", "10.0.0.77"}  # type: ignore[index]
    assert all(a.actor == "admin" and a.entity == "user" for a in failed)


def test_the_openapi_document_declares_the_error_answers(world: World) -> None:
    spec = world.client().get("/openapi.json").json()
    for path, operations in spec["paths"].items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in operations.items():
            declared = set(operation["responses"])
            assert {"401", "403", "404", "422"} <= declared, (method, path)
            assert operation["responses"]["422"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/ErrorOut"
            }, (method, path)
    export = spec["paths"]["/api/v1/periods/{period_id}/export"]["get"]["responses"]["200"]["content"]
    assert {"application/json", "text/csv; charset=utf-8"} <= export.keys()


def test_a_method_not_allowed_names_every_method_the_path_takes(world: World) -> None:
    client = world.client("admin")
    assert client.delete("/api/v1/cities").headers["Allow"] == "GET, POST"
    assert client.post("/api/v1/values/1").headers["Allow"] == "GET"
    assert client.patch(f"/api/v1/periods/{world.periods['alpha']}/values").headers["Allow"] == "GET, PUT"
