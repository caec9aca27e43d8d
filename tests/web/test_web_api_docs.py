"""/docs (Swagger UI) and /redoc in headless Chromium: the API's operations render from this server alone.

The pages' assets come from the installed package, so the test records every request the browser
makes and fails on any that leaves 127.0.0.1 (a CDN would). SQLite only: the pages read no data.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from chromium import CHROMIUM
from web_server import running

from citykpi.store.scratch import sqlite_url

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed")
    with running(sqlite_url(tmp_path_factory.mktemp("docs")), cities=1) as url:
        yield url


def visit(browser, url: str) -> tuple[object, list[str], list[str]]:  # type: ignore[no-untyped-def]
    """The page at `url` in a fresh context, the addresses it fetched from this server, and those it
    tried to fetch from any other host (aborted, so that a CDN is never reached, and listed)."""
    context = browser.new_context()
    local: list[str] = []
    away: list[str] = []

    def route(found) -> None:  # type: ignore[no-untyped-def]
        if urlsplit(found.request.url).hostname == "127.0.0.1":
            local.append(found.request.url)
            found.continue_()
        else:
            away.append(found.request.url)
            found.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.goto(url)
    return page, local, away


def test_swagger_ui_renders_the_operations_from_this_server_alone(base: str, browser) -> None:  # type: ignore[no-untyped-def]
    page, requests, away = visit(browser, f"{base}/docs")
    page.locator(".opblock-summary-path").first.wait_for()
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/cities" in [p.replace("\u200b", "") for p in paths]
    assert len(paths) > 20
    page.locator(".opblock-summary-path").first.click()  # an operation opens with its parameters
    page.locator(".opblock-body").first.wait_for()
    assert f"{base}/openapi.json" in requests
    assert away == []


def test_redoc_renders_the_operations_from_this_server_alone(base: str, browser) -> None:  # type: ignore[no-untyped-def]
    page, requests, away = visit(browser, f"{base}/redoc")
    page.get_by_role("heading", name="citykpi platform API").first.wait_for()
    page.wait_for_function("document.querySelectorAll('[data-section-id^=\"operation/\"]').length > 20")
    assert f"{base}/openapi.json" in requests
    assert away == []


def test_every_page_links_the_api_documentation(base: str, browser) -> None:  # type: ignore[no-untyped-def]
    page, _local, _away = visit(browser, base)
    page.locator("footer").get_by_role("link", name="API documentation").click()
    page.wait_for_load_state()
    assert page.url == f"{base}/docs"
    page.locator(".opblock").first.wait_for()
