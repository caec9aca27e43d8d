"""`citykpi db upgrade|export|import|create-user`: looking after the platform's database."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from citykpi.store.db import Database

DatabaseOption = Annotated[
    str | None,
    typer.Option("--database", help="SQLAlchemy URL; default $CITYKPI_DATABASE_URL, else ./citykpi.db (SQLite)."),
]


def register(app: typer.Typer) -> None:
    db = typer.Typer(help="Create, upgrade, back up and restore the platform database.", no_args_is_help=True)
    db.command("upgrade")(upgrade)
    db.command("export")(export)
    db.command("import")(import_)
    db.command("create-user")(create_user)
    app.add_typer(db, name="db")


def _fail(message: str) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(1)


def _open(database: str | None) -> Database:
    from sqlalchemy.exc import OperationalError

    from citykpi.store.db import Database

    db = Database(database)
    try:
        with db.engine.connect():
            pass
    except OperationalError as exc:
        _fail(f"cannot open the database {db.engine.url.render_as_string(hide_password=True)}: {exc.orig}")
    return db


def upgrade(database: DatabaseOption = None) -> None:
    """Create the database or bring it to the newest schema, and register the built-in framework."""
    from citykpi.platform.seed import ensure_framework
    from citykpi.platform.standing import backfill
    from citykpi.store.migrate import upgrade as run

    db = _open(database)
    run(db.engine)
    with db.write() as session:
        ensure_framework(session)
        backfill(session)
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
        _fail(str(exc))
    run(db.engine)
    typer.echo(f"restored {sum(counts.values())} rows from {backup}")


def create_user(
    username: str,
    role: Annotated[str, typer.Option(help="admin, hub_manager, city_editor, verifier or viewer")],
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

    roles = [r.value for r in Role if r is not Role.PUBLIC]
    if role not in roles:
        _fail(f"unknown role {role!r}; choose one of {', '.join(roles)}")
    db = _open(database)
    migrate(db.engine)
    try:
        with db.write() as session:
            run(session, username, password, Role(role), cities=city or [], hubs=hub or [], actor="cli")
    except PlatformError as exc:
        details = "; ".join(str(d) for d in exc.report.errors) if exc.report else ""
        _fail(f"{exc.message}: {details}" if details else exc.message)
    typer.echo(f"created {role} {username!r}")
