"""Cached bodies and callers never outlive a change, and never cross read scopes (SQLite and PostgreSQL)."""

from __future__ import annotations

from apiworld import PASSWORD, World

from citykpi.platform.roles import Principal, Role
from citykpi.platform.seed import ensure_framework
from citykpi.store.db import Database


def _periods(client_json: dict[str, object]) -> list[object]:
    periods = client_json["periods"]
    assert isinstance(periods, list)
    return periods


def test_a_cached_city_or_value_list_is_served_only_to_callers_of_the_same_read_scope(world: World) -> None:
    draft = world.periods["alpha"]  # unpublished: seen by alpha's editor, the viewer and the north hub only
    viewer, other, public = world.client("viewer"), world.client("other_editor"), world.client()
    assert len(_periods(viewer.get("/api/v1/cities/alpha").json())) == 1  # cached for the viewer's scope
    assert viewer.get(f"/api/v1/periods/{draft}/values").status_code == 200
    assert _periods(other.get("/api/v1/cities/alpha").json()) == []
    assert _periods(public.get("/api/v1/cities/alpha").json()) == []
    assert other.get(f"/api/v1/periods/{draft}/values").status_code == 404
    assert public.get(f"/api/v1/periods/{draft}/values").status_code == 404
    assert len(_periods(world.client("hub").get("/api/v1/cities/alpha").json())) == 1


def test_revoked_tokens_and_ended_sessions_stop_working_at_once(world: World) -> None:
    admin = world.client("admin")
    made = admin.post("/api/v1/tokens", json={"name": "script"}).json()
    script = world.client()
    script.headers["Authorization"] = f"Bearer {made['token']}"
    assert script.get("/api/v1/auth/me").json()["username"] == "admin"  # now a cached caller
    assert admin.delete(f"/api/v1/tokens/{made['id']}").status_code == 204
    assert script.get("/api/v1/auth/me").status_code == 401

    browser = world.client()
    csrf = browser.post("/api/v1/auth/login", json={"username": "viewer", "password": PASSWORD}).json()["csrf_token"]
    assert browser.get("/api/v1/auth/me").json()["username"] == "viewer"
    cookie = browser.cookies["citykpi_session"]
    assert browser.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    stolen = world.client()
    stolen.cookies.set("citykpi_session", cookie)  # the ended session's cookie, replayed
    assert stolen.get("/api/v1/auth/me").json()["role"] == "public"


def test_the_data_revision_counts_audited_commits_only(world: World) -> None:
    db: Database = world.app.state.db  # type: ignore[attr-defined]
    with db.read() as s:
        before = Database.revision(s)
    with db.write() as s:
        ensure_framework(s)  # already there: nothing audited
    with db.read() as s:
        assert Database.revision(s) == before
    with db.write() as s:
        from citykpi.platform import cities

        cities.create_city(s, Principal("setup", Role.ADMIN), "Gamma", slug="gamma", hub="north")
    with db.read() as s:
        assert Database.revision(s) == before + 1


def test_a_bad_cache_size_in_the_environment_is_named_not_a_traceback(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from citykpi.cli import app

    env = {"CITYKPI_RESPONSE_CACHE": "lots"}
    answer = CliRunner().invoke(app, ["serve", "--database", f"sqlite:///{tmp_path / 'x.db'}"], env=env)
    assert answer.exit_code == 2
    assert "CITYKPI_RESPONSE_CACHE" in answer.output and "valid integer" in answer.output
    assert not (tmp_path / "x.db").exists()  # refused before anything was created
