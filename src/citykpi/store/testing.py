"""Pytest fixtures shared by the store, API and dashboard tests: every test runs on SQLite and on PostgreSQL.

PostgreSQL is used when `CITYKPI_TEST_POSTGRES_URL` is set (scripts/with-postgres.sh sets it, and
`make test` runs through that script); otherwise the PostgreSQL variant is skipped with a reason that
says so, and `pytest -ra` prints it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from citykpi.store.db import Database
from citykpi.store.scratch import migrated, postgres_database, sqlite_url

POSTGRES_ENV = "CITYKPI_TEST_POSTGRES_URL"
FAR_ZONE = "Pacific/Auckland"


def far_from_utc(url: str) -> str:
    """The URL with a PostgreSQL session time zone far from UTC, as a server left on local time has.

    PostgreSQL hands timestamps back in the session's zone and SQLite as written, so only a non-UTC
    session shows whether code depends on the zone. Other URLs are returned as they are.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return url
    return parsed.update_query_dict({"options": f"-c timezone={FAR_ZONE}"}).render_as_string(hide_password=False)


@contextmanager
def scratch_url(kind: str, directory: Path) -> Iterator[str]:
    """A throw-away database of `kind` ("sqlite" or "postgres"); skips the test if PostgreSQL is not set up."""
    if kind == "sqlite":
        yield sqlite_url(directory)
        return
    server = os.environ.get(POSTGRES_ENV)
    if not server:
        pytest.skip(f"PostgreSQL variant skipped: {POSTGRES_ENV} is not set (run via scripts/with-postgres.sh)")
    with postgres_database(server) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with scratch_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def module_db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Like `db_url`, shared by a module's tests (for one server per module, e.g. the dashboard's)."""
    with scratch_url(request.param, tmp_path_factory.mktemp(request.param)) as url:
        yield url


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    with migrated(db_url) as db:
        yield db
