"""Searching cities by name ignores case beyond ASCII, on both databases.

SQLite's built-in lower() folds ASCII letters only, PostgreSQL's every letter: the search (which
compares lower(name) with the lowered query) found "Évora" for "évora" on PostgreSQL only.
"""

from __future__ import annotations

import pytest
from apiworld import World

from citykpi.platform import cities
from citykpi.platform.roles import Principal, Role


@pytest.mark.parametrize("query", ["Évora", "évora", "ÉVORA", "vora", "ÖSTERSUND", "östersund"])
def test_city_search_folds_case_of_every_letter(world: World, query: str) -> None:
    with world.app.state.db.write() as s:  # type: ignore[attr-defined]
        for name in ("Évora", "Östersund"):
            cities.create_city(s, Principal("setup", Role.ADMIN), name, population=60_000)
    found = world.client().get("/api/v1/cities", params={"q": query}).json()
    expected = "Évora" if "vora" in query.lower() else "Östersund"
    assert [c["name"] for c in found["items"]] == [expected]
