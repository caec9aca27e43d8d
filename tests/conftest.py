"""Database fixtures for every test folder: a test that takes `db_url` runs on SQLite and on PostgreSQL.

PostgreSQL is used when `CITYKPI_TEST_POSTGRES_URL` is set (scripts/with-postgres.sh sets it, and
`make test` runs through that script); otherwise the PostgreSQL variant is skipped with a reason that
says so, and `pytest -ra` prints it.
"""

from __future__ import annotations

import os

# Test users need no costly password hashes: real argon2, test-sized cost (see citykpi.platform.accounts).
os.environ.setdefault("CITYKPI_ARGON2_PROFILE", "CHEAPEST")

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from citykpi.store.db import Database
from citykpi.store.scratch import migrated, postgres_database, sqlite_url

POSTGRES_ENV = "CITYKPI_TEST_POSTGRES_URL"


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
