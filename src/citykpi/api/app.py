"""The application factory: one FastAPI app serving /api/v1, /healthz and, when installed, the pages.

The factory brings the database to the newest schema and registers the built-in framework before
serving, so any URL works on first start. Web pages (`citykpi.web`) plug in through a
`register(app)` function and call the same platform services as the API.
"""

from __future__ import annotations

import importlib
import importlib.util

import anyio
from fastapi import FastAPI
from sqlalchemy import text

from citykpi import __version__
from citykpi.api import errors
from citykpi.api.cache import CallerCache, ResponseCache
from citykpi.api.routes import auth, cities, exports, targets, values, workflow
from citykpi.api.schemas import Health
from citykpi.api.settings import Settings
from citykpi.platform.seed import ensure_framework
from citykpi.platform.standing import backfill
from citykpi.store.db import Database
from citykpi.store.migrate import upgrade

API_PREFIX = "/api/v1"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    db = Database(settings.database_url)
    upgrade(db.engine)
    with db.write() as session:
        ensure_framework(session)
        backfill(session)
    app = FastAPI(
        title="citykpi platform API",
        version=__version__,
        description="U4SSC KPI collection, assessment, verification and publication.",
        openapi_url="/openapi.json",
    )
    app.state.db = db
    app.state.cache = ResponseCache(settings.response_cache_entries)
    app.state.callers = CallerCache()
    app.state.read_limiter = anyio.CapacityLimiter(settings.read_threads)
    app.state.settings = settings
    errors.install(app)
    for module in (auth, cities, targets, values, workflow, exports):
        app.include_router(module.router, prefix=API_PREFIX)

    @app.get("/healthz", response_model=Health, tags=["health"])
    def healthz() -> Health:
        with db.read() as session:
            session.execute(text("SELECT 1"))
        return Health(status="ok", database=db.engine.dialect.name)

    if importlib.util.find_spec("citykpi.web") is not None:
        importlib.import_module("citykpi.web").register(app)
    return app
