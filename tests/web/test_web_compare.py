"""The compare page and GET /api/v1/compare rank fairly, over HTTP against a real server (both
databases), and the page passes axe-core at desktop and phone width in Chromium.

Four towns of one peer group are published: Vellmarsk and Vellholm in 2023 with every KPI,
Thinmarsk in 2023 with most KPIs not available (shown, not ranked), Vellby in 2022 only (its own
year, never ranked with the 2023 towns).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator

import httpx
import pytest
from browsing import DESKTOP, check_page, watched
from chromium import CHROMIUM
from web_server import running

from citykpi.demo.cities import CITIES
from citykpi.framework.catalogue import Catalogue
from citykpi.platform.demo import load_demo
from citykpi.scoring.comparison import RANK_MIN_SHARE
from citykpi.store.db import Database

TOWN = CITIES[0]  # Vellmarsk, a town under 50k


def towns(db: Database) -> None:
    codes = list(Catalogue.load().kpis)
    load_demo(db, [dataclasses.replace(TOWN, name="Vellholm", seed=11)], years=(2023, 2024), accounts=False)
    thin = dataclasses.replace(TOWN, name="Thinmarsk", seed=12, not_available=tuple(codes[8:]))
    load_demo(db, [thin], years=(2023, 2024), accounts=False)
    load_demo(db, [dataclasses.replace(TOWN, name="Vellby", seed=13)], years=(2022, 2023), accounts=False)


@pytest.fixture(scope="module")
def base(module_db_url: str) -> Iterator[str]:
    with running(module_db_url, cities=1, prepare=towns) as url:
        yield url


def test_api_ranks_on_the_common_basis_within_each_year(base: str) -> None:
    rows = httpx.get(f"{base}/api/v1/compare").json()
    by_name = {r["name"]: r for r in rows}
    assert set(by_name) == {"Vellmarsk", "Vellholm", "Thinmarsk", "Vellby"}
    assert [r["year"] for r in rows] == [2023, 2023, 2023, 2022]  # newest year first
    assert {r["status"] for r in rows} == {"published"}  # the public sees published periods only
    ranked = [r for r in rows if r["rank"] is not None]
    assert [r["name"] for r in ranked[:2]] == sorted(
        ("Vellmarsk", "Vellholm"), key=lambda n: -by_name[n]["common_basis"]["percent"]
    )
    assert [r["rank"] for r in ranked[:2]] == [1, 2]
    basis = ranked[0]["common_basis"]["basis"]
    assert all(r["common_basis"]["scored"] == basis for r in ranked[:2])  # ranked cities scored all of it
    # the basis is at most what the thinner of the two ranked towns scored
    assert 0 < basis <= min(by_name[n]["score"]["coverage"]["scored"] for n in ("Vellmarsk", "Vellholm"))
    thin = by_name["Thinmarsk"]
    assert thin["rank"] is None and thin["share_scored"] < RANK_MIN_SHARE == thin["rank_min_share"]
    assert rows[2]["name"] == "Thinmarsk"  # after the ranked ones of its year
    alone = by_name["Vellby"]  # the only 2022 city: ranked on everything it scored
    assert (alone["rank"], alone["common_basis"]["basis"]) == (1, alone["score"]["coverage"]["scored"])
    assert alone["common_basis"]["percent"] == pytest.approx(alone["score"]["percent"])
    peer = rows[0]["peer_group"]
    assert httpx.get(f"{base}/api/v1/compare", params={"peer_group": peer}).json() == rows
    assert httpx.get(f"{base}/api/v1/compare", params={"peer_group": "no such group"}).json() == []


def test_page_shows_ranks_years_status_and_completeness(base: str) -> None:
    rows = httpx.get(f"{base}/api/v1/compare").json()
    page = httpx.get(f"{base}/compare").text
    assert "each year is ranked separately: 2023, 2022." in page
    headings = re.findall(r'<h3 id="g-1-(\d{4})">(\d{4}): (\d+) cit', page)
    assert headings == [("2023", "2023", "3"), ("2022", "2022", "1")]
    body = page.split('<h3 id="g-1-2023">', 1)[1].split("</table>", 1)[0]
    found = re.findall(r'<tr><td>(.*?)</td>\s*<th scope="row"><a href="/cities/([a-z-]+)">', body)
    assert [slug for _rank, slug in found] == [r["city"] for r in rows[:3]]
    assert [rank for rank, _slug in found][:2] == ["1", "2"] and "not ranked" in found[2][0]
    for r in rows[:3]:
        row = body.split(f'<a href="/cities/{r["city"]}">', 1)[1].split("</tr>", 1)[0]
        assert f", {r['country']}</span>" in row  # a city is named with its country
        assert "Published" in row or "published" in row
        share = round(100 * r["share_scored"])
        assert f"{share} % of benchmarked data points scored" in row
        assert f"{r['common_basis']['scored']} of {r['common_basis']['basis']} common data points" in row
    assert "style=" not in page
    french = httpx.get(f"{base}/compare", cookies={"lang": "fr"}).text
    assert "2023 : 3 villes, base commune de" in french and "non classée" in french and "Rang" in french


@pytest.mark.browser
def test_compare_page_in_chromium_at_desktop_and_phone_width(base: str, browser, module_db_url: str) -> None:  # type: ignore[no-untyped-def]
    if not module_db_url.startswith("sqlite") or not CHROMIUM:
        pytest.skip("the markup does not depend on the database: checked once, on SQLite")
    page = watched(browser.new_page(viewport=DESKTOP))
    page.goto(f"{base}/compare")
    assert page.get_by_role("heading", name=re.compile(r"^2022: 1 city")).count() == 1
    check_page(page, "compare-fair")
    page.close()
