"""The hub overview, the chart specs, compare by KPI and the embeds over HTTP against a real server
(SQLite and PostgreSQL): what each shows to whom, the filters in the address, the downloads, and
which answers another site may frame."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import httpx
import openpyxl
import pytest
from web_server import YEARS, running, signed_in

from citykpi import vendor
from citykpi.demo.cities import CITIES
from citykpi.report.style import NOT_REPORTED
from citykpi.store.schema import City, Period
from citykpi.web.hub_view import HubRow, hub_page

KPI = "EC: ICT: ICT: 4C"
LOTUSGATE, PUERTO = "lotusgate", "Puerto Quimera"  # both large metropolitan: each other's peers


@pytest.fixture(scope="module")
def base(module_db_url: str) -> Iterator[str]:
    with running(module_db_url, cities=4) as url:
        yield url


def test_hub_lists_every_visible_city_with_score_coverage_and_thumbnail(base: str) -> None:
    page = httpx.get(f"{base}/hub").text
    names = re.findall(r"<h3><a href=\"/cities/[^?]+\?year=(\d+)\">([^<]+)</a></h3>", page)
    assert sorted(n for _y, n in names) == sorted(c.name for c in CITIES[:4])
    assert {y for y, _n in names} == {str(YEARS[0])}  # the public sees the published year only
    assert page.count("reported data points scored;") >= 4 and page.count('.svg" alt=') == 4
    thumb = re.search(r'src="(/wheels/\d+\.svg)"', page)
    assert thumb is not None
    drawn = httpx.get(f"{base}{thumb.group(1)}")
    words = " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", drawn.text))  # what the thumbnail prints
    assert drawn.status_code == 200 and drawn.text.startswith("<svg") and "in the framework" not in words
    editor = signed_in(base, "editor").get("/hub").text
    assert f'?year={YEARS[-1]}">{CITIES[0].name}<' in editor  # its own draft year


def test_hub_filters_and_sorting_travel_in_the_address(base: str) -> None:
    north = httpx.get(f"{base}/hub", params={"hub": "North hub"}).text
    shown = re.findall(r"<h3><a [^>]+>([^<]+)</a></h3>", north)
    assert shown == sorted(c.name for i, c in enumerate(CITIES[:4]) if i % 2 == 0)
    assert 'href="/hub?hub=North+hub"' in north  # the share link keeps the filter
    assert "/charts/map.json?hub=North+hub" in north and "/embed/map?hub=North+hub" in north
    by_score = httpx.get(f"{base}/hub", params={"sort": "score", "dimension": "Economy"}).text
    scores = [float(s) for s in re.findall(r'<strong class="score">(\d+)', by_score)]
    assert len(scores) == 4 and scores == sorted(scores, reverse=True)
    for bad in ({"year": "soon"}, {"sort": "colour"}):
        answer = httpx.get(f"{base}/hub", params=bad)
        assert answer.status_code == 422 and "<h1>" in answer.text  # a page saying what is wrong, not a 500


def test_hub_cards_come_fifty_to_a_page_with_links_and_a_page_it_has_not_is_refused(base: str) -> None:
    first = httpx.get(f"{base}/hub", params={"page": "1", "sort": "score"}).text
    assert len(re.findall(r"<h3><a ", first)) == 4 and 'aria-label="Pages of the overview"' not in first
    for bad in ("2", "0", "last"):
        answer = httpx.get(f"{base}/hub", params={"page": bad})
        assert answer.status_code == 422 and "is not a page of this overview (1 to 1)" in answer.text
    french = httpx.get(f"{base}/hub", params={"page": "2"}, headers={"Accept-Language": "fr"}).text
    assert "n'est pas une page de cette vue (1 à 1)" in french.replace("&#39;", "'")
    rows = [HubRow(City(slug=f"c{i}", name=f"City {i:03d}"), Period(id=i, year=2023), None) for i in range(120)]
    pages = [hub_page(rows, str(n)) for n in (1, 2, 3)]
    assert [len(p.rows) for p in pages] == [50, 50, 20] and {p.pages for p in pages} == {3}
    assert [p.first for p in pages] == [1, 51, 101] and pages[2].rows[-1].city.name == "City 119"
    assert hub_page(rows, "").number == 1


def test_the_vendored_libraries_are_served_at_their_addresses_as_shipped(base: str) -> None:
    """They live in `citykpi.vendor` (shared with the index's chart pages), and stay at /static/vendor/."""
    shipped = sorted(f.name for f in vendor.directory().iterdir())
    assert {"vega.min.js", "vega-lite.min.js", "vega-embed.min.js", "vega-embed.css", "README.md"} <= set(shipped)
    types = {".js": "text/javascript", ".css": "text/css", ".json": "application/json"}
    for name in shipped:
        answer = httpx.get(f"{base}/static/vendor/{name}")
        assert answer.status_code == 200 and answer.content == (vendor.directory() / name).read_bytes(), name
        if (kind := types.get(name[name.rfind(".") :])) is not None:
            assert answer.headers["content-type"].startswith(kind), name
    assert httpx.get(f"{base}/static/vendor/__init__.py").status_code == 404  # the module is not served
    assert httpx.get(f"{base}/static/site.css").status_code == 200  # the web's own files beside them
    assert httpx.get(f"{base}/static/vendor/nothing.js").status_code == 404


def test_every_page_names_its_icon_so_browsers_ask_for_no_missing_favicon(base: str) -> None:
    """Without a `rel="icon"` link a browser asks for /favicon.ico, a 404 on the console of every page."""
    for path in ("/", "/hub", "/embed/map"):
        assert '<link rel="icon" href="/static/icon.svg" type="image/svg+xml">' in httpx.get(f"{base}{path}").text, path
    icon = httpx.get(f"{base}/static/icon.svg")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.text.startswith("<svg") and "<title>citykpi</title>" in icon.text


def test_map_spec_places_each_city_with_its_band_size_and_link(base: str) -> None:
    spec = httpx.get(f"{base}/charts/map.json").json()
    basemap, cities = spec["layer"]
    assert basemap["data"]["url"] == "/static/vendor/world-countries-110m.json"
    assert "countries" in httpx.get(f"{base}{basemap['data']['url']}").json()["objects"]  # shipped, not fetched
    points = cities["data"]["values"]
    assert sorted(p["name"] for p in points) == sorted(c.name for c in CITIES[:4])
    for point in points:
        spec_city = next(c for c in CITIES if c.name == point["name"])
        assert (point["lat"], point["lon"]) == (spec_city.latitude, spec_city.longitude)
        assert point["href"].startswith("/cities/") and point["population"] > 0
        assert point["band"] in cities["encoding"]["color"]["scale"]["domain"]
    assert cities["encoding"]["href"] == {"field": "href"}
    scale = cities["encoding"]["color"]["scale"]
    # the wheel's hatch for "not reported" is SVG only: Vega draws the reports' solid grey for it
    assert dict(zip(scale["domain"], scale["range"], strict=True))["Not reported"] == NOT_REPORTED
    assert all(re.fullmatch(r"#[0-9a-f]{6}", colour) for colour in scale["range"])


def test_kpi_history_shows_the_city_its_band_the_target_and_its_peers(base: str) -> None:
    params = {"city": LOTUSGATE, "kpi": KPI, "point": "coverage_4g"}
    spec = httpx.get(f"{base}/charts/kpi-history.json", params=params).json()
    peers, _line, own, target = spec["layer"]
    assert [r["year"] for r in own["data"]["values"]] == [str(YEARS[0])]
    assert {r["city"] for r in peers["data"]["values"]} == {PUERTO}
    assert target["mark"]["strokeDash"] and target["data"]["values"][0]["value"] == 100
    mine = signed_in(base, "editor")  # the editor of the first city: Lotusgate's draft stays hidden
    assert len(mine.get("/charts/kpi-history.json", params=params).json()["layer"][2]["data"]["values"]) == 1
    page = httpx.get(f"{base}/cities/{LOTUSGATE}/kpis/{KPI}").text
    assert page.count('class="chart"') == 2 and "figures as a table" in page
    assert PUERTO in page  # the peer's value in the table beside the chart


def test_city_page_charts_its_dimension_and_subdimension_scores(base: str) -> None:
    page = signed_in(base, "editor").get(f"/cities/{CITIES[0].name.lower()}").text
    assert "/charts/city-scores.json?city=vellmarsk&amp;level=dimension" in page
    spec = signed_in(base, "editor").get("/charts/city-scores.json?city=vellmarsk&level=subdimension").json()
    rows = spec["data"]["values"]
    assert {r["year"] for r in rows} == {str(y) for y in YEARS} and spec["facet"]["field"] == "dimension"
    assert {"ICT", "Energy"} <= {r["group"] for r in rows}


def test_compare_by_kpi_table_chart_and_downloads_agree(base: str) -> None:
    params = {"kpi": KPI, "point": "coverage_3g"}
    page = httpx.get(f"{base}/compare/kpis", params=params).text
    assert "Peer median" in page and "Percentage" in page
    assert 'href="/kpis/u4ssc/EC%3A%20ICT%3A%20ICT%3A%204C"' in page  # the KPI's public page (h14data)
    spec = httpx.get(f"{base}/charts/kpi-compare.json", params=params).json()
    bars = spec["data"]["values"]
    assert len(bars) == 4 and [b["value"] for b in bars] == sorted((b["value"] for b in bars), reverse=True)
    rows = list(csv.reader(io.StringIO(httpx.get(f"{base}/compare/kpis.csv", params=params).text)))
    assert rows[0] == [
        "City",
        "Country",
        "Peer group",
        "Year",
        "Status",
        "Value",
        "Unit",
        "Band",
        "Peer median",
        "Coverage",
    ]
    assert [round(float(r[5]), 6) for r in rows[1:]] == [round(b["value"], 6) for b in bars]
    large = [r for r in rows[1:] if r[2].startswith("large")]
    assert len(large) == 2 and large[0][8] == large[1][8]  # one median for the peer group
    book = openpyxl.load_workbook(io.BytesIO(httpx.get(f"{base}/compare/kpis.xlsx", params=params).content))
    sheet = book.active
    assert [c.value for c in sheet[2]] == rows[0] and sheet.max_row == 2 + len(bars)
    dimension = httpx.get(f"{base}/compare/kpis.csv", params={"dimension": "Economy"}).text
    assert "% of maximum points" in dimension and "reported data points scored" in dimension
    assert httpx.get(f"{base}/compare/kpis", params={"kpi": "NO: SUCH"}).status_code == 404


def test_only_embeds_may_be_framed_and_they_read_as_the_public_without_cookies(base: str) -> None:
    editor = signed_in(base, "editor")
    for path in ("/embed/map", f"/embed/kpi-history?city=vellmarsk&kpi={KPI}&point=coverage_3g"):
        answer = editor.get(path)
        assert answer.status_code == 200 and "set-cookie" not in answer.headers
        assert "frame-ancestors *" in answer.headers["content-security-policy"]
        assert "script-src" not in answer.headers["content-security-policy"]  # default-src 'self': no inline, no eval
        assert "x-frame-options" not in answer.headers and "csrf_token" not in answer.text
        spec = re.search(r'data-chart="([^"]+)"', answer.text)
        assert spec is not None and spec.group(1).startswith("/embed/")
    drafts = editor.get(f"/embed/kpi-history.json?city=vellmarsk&kpi={KPI}&point=coverage_3g").json()
    points = next(layer for layer in drafts["layer"] if layer["mark"]["type"] == "point")  # Vellmarsk has no peer
    assert [r["year"] for r in points["data"]["values"]] == [str(YEARS[0])]  # public, despite the cookie
    for path in ("/hub", "/compare/kpis", "/charts/map.json", "/cities/vellmarsk"):
        headers = httpx.get(f"{base}{path}").headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"] and headers["x-frame-options"] == "DENY"


def test_hub_and_its_map_speak_french(base: str) -> None:
    french = httpx.Client(base_url=base, cookies={"lang": "fr"})
    page = french.get("/hub").text
    assert "Vue du pôle" in page and "Carte des villes" in page and "Télécharger ce graphique" in page
    spec = french.get("/charts/map.json").json()
    assert spec["layer"][1]["encoding"]["color"]["title"] == "Tranche de score"
