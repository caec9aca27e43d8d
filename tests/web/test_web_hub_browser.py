"""The hub overview, the charts and their embeds in headless Chromium against a real server.

The public opens the hub overview, sees the map drawn by vega-embed under the pages' strict
Content-Security-Policy (no eval, no inline style), filters it by hub, clicks a city on the map and
lands on its page with its score charts; opens a KPI page and sees the history chart with the peer
city behind it; compares a KPI across the cities and downloads the table as CSV and XLSX; and a
page of another origin embeds a chart in an iframe and saves it as SVG. Every new page passes
axe-core at 1280 and 390 px (SQLite variant, as in test_web_browser.py).
"""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import openpyxl
import pytest
from browsing import DESKTOP, demo_site, refused, watched

from citykpi.demo.cities import CITIES
from live_server import free_port

pytestmark = pytest.mark.browser
PEERS = ("Lotusgate", "Puerto Quimera")  # both "large metropolitan (1.5M+)"
KPI = "EC: ICT: ICT: 4C"
DRAWN = "div.chart[data-drawn=yes]"


@pytest.fixture(scope="module")
def base(module_db_url: str) -> Iterator[str]:
    yield from demo_site(module_db_url, cities=4)


def points(page) -> int:  # type: ignore[no-untyped-def]
    return int(page.locator(f"{DRAWN} .mark-symbol.role-mark path").count())


def test_hub_map_charts_compare_and_embed(base: str, browser, check, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = watched(browser.new_page(viewport=DESKTOP, accept_downloads=True))
    page.goto(f"{base}/hub")
    page.wait_for_selector(DRAWN)
    assert points(page) == 4 and page.locator(".hub-cards > li").count() == 4
    assert page.locator(f"{DRAWN} .mark-shape.role-mark path").count() > 100  # the shipped basemap's countries
    check(page, "hub")

    page.get_by_label("Hub", exact=True).select_option("North hub")
    page.get_by_role("button", name="Show").click()
    page.wait_for_selector(DRAWN)
    assert "hub=North+hub" in page.url
    north = [c.name for i, c in enumerate(CITIES[:4]) if i % 2 == 0]  # the demo assigns hubs alternately
    assert page.locator(".hub-cards h3").all_inner_texts() == sorted(north)
    assert points(page) == len(north)

    with page.expect_navigation():
        page.locator(f"{DRAWN} .mark-symbol.role-mark path").first.click()
    assert "/cities/" in page.url
    page.locator(DRAWN).nth(1).wait_for()  # (wait_for_function would eval, which the CSP refuses)
    assert "Dimension scores over the years" in page.content()
    check(page, "city-score-charts")

    lotusgate = PEERS[0].lower()
    page.goto(f"{base}/cities/{lotusgate}/kpis/{KPI}")
    page.locator(DRAWN).nth(1).wait_for()  # 3G and 4G
    figure = page.locator("figure.chart-figure").first
    assert figure.locator(".mark-line.role-mark path").count() >= 2  # the city's line and its peer's
    figure.locator("summary", has_text="as a table").click()
    assert PEERS[1] in figure.locator("table").inner_text()
    check(page, "kpi-history")

    page.goto(f"{base}/compare/kpis")
    page.get_by_label("KPI", exact=True).select_option(KPI)
    page.get_by_role("button", name="Show").click()
    page.get_by_label("Data point").select_option("coverage_4g")
    page.get_by_role("button", name="Show").click()
    page.wait_for_selector(DRAWN)
    assert "point=coverage_4g" in page.url
    shown = page.locator("figure.chart-figure table tbody tr").count()
    assert shown == 4 and page.locator(f"{DRAWN} path[aria-roledescription=bar]").count() == 4
    check(page, "compare-kpi")
    with page.expect_download() as got:
        page.get_by_role("link", name="CSV").click()
    rows = list(csv.reader(io.StringIO(Path(got.value.path()).read_text(encoding="utf-8"))))
    assert rows[0][:3] == ["City", "Country", "Peer group"] and len(rows) == 1 + shown
    with page.expect_download() as got:
        page.get_by_role("link", name="XLSX").click()
    sheet = openpyxl.load_workbook(io.BytesIO(Path(got.value.path()).read_bytes())).active
    assert [c.value for c in sheet[2]][:2] == ["City", "Country"] and sheet.max_row == 2 + shown

    embed = page.get_by_role("link", name="Embeddable chart").get_attribute("href")
    page.goto(f"{base}{embed}")
    page.wait_for_selector(DRAWN)
    check(page, "embed")
    host = watched(browser.new_page(viewport=DESKTOP, accept_downloads=True))
    with other_site(_host_page(base, embed)) as other:
        host.goto(other)
        frame = host.frame_locator("#chart")
        frame.locator(DRAWN).wait_for()
        frame.get_by_label("Download this chart").click()
        with host.expect_download() as got:
            frame.get_by_text("Save as SVG").click()
        assert Path(got.value.path()).read_text(encoding="utf-8").startswith("<svg")
        framed = next(f for f in host.frames if f.name == "" and f != host.main_frame and "/embed/" not in f.url)
        assert "Hub overview" not in framed.content()  # the hub page itself may not be framed (frame-ancestors 'none')
    assert refused(page) == []
    host.close()
    page.close()


@contextmanager
def other_site(page: str) -> Iterator[str]:
    """A second real server, on localhost rather than 127.0.0.1 (another site), serving one page."""

    class Host(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(page.encode())

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Host)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_address[1]}/"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def _host_page(base: str, embed: str | None) -> str:
    return (
        f'<!doctype html><title>host</title><iframe id="chart" title="chart" src="{base}{embed}" width="800"'
        f' height="600"></iframe><iframe id="page" title="page" src="{base}/hub" width="400" height="300"></iframe>'
    )
