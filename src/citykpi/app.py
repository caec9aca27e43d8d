"""The application factory: one FastAPI app serving /api/v1 (`citykpi.api`), the pages (`citykpi.web`) and /healthz.

This module is the only one that imports both front ends; they share the floor below them
(`citykpi.http`) and never import each other. The factory brings the database to the newest schema
and registers the built-in framework before serving, so any URL works on first start.
"""

from __future__ import annotations

import anyio
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from sqlalchemy import text

from citykpi import __version__, web
from citykpi.api import routes as api_routes
from citykpi.api.schemas import Health
from citykpi.http.cache import CallerCache, ResponseCache
from citykpi.http.security_headers import CSP, SecurityHeaders, document_policy
from citykpi.http.settings import Settings
from citykpi.platform.seed import ensure_framework
from citykpi.platform.standing import backfill
from citykpi.store.db import Database
from citykpi.store.migrate import upgrade

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
    api_routes.register(app)

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

    web.register(app)
    return app
