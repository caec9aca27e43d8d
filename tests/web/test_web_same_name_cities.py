"""Two cities named London, in Canada and in the United Kingdom: two slugs, each page names its country
(a real server on both databases), and the same name and country twice is refused."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import httpx
import pytest
from web_server import running

from citykpi.platform import cities
from citykpi.platform.demo import LOADER
from citykpi.platform.errors import Invalid
from citykpi.store.db import Database


def londons(db: Database) -> None:
    with db.write() as session:
        cities.create_city(session, LOADER, "London", country="Canada", population=420_000)
        cities.create_city(session, LOADER, "London", country="United Kingdom", population=8_900_000)
        cities.create_city(session, LOADER, "London", population=1)  # no country given: numbered


@pytest.fixture(scope="module")
def base(module_db_url: str) -> Iterator[str]:
    with running(module_db_url, cities=1, prepare=londons) as url:
        yield url


def test_same_name_in_two_countries_gets_two_slugs_and_pages_name_the_country(base: str) -> None:
    found = httpx.get(f"{base}/api/v1/cities", params={"q": "london"}).json()["items"]
    assert sorted((c["slug"], c["country"]) for c in found) == [
        ("london", "Canada"),
        ("london-2", ""),
        ("london-united-kingdom", "United Kingdom"),
    ]
    home = html.unescape(httpx.get(f"{base}/", params={"q": "london"}).text)
    links = dict(re.findall(r'<h2><a href="/cities/([a-z0-9-]+)">([^<]+)</a></h2>', home))
    assert links == {
        "london": "London, Canada",
        "london-united-kingdom": "London, United Kingdom",
        "london-2": "London",
    }
    page = html.unescape(httpx.get(f"{base}/cities/london-united-kingdom").text)
    assert "<title>London, United Kingdom" in page and "United Kingdom ·" in page


def test_the_same_name_and_country_twice_is_refused(database: Database) -> None:
    with database.write() as session:
        first = cities.create_city(session, LOADER, "London", country="Canada")
        with pytest.raises(Invalid) as refused:  # at its field, as the administration page shows it
            cities.create_city(session, LOADER, "London", country="Canada")
        assert first.slug == "london" and [p.location.field for p in refused.value.report.errors] == ["name"]
        other = cities.create_city(session, LOADER, "London", country="United Kingdom")
        assert other.slug == "london-united-kingdom"
