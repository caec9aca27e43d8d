"""The application factory: one FastAPI app serving /api/v1 (`citykpi.api`), the pages (`citykpi.web`) and /healthz.

This module is the only one that imports both front ends; they share the floor below them
(`citykpi.http`) and never import each other. The factory brings the database to the newest schema
and registers the built-in framework before serving, so any URL works on first start.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import anyio.to_thread
from fastapi import FastAPI
from sqlalchemy import text

from citykpi import __version__, web
from citykpi.api import docs as api_docs
from citykpi.api import routes as api_routes
from citykpi.api.schemas import Health
from citykpi.exchange import open_data
from citykpi.http.cache import CallerCache, Memo, ResponseCache
from citykpi.http.security_headers import SecurityHeaders
from citykpi.http.settings import Settings
from citykpi.platform import scores
from citykpi.platform.catalogues import catalogue_of
from citykpi.platform.open_data import Builder
from citykpi.platform.outbox import Courier
from citykpi.platform.seed import ensure_framework
from citykpi.platform.standing import backfill
from citykpi.store.db import Database
from citykpi.store.migrate import upgrade


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    db = Database(settings.database_url)
    upgrade(db.engine)
    with db.write() as session:
        catalogue_of(ensure_framework(session))  # parsed once now, not by the first page that names a KPI
        backfill(session)
        scores.backfill(session)
    open_data.warm()  # Arrow, for the CSV and Parquet answers
    app = FastAPI(
        title="citykpi platform API",
        version=__version__,
        description="U4SSC KPI collection, assessment, verification and publication.",
        openapi_url="/openapi.json",
        docs_url=None,  # FastAPI's pages load their assets from a CDN; `citykpi.api.docs` serves them
        redoc_url=None,
        lifespan=_background,
    )
    app.add_middleware(SecurityHeaders, hsts=settings.secure_cookies)
    app.state.db = db
    app.state.cache = ResponseCache(settings.response_cache_entries)
    app.state.callers = CallerCache()
    # Query API answers (bodies up to ~50 MB each); off with the response cache (CITYKPI_RESPONSE_CACHE=0).
    app.state.answers = Memo[tuple[tuple[bytes, ...], str | None]](8 if settings.response_cache_entries else 0)
    app.state.read_limiter = anyio.CapacityLimiter(settings.read_threads)
    app.state.settings = settings
    api_routes.register(app)
    api_docs.register(app)

    @app.get("/healthz", response_model=Health, tags=["health"])
    def healthz() -> Health:
        with db.read() as session:
            session.execute(text("SELECT 1"))
        return Health(status="ok", database=db.engine.dialect.name)

    web.register(app)
    _prepare_routes(app.router.routes)
    return app


def _prepare_routes(routes: list[Any]) -> None:
    """Build what FastAPI (0.165) builds of each included router on its first request (~0.3 s for our
    routers, which the first concurrent requests of a fresh server all waited for). Through its
    `effective_candidates`, where a router has it: an older or newer FastAPI without it builds them
    on the first request as before."""
    for route in routes:
        build = getattr(route, "effective_candidates", None)
        if callable(build):
            _prepare_routes(build())


@asynccontextmanager
async def _background(app: FastAPI) -> AsyncIterator[None]:
    """While the server runs, a thread sends what the outbox holds (e-mails, webhook calls) and another
    keeps the stored open-data files of what is published current."""
    settings: Settings = app.state.settings
    courier = Courier(
        app.state.db,
        settings.mail,
        settings.public_url,
        interval=settings.outbox_seconds,
        retry_seconds=settings.outbox_retry_seconds,
    )
    builder = Builder(app.state.db, open_data.licence(settings.open_data_licence), interval=settings.open_data_seconds)
    for work in (courier, builder):
        work.start()
    try:
        yield
    finally:
        for work in (courier, builder):
            await anyio.to_thread.run_sync(work.stop)
