"""The web dashboard: server-rendered pages on the same app and platform services as the API."""

from __future__ import annotations

from importlib import import_module, resources

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from citykpi import vendor

# The modules whose `router` serves the pages, one per area; a new area's module is added here.
PAGE_MODULES = (
    "admin_pages",
    "auth_pages",
    "chart_pages",
    "city_pages",
    "edit_pages",
    "entry_pages",
    "hub_pages",
    "kpi_pages",
    "notice_pages",
    "problem_pages",
    "screening_pages",
    "select_pages",
    "similar_pages",
    "user_pages",
    "verify_pages",
    "webhook_pages",
)


def register(app: FastAPI) -> None:
    """Called by `citykpi.app.create_app`; pages stay out of the OpenAPI document."""
    from citykpi.http.cache import Memo
    from citykpi.platform import scores
    from citykpi.web import render

    app.state.pages = Memo[bytes](512)  # rendered pages (see city_pages), one cache per app and database
    render.warm()
    scores.book()  # the reference targets every page's scores name, read from their YAML file once

    # The chart libraries live on the ground floor (`citykpi.vendor`), shared with the index's chart
    # pages; mounted first, as the wider /static would answer their addresses with a 404.
    app.mount("/static/vendor", StaticFiles(directory=str(vendor.directory())), name="vendor")
    app.mount("/static", StaticFiles(directory=str(resources.files("citykpi.web") / "data" / "static")), name="static")
    for name in PAGE_MODULES:
        app.include_router(import_module(f"citykpi.web.{name}").router, include_in_schema=False)
