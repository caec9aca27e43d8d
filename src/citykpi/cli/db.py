"""`citykpi db upgrade|export|import|create-user`: looking after the platform's database."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from citykpi.cli.failure import fail
from citykpi.cli.options import DatabaseOption

if TYPE_CHECKING:
    from citykpi.store.db import Database


class AccountRole(StrEnum):
    """The roles an account can be given: `citykpi.platform.roles.Role` but the public (whoever is not
    signed in), spelled here so that `--help` imports no platform module (tests/store/test_db_cli.py)."""

    ADMIN = "admin"
    HUB_MANAGER = "hub_manager"
    CITY_EDITOR = "city_editor"
    VERIFIER = "verifier"
    VIEWER = "viewer"


def register(app: typer.Typer) -> None:
    db = typer.Typer(help="Create, upgrade, back up and restore the platform database.", no_args_is_help=True)
    db.command("upgrade")(upgrade)
    db.command("export")(export)
    db.command("import")(import_)
    db.command("create-user")(create_user)
    app.add_typer(db, name="db")


def _open(database: str | None) -> Database:
    from sqlalchemy.exc import OperationalError

    from citykpi.store.db import Database

    db = Database(database)
    try:
        with db.engine.connect():
            pass
    except OperationalError as exc:
        raise fail(
            f"cannot open the database {db.engine.url.render_as_string(hide_password=True)}: {exc.orig}"
        ) from None
    return db


def upgrade(database: DatabaseOption = None) -> None:
    """Create the database or bring it to the newest schema, and register the built-in framework."""
    from citykpi.platform import scores
    from citykpi.platform.seed import ensure_framework
    from citykpi.platform.standing import backfill
    from citykpi.store.migrate import upgrade as run

    db = _open(database)
    run(db.engine)
    with db.write() as session:
        ensure_framework(session)
        backfill(session)
        scored = scores.backfill(session)
    if scored:
        typer.echo(f"scored {scored} periods stored without scores or with scores of other targets")
    typer.echo(f"database {db.engine.url.render_as_string(hide_password=True)} is up to date")


def export(
    out: Annotated[Path, typer.Argument(help="Backup file to write (.json, or .json.gz to compress).")],
    database: DatabaseOption = None,
) -> None:
    """Write every row of every table, audit log included, to one file."""
    from citykpi.store.backup import export as run

    counts = run(_open(database), out)
    typer.echo(f"wrote {out}: {sum(counts.values())} rows in {len(counts)} tables")


def import_(
    backup: Annotated[Path, typer.Argument(help="A file written by `citykpi db export`.")],
    database: DatabaseOption = None,
) -> None:
    """Restore a backup into a new, empty database (then upgrade it to the newest schema)."""
    from citykpi.store.backup import BackupError, read, restore
    from citykpi.store.migrate import upgrade as run

    db = _open(database)
    try:
        document = read(backup)
        run(db.engine, document["revision"])
        counts = restore(db, document)
    except BackupError as exc:
        raise fail(str(exc)) from None
    run(db.engine)
    typer.echo(f"restored {sum(counts.values())} rows from {backup}")


def create_user(
    username: str,
    role: Annotated[AccountRole, typer.Option(help="What the user may do (docs/platform.md, roles).")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
    city: Annotated[list[str] | None, typer.Option(help="City slug in the user's scope; repeat for several")] = None,
    hub: Annotated[list[str] | None, typer.Option(help="Hub in a hub manager's scope; repeat for several")] = None,
    database: DatabaseOption = None,
) -> None:
    """Add a user (the first administrator of a new database, for instance)."""
    from citykpi.platform.accounts import create_user as run
    from citykpi.platform.errors import PlatformError
    from citykpi.platform.roles import Role
    from citykpi.store.migrate import upgrade as migrate

    db = _open(database)
    migrate(db.engine)
    try:
        with db.write() as session:
            run(session, username, password, Role(role.value), cities=city or [], hubs=hub or [], actor="cli")
    except PlatformError as exc:
        details = "; ".join(str(d) for d in exc.report.errors) if exc.report else ""
        raise fail(f"{exc.message}: {details}" if details else exc.message) from None
    typer.echo(f"created {role.value} {username!r}")
