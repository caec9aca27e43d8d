"""Pytest fixtures shared by the store and API tests: every test runs on SQLite and on PostgreSQL.

PostgreSQL is used when `CITYKPI_TEST_POSTGRES_URL` is set (scripts/with-postgres.sh sets it, and
`make test` runs through that script); otherwise the PostgreSQL variant is skipped with a reason that
says so, and `pytest -ra` prints it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from citykpi.store.db import Database
from citykpi.store.scratch import migrated, postgres_database, sqlite_url

POSTGRES_ENV = "CITYKPI_TEST_POSTGRES_URL"


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
        return
    server = os.environ.get(POSTGRES_ENV)
    if not server:
        pytest.skip(f"PostgreSQL variant skipped: {POSTGRES_ENV} is not set (run via scripts/with-postgres.sh)")
    with postgres_database(server) as url:
        yield url


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    with migrated(db_url) as db:
        yield db
