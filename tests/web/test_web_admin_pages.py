"""Administration pages over HTTP against a real server (SQLite and PostgreSQL): hubs, cities, reporting
years, users invited by a one-time link, deactivation, own API tokens; hostile input answered at its field.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select
from web_server import csrf_of, running, signed_in

from citykpi.store.db import Database
from citykpi.store.schema import Audit, Invitation

DATABASES: list[Database] = []


@pytest.fixture(scope="module")
def base(module_db_url: str) -> Iterator[str]:
    DATABASES.clear()
    with running(module_db_url, cities=2, prepare=DATABASES.append) as url:
        yield url


def post(client: httpx.Client, path: str, form: dict[str, object], page: str | None = None) -> httpx.Response:
    """The form posted with the CSRF token of the page it is on (`page`, else `path` itself)."""
    token = csrf_of(client.get(page or path).text)
    return client.post(path, data={**form, "csrf_token": token})


def field_error(answer: httpx.Response, field: str) -> str:
    found = re.search(rf'<p class="field-error" id="e-{field}"[^>]*>(.*?)</p>', answer.text, re.S)
    assert found is not None, f"no message slot for {field}"
    return html.unescape(found.group(1)).strip()


def audit_rows(entity: str, action: str) -> list[Audit]:
    with DATABASES[0].read() as session:
        return list(session.scalars(select(Audit).where(Audit.entity == entity, Audit.action == action)).all())


CITY = {"name": "Bergstadt", "country": "Austria", "population": "120000", "area_km2": "45.5", "hub": "Alpine hub"}
CITY |= {"peer": "", "latitude": "47.1", "longitude": "11.4", "reason": "joins the programme"}


def test_administrator_creates_hub_city_year_with_every_change_audited(base: str) -> None:
    admin = signed_in(base, "admin")
    assert 'href="/admin"' in admin.get("/").text  # the navigation's "Administration"
    hub = {"key": "Alpine hub", "name": "Alpine hub", "country": "Austria", "reason": "new country"}
    assert post(admin, "/admin/hubs/new", hub).status_code == 303
    again = post(admin, "/admin/hubs/new", hub)
    assert again.status_code == 422 and "already exists" in field_error(again, "key")

    made = post(admin, "/admin/cities/new", CITY)
    assert made.status_code == 303 and made.headers["location"].startswith("/admin/cities/bergstadt")
    edit = admin.get("/admin/cities/bergstadt").text
    assert "small (50k-200k)" in edit and 'value="47.1"' in edit
    created = [r for r in audit_rows("city", "create") if r.new and r.new.get("slug") == "bergstadt"]
    assert created[0].actor == "admin" and created[0].reason == "joins the programme"

    version = re.search(r'name="version" value="(\d+)"', edit)
    assert version is not None
    changed = CITY | {
        "population": "260000",
        "peer": "small (50k-200k)",
        "reason": "census 2025",
        "version": version.group(1),
    }
    assert post(admin, "/admin/cities/bergstadt", changed).status_code == 303
    row = audit_rows("city", "update")[-1]
    assert row.old == {"population": 120000.0} and row.new == {"population": 260000.0} and row.reason == "census 2025"
    stale = post(admin, "/admin/cities/bergstadt", changed | {"population": "1"})  # the same, older version
    assert stale.status_code == 409 and "reload the page" in html.unescape(stale.text)

    framework = re.search(
        r'<option value="(\d+)"', admin.get("/admin/cities/bergstadt").text.split('id="f-framework"')[1]
    )
    assert framework is not None
    year = {"year": "2025", "framework": framework.group(1), "reason": "first year"}
    opened = post(admin, "/admin/cities/bergstadt/years", year, page="/admin/cities/bergstadt")
    assert opened.status_code == 303 and opened.headers["location"].startswith("/admin/periods/")
    assert audit_rows("period", "create")[-1].reason == "first year"
    twice = post(admin, "/admin/cities/bergstadt/years", year, page="/admin/cities/bergstadt")
    assert twice.status_code == 409 and "already has a period for 2025" in twice.text


@pytest.mark.parametrize(
    ("field", "typed", "said"),
    [
        ("latitude", "999", "latitude must lie between -90 and 90; 999.0 does not"),
        ("longitude", "-181", "longitude must lie between -180 and 180"),
        ("population", "a lot", "population: 'a lot' is not a number"),
        ("population", "nan", "is not a number"),
        ("area_km2", "1e999", "is not a number"),
        ("population", "-5", "population must lie between 0"),
        ("name", "B" * 300, "name has 300 characters; at most 200 are kept"),
        ("name", "Berg\x07stadt", "name holds the control character U+0007"),
        ("name", "   ", "name is required"),
        ("name", "bergstadt", "city 'bergstadt' already exists"),
        ("peer", "giant", "peer group 'giant' is not one of"),
        ("country", "A" * 5000, "country has 5000 characters"),
    ],
)
def test_hostile_city_input_is_refused_at_its_field(base: str, field: str, typed: str, said: str) -> None:
    admin = signed_in(base, "admin")
    if admin.get("/admin/cities/bergstadt").status_code != 200:
        post(admin, "/admin/cities/new", CITY)
    answer = post(admin, "/admin/cities/new", CITY | {field: typed}, page="/admin/cities/new")
    assert answer.status_code == 422, answer.text[:400]
    assert said in field_error(answer, field)
    assert "Nothing was saved" in answer.text
    if field != "peer" and "\x07" not in typed and len(typed) < 100:
        assert f'value="{html.escape(typed)}"' in answer.text or typed.strip() == ""  # what was typed is kept


@pytest.mark.parametrize(
    ("year", "said"),
    [
        ("20x5", "year: '20x5' is not a number"),
        ("2025.5", "is not a whole number"),
        ("1800", "1800"),
        ("", "year is required"),
    ],
)
def test_bad_reporting_years_are_refused_at_the_field(base: str, year: str, said: str) -> None:
    admin = signed_in(base, "admin")
    if admin.get("/admin/cities/bergstadt").status_code != 200:
        post(admin, "/admin/cities/new", CITY)
    answer = post(
        admin, "/admin/cities/bergstadt/years", {"year": year, "framework": "1"}, page="/admin/cities/bergstadt"
    )
    assert answer.status_code == 422
    assert said in field_error(answer, "year")


def test_hub_form_hostile_input_and_csrf(base: str) -> None:
    admin = signed_in(base, "admin")
    long_key = post(admin, "/admin/hubs/new", {"key": "k" * 101, "name": "x"})
    assert long_key.status_code == 422 and "at most 100" in field_error(long_key, "key")
    control = post(admin, "/admin/hubs/new", {"key": "ok", "name": "tab\there"})
    assert control.status_code == 422 and "U+0009" in field_error(control, "name")
    forged = admin.post("/admin/hubs/new", data={"key": "forged", "name": "forged"})
    assert forged.status_code == 403 and "did not come from this site" in html.unescape(forged.text)
    assert admin.post("/admin/cities/new", data={"csrf_token": "x" * 5000}).status_code == 403


def invitation_link(answer: httpx.Response) -> str:
    found = re.search(r'id="invitation-link" class="secret" value="([^"]+)"', answer.text)
    assert found is not None, answer.text[:600]
    return found.group(1)


def test_invited_editor_sets_a_password_once_and_deactivation_cuts_every_credential(base: str) -> None:
    admin = signed_in(base, "admin")
    invite = {
        "username": "berg-editor",
        "display_name": "Anna Berg",
        "email": "anna@example.org",
        "role": "city_editor",
    }
    invite |= {"cities": "vellmarsk", "active": "yes"}
    answer = post(admin, "/admin/users/new", invite)
    assert answer.status_code == 200 and "shown only now" in answer.text
    link = invitation_link(answer)
    assert link.startswith(base + "/invitations/ci_")
    secret = link.rsplit("/", 1)[1]
    with DATABASES[0].read() as session:
        stored = session.scalars(select(Invitation)).all()
    assert secret not in {i.secret_hash for i in stored} and len(stored[-1].secret_hash) == 64  # only a hash
    assert stored[-1].email == "anna@example.org"
    taken = post(admin, "/admin/users/new", invite)
    assert taken.status_code == 422 and "already exists" in field_error(taken, "username")

    person = httpx.Client(base_url=base)
    form = person.get(link)
    assert form.status_code == 200 and "Anna Berg" in form.text
    token = csrf_of(form.text)
    short = person.post(link, data={"password": "short", "repeat": "short", "csrf_token": token})
    assert short.status_code == 422 and "at least 8 characters" in field_error(short, "password")
    differ = person.post(link, data={"password": "long enough 1", "repeat": "long enough 2", "csrf_token": token})
    assert differ.status_code == 422 and "differ" in field_error(differ, "repeat")
    done = person.post(link, data={"password": "long enough 1", "repeat": "long enough 1", "csrf_token": token})
    assert done.status_code == 303
    assert "berg-editor" in person.get("/queue").text
    assert httpx.get(link).status_code == 404  # single use
    assert audit_rows("user", "accept-invitation")[-1].actor == "berg-editor"

    made = post(person, "/account/tokens", {"name": "nightly export"})
    api_token = re.search(r'id="new-token" class="secret" value="(ck_[^"]+)"', made.text)
    assert api_token is not None
    bearer = {"Authorization": f"Bearer {api_token.group(1)}"}
    assert httpx.get(f"{base}/api/v1/auth/me", headers=bearer).json()["username"] == "berg-editor"

    users = admin.get("/admin/users").text
    user_path = re.search(r'href="(/admin/users/\d+)">berg-editor<', users)
    assert user_path is not None
    edit = admin.get(user_path.group(1)).text
    seen = re.search(r'name="seen" value="([^"]+)"', edit)
    assert seen is not None
    change = {"role": "city_editor", "cities": "vellmarsk", "display_name": "Anna Berg", "active": "no"}
    change |= {"seen": seen.group(1), "reason": "left the city's team"}
    assert post(admin, user_path.group(1), change).status_code == 303
    row = audit_rows("user", "deactivate")[-1]
    assert row.old == {"active": True} and row.new == {"active": False} and row.reason == "left the city's team"
    assert person.get("/queue").status_code == 303  # the session no longer works: sent to sign in
    assert httpx.get(f"{base}/api/v1/auth/me", headers=bearer).status_code == 401
    stale = post(admin, user_path.group(1), change | {"active": "yes"})
    assert stale.status_code == 409  # the form of before the deactivation


def test_hub_manager_administers_only_their_hub(base: str) -> None:
    manager = signed_in(base, "hub")
    overview = manager.get("/admin")
    assert overview.status_code == 200 and "North hub" in overview.text and "South hub" not in overview.text
    assert post(manager, "/admin/hubs/new", {"key": "Mine", "name": "Mine"}, page="/admin").status_code == 403
    elsewhere = post(manager, "/admin/cities/new", CITY | {"name": "Elsewhere", "hub": "South hub"})
    assert elsewhere.status_code == 403
    invite = {"username": "north-admin", "role": "admin", "cities": "vellmarsk"}
    refused = post(manager, "/admin/users/new", invite)
    assert refused.status_code == 422 and "not admin" in field_error(refused, "role")
    made = post(manager, "/admin/users/new", {"username": "north-verifier", "role": "verifier", "cities": "vellmarsk"})
    assert made.status_code == 200
    assert "north-verifier" in manager.get("/admin/users").text and ">admin<" not in manager.get("/admin/users").text
    assert signed_in(base, "editor").get("/admin").status_code == 403
    assert httpx.get(f"{base}/admin", follow_redirects=False).status_code == 303  # the public: to sign in


def test_tokens_page_lists_creates_and_revokes_through_the_services(base: str) -> None:
    viewer = signed_in(base, "viewer")
    empty = post(viewer, "/account/tokens", {"name": "  "})
    assert empty.status_code == 422 and "name is required" in field_error(empty, "name")
    long = post(viewer, "/account/tokens", {"name": "n" * 101})
    assert long.status_code == 422 and "at most 100" in field_error(long, "name")
    made = post(viewer, "/account/tokens", {"name": "laptop"})
    secret = re.search(r'value="(ck_[^"]+)"', made.text)
    assert secret is not None and "shown only once" in made.text
    listed = viewer.get("/account/tokens").text
    assert "laptop" in listed and secret.group(1) not in listed  # shown once, never again
    api = httpx.get(f"{base}/api/v1/tokens", headers={"Authorization": f"Bearer {secret.group(1)}"}).json()
    token_id = next(t["id"] for t in api if t["name"] == "laptop")
    assert post(viewer, f"/account/tokens/{token_id}/revoke", {}, page="/account/tokens").status_code == 303
    assert httpx.get(f"{base}/api/v1/tokens", headers={"Authorization": f"Bearer {secret.group(1)}"}).status_code == 401
    assert (
        post(signed_in(base, "editor"), f"/account/tokens/{token_id}/revoke", {}, page="/account/tokens").status_code
        == 404
    )


@pytest.mark.parametrize(
    ("field", "typed", "said"),
    [
        ("username", "u" * 101, "username has 101 characters; at most 100 are kept"),
        ("username", "bad\x1bname", "username holds the control character U+001B"),
        ("username", "", "username is required"),
        ("display_name", "d" * 201, "at most 200"),
        ("email", "e" * 255, "email has 255 characters; at most 254"),
        ("role", "root", "'root' is not a role"),
        ("cities", "nowhere", "no city 'nowhere'"),
    ],
)
def test_hostile_invitation_input_is_refused_at_its_field(base: str, field: str, typed: str, said: str) -> None:
    admin = signed_in(base, "admin")
    invite = {"username": "someone", "role": "verifier", "cities": "vellmarsk", "active": "yes"} | {field: typed}
    answer = post(admin, "/admin/users/new", invite)
    assert answer.status_code == 422, answer.text[:300]
    assert said in field_error(answer, field)


def test_a_new_link_ends_the_old_one(base: str) -> None:
    admin = signed_in(base, "admin")
    first = invitation_link(
        post(admin, "/admin/users/new", {"username": "late", "role": "verifier", "cities": "vellmarsk"})
    )
    user_path = re.search(r'href="(/admin/users/\d+)">late<', admin.get("/admin/users").text)
    assert user_path is not None and "invited, link not used yet" in admin.get("/admin/users").text
    second = invitation_link(post(admin, f"{user_path.group(1)}/invitation", {}, page=user_path.group(1)))
    assert httpx.get(first).status_code == 404 and httpx.get(second).status_code == 200
    assert [r.new for r in audit_rows("user", "invite")][-1]["expires_at"] > "2026"
