"""The API's documentation pages, /docs (Swagger UI) and /redoc, served with no network beyond this server.

FastAPI's own pages load Swagger UI and ReDoc from a CDN, so they are blank on a city's intranet or
offline. The assets come from the `fastapi-offline` package (Swagger UI, Apache-2.0; ReDoc, MIT), and
the pages are static files with no inline script, so a Content-Security-Policy allows them: the
start-up script reads the schema's address from the page. Both libraries set inline styles as they
render (React style attributes, ReDoc's styled-components), so these two pages' own policy allows
inline style, and it confines images to this server: ReDoc's sidebar loads its maker's logo from
their CDN, which the policy blocks (ReDoc then leaves the logo out).
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/api-docs/assets"  # Swagger UI and ReDoc, as the package ships them
OWN = "/api-docs/own"  # this module's start-up script and page style
PAGES = resources.files("citykpi.api") / "data" / "docs"
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:;"
    " worker-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


def register(app: FastAPI) -> None:
    """Called by `citykpi.app.create_app`, which builds the app with FastAPI's CDN pages turned off."""
    app.mount(ASSETS, StaticFiles(directory=str(resources.files("fastapi_offline") / "static")), name="api-docs-assets")
    app.mount(OWN, StaticFiles(directory=str(PAGES / "static")), name="api-docs-own")
    for url, template in (("/docs", "swagger.html"), ("/redoc", "redoc.html")):
        app.add_api_route(url, _page(template, app), include_in_schema=False, response_class=HTMLResponse)


def _page(template: str, app: FastAPI) -> Callable[[Request], HTMLResponse]:
    text = (PAGES / template).read_text(encoding="utf-8")

    def page(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return HTMLResponse(
            text.replace("{root}", root).replace("{schema}", f"{root}{app.openapi_url}").replace("{title}", app.title),
            headers={"Content-Security-Policy": POLICY},
        )

    return page
