"""Shared by the API tests: a real app on SQLite or PostgreSQL, two cities in two hubs, one user per role."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from citykpi.app import create_app
from citykpi.http.settings import Settings
from citykpi.platform import accounts, cities
from citykpi.platform.roles import Principal, Role
from citykpi.platform.seed import ensure_framework

PASSWORD = "correct horse battery"
ROLES = {
    "admin": (Role.ADMIN, (), ()),
    "hub": (Role.HUB_MANAGER, (), ("north",)),
    "editor": (Role.CITY_EDITOR, ("alpha",), ()),
    "verifier": (Role.VERIFIER, ("alpha",), ()),
    "viewer": (Role.VIEWER, (), ()),
    "other_editor": (Role.CITY_EDITOR, ("beta",), ()),
}


@dataclass
class World:
    app: object
    periods: dict[str, int]
    tokens: dict[str, str]

    def client(self, user: str | None = None) -> TestClient:
        client = TestClient(self.app, raise_server_exceptions=False)  # type: ignore[arg-type]
        if user is not None:
            client.headers["Authorization"] = f"Bearer {self.tokens[user]}"
        return client


@pytest.fixture
def world(db_url: str) -> Iterator[World]:
    app = create_app(Settings(database_url=db_url))
    db = app.state.db
    admin = Principal("setup", Role.ADMIN)
    periods: dict[str, int] = {}
    tokens: dict[str, str] = {}
    with db.write() as s:
        framework = ensure_framework(s)
        for slug, hub in (("alpha", "north"), ("beta", "south")):
            city = cities.create_city(s, admin, slug.title(), slug=slug, population=250_000, hub=hub, country="X")
            periods[slug] = cities.create_period(s, admin, city, 2023, framework).id
        for username, (role, city_slugs, hubs) in ROLES.items():
            user = accounts.create_user(s, username, PASSWORD, role, cities=city_slugs, hubs=hubs)
            tokens[username] = accounts.issue(s, user, "token", name="tests")[0]
    yield World(app, periods, tokens)
    db.dispose()
