"""`citykpi db create-user`: the role is a choice the command line checks, the account lands in the database."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from citykpi.cli import app
from citykpi.cli.db import AccountRole
from citykpi.platform.roles import Role
from citykpi.store.schema import User
from citykpi.store.scratch import migrated, sqlite_url


def _create(url: str, role: str) -> tuple[int, str]:
    args = ["db", "create-user", "alice", "--role", role, "--password", "a long enough pass", "--database", url]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    return result.exit_code, result.output


def test_a_user_is_created_with_the_chosen_role(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    code, output = _create(url, "viewer")
    assert code == 0, output
    assert "created viewer 'alice'" in output
    with migrated(url) as db, db.read() as session:
        user = session.scalars(select(User)).one()
        assert (user.username, user.role) == ("alice", Role.VIEWER)


def test_the_public_and_unknown_roles_are_refused_before_the_database_is_touched(tmp_path: Path) -> None:
    for role in ("public", "mayor"):
        code, output = _create(sqlite_url(tmp_path), role)
        assert code == 2 and f"'{role}' is not one of 'admin'" in output
    assert not (tmp_path / "citykpi.db").exists()


def test_account_roles_are_every_role_but_the_public() -> None:
    assert {r.value for r in AccountRole} == {r.value for r in Role if r is not Role.PUBLIC}
