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
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from sqlalchemy import text

from citykpi import __version__
from citykpi.api import errors
from citykpi.api.cache import CallerCache, ResponseCache
from citykpi.api.routes import auth, cities, exports, targets, values, workflow
from citykpi.api.schemas import ERROR_RESPONSES, Health
from citykpi.api.security_headers import CSP, SecurityHeaders, document_policy
from citykpi.api.settings import Settings
from citykpi.platform.seed import ensure_framework
from citykpi.platform.standing import backfill
from citykpi.store.db import Database
from citykpi.store.migrate import upgrade

API_PREFIX = "/api/v1"
SWAGGER_CDN = "https://cdn.jsdelivr.net"


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
        docs_url=None,  # served below, with its own Content-Security-Policy
        redoc_url=None,
    )
    app.add_middleware(SecurityHeaders, hsts=settings.secure_cookies)
    app.state.db = db
    app.state.cache = ResponseCache(settings.response_cache_entries)
    app.state.callers = CallerCache()
    app.state.read_limiter = anyio.CapacityLimiter(settings.read_threads)
    app.state.settings = settings
    errors.install(app)
    for module in (auth, cities, targets, values, workflow, exports):
        app.include_router(module.router, prefix=API_PREFIX, responses=ERROR_RESPONSES)

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        """Swagger UI, whose script and styles come from its CDN and one inline script, allowed by hash."""
        page = bytes(get_swagger_ui_html(openapi_url="/openapi.json", title=f"{app.title} - docs").body).decode()
        policy = document_policy(page, scripts=SWAGGER_CDN, styles=SWAGGER_CDN, images="https://fastapi.tiangolo.com")
        return HTMLResponse(page, headers={CSP: policy})

    @app.get("/healthz", response_model=Health, tags=["health"])
    def healthz() -> Health:
        with db.read() as session:
            session.execute(text("SELECT 1"))
        return Health(status="ok", database=db.engine.dialect.name)

    if importlib.util.find_spec("citykpi.web") is not None:
        importlib.import_module("citykpi.web").register(app)
    return app
