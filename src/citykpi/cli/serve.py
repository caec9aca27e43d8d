"""`citykpi serve`: the platform (API, and pages when installed) on the embedded or a PostgreSQL database."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated

import typer

from citykpi.cli.failure import USAGE_ERROR_EXIT, fail
from citykpi.cli.options import DatabaseOption
from citykpi.model.collector import set_aside

FACTORY = "citykpi.cli.serve:served_app"

if TYPE_CHECKING:
    import uvicorn
    from fastapi import FastAPI

    from citykpi.store.db import Database


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on; 0.0.0.0 to be reachable by others.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    database: DatabaseOption = None,
    demo: Annotated[bool, typer.Option(help="Load the demo cities and accounts into an empty database.")] = True,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Server processes (each with its own pool).")] = 1,
) -> None:
    """Create or upgrade the database, load the demo cities on first start, and serve."""
    import uvicorn
    from pydantic import ValidationError
    from sqlalchemy.exc import OperationalError

    from citykpi.app import create_app
    from citykpi.http.settings import Settings
    from citykpi.store.db import ENV_VAR, database_url

    try:
        settings = Settings(database_url=database_url(database))
    except ValidationError as exc:
        problems = "; ".join(
            f"{Settings.model_fields[str(e['loc'][0])].description or e['loc'][0]}: {e['msg']}" for e in exc.errors()
        )
        raise fail(f"bad setting in the environment: {problems}", code=USAGE_ERROR_EXIT) from exc
    try:
        app = create_app(settings)
    except OperationalError as exc:
        raise fail(f"cannot open the database: {exc.orig}") from exc
    if demo:
        _load_demo(app.state.db)
    typer.echo(f"citykpi platform on http://{host}:{port}/  (API: /api/v1, OpenAPI: /openapi.json, docs: /docs)")
    typer.echo(f"database: {app.state.db.engine.url.render_as_string(hide_password=True)}")
    if workers == 1:
        uvicorn.run(settled(app), host=host, port=port, log_level="warning")
        return
    # Worker processes build their own app from the environment (the database is ready by now).
    os.environ[ENV_VAR] = settings.database_url
    _serve_workers(uvicorn.Config(FACTORY, factory=True, host=host, port=port, workers=workers, log_level="warning"))


def served_app() -> FastAPI:
    """A worker process's app (uvicorn's factory), settled as the single process's is."""
    from citykpi.app import create_app

    return settled(create_app())


def settled(app: FastAPI) -> FastAPI:
    """The app with what start-up built (modules, routes, the catalogue, compiled templates, number
    formats: some 200,000 objects that live as long as the process) set aside from the garbage
    collector. Its full passes went over all of them again, in whichever first request met one: the
    slowest of a fresh server's first ten hub overviews took 160-175 ms of CPU, 35-45 ms with them set
    aside (bench/hub_profile.py), and concurrent first requests all wait for it."""
    set_aside()
    return app


def _serve_workers(config: uvicorn.Config) -> None:
    """`uvicorn.run`'s worker path, with a listening socket that keeps TCP_NODELAY on connections.

    uvicorn binds it with protocol 0 and asyncio enables TCP_NODELAY only on sockets that say
    IPPROTO_TCP, so with workers every answer on a kept-alive connection waited for the client's
    delayed ACK: ~48 ms per request, measured (uvicorn issue #3149, open). Re-wrapping the same
    descriptor with the protocol set is the fix proposed there.
    """
    import contextlib
    import socket

    from uvicorn.supervisors import Multiprocess

    bound = config.bind_socket()
    sock = socket.socket(bound.family, bound.type, socket.IPPROTO_TCP, fileno=bound.detach())
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C ends workers and supervisor, as in uvicorn.run
        Multiprocess(config, sockets=[sock]).run()


def _load_demo(db: Database) -> None:
    from sqlalchemy import func, select

    from citykpi.demo.cities import CITIES
    from citykpi.platform.cities import slugify
    from citykpi.platform.demo import HUBS, load_demo
    from citykpi.platform.seed import demo_accounts
    from citykpi.store.schema import City

    with db.read() as session:
        empty = not session.scalar(select(func.count()).select_from(City))
    if empty:
        typer.echo("first start: loading the synthetic demo cities ...")
        load_demo(db, progress=lambda slug: typer.echo(f"  {slug}"))
    typer.echo("demo accounts (synthetic data, for a laptop only):")
    for account in demo_accounts(slugify(CITIES[0].name), HUBS[0]):
        scope = ", ".join(account.cities or account.hubs) or "all cities"
        typer.echo(f"  {account.username:9} / {account.password:20} {account.role.value} ({scope})")
