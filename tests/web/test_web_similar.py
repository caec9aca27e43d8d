"""Similar cities over HTTP against a real server with four demo cities: the API, the page, axe."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest
from browsing import check_page, watched
from web_server import CITY, running


@pytest.fixture(scope="module")
def base(module_db_url: str) -> Iterator[str]:
    with running(module_db_url, cities=4) as url:
        yield url


def get(url: str) -> httpx.Response:
    return httpx.get(url, timeout=60)  # a shared, loaded machine renders the city page slowly


def test_the_api_lists_alike_cities_from_published_years(base: str) -> None:
    found = get(f"{base}/api/v1/cities/{CITY}/similar").json()
    slugs = [n["slug"] for n in found["by_profile"]]
    assert len(slugs) == 3 and CITY not in slugs  # the other three demo cities, never itself
    distances = [n["distance"] for n in found["by_profile"]]
    assert distances == sorted(distances)
    assert {n["year"] for n in found["by_kpis"]} == {2023}  # the public sees the published year only
    assert all(n["compared_on"] >= 10 for n in found["by_kpis"]) and len(found["by_kpis"]) == 3
    assert found["leads"] and found["lags"]
    assert all(g["score"] > 0 for g in found["leads"]) and all(g["score"] < 0 for g in found["lags"])
    assert get(f"{base}/api/v1/cities/nowhere/similar").status_code == 404


def test_the_page_names_the_cities_and_links_the_kpis(base: str) -> None:
    found = get(f"{base}/api/v1/cities/{CITY}/similar").json()
    page = get(f"{base}/cities/{CITY}/similar")
    assert page.status_code == 200
    for n in found["by_profile"]:
        assert f'href="/cities/{n["slug"]}/similar">{n["name"]}</a>' in page.text
    lead = found["leads"][0]
    assert f'href="/cities/{CITY}/kpis/{quote(lead["code"])}"' in page.text
    assert f'href="/cities/{CITY}/similar"' in get(f"{base}/cities/{CITY}").text
    missing = get(f"{base}/cities/nowhere/similar")
    assert missing.status_code == 404 and "nowhere" in missing.text


@pytest.mark.browser
def test_the_page_passes_axe_at_desktop_and_phone_width(base: str, browser) -> None:  # type: ignore[no-untyped-def]
    page = watched(browser.new_page())
    page.goto(f"{base}/cities/{CITY}/similar")
    check_page(page, "similar cities")
    page.close()
