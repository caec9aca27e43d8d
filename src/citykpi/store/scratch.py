"""Throw-away databases for tests and benchmarks: an SQLite file, or a fresh PostgreSQL database.

Each PostgreSQL scratch database is created on the server named by a URL and dropped afterwards,
so tests never see each other's rows and never need a cleanup order.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from citykpi.store.db import Database
from citykpi.store.migrate import upgrade


@contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    """A new empty database on the server of `server_url`; yields its URL and drops it on exit."""
    name = f"citykpi_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def sqlite_url(directory: Path) -> str:
    return f"sqlite:///{directory / 'citykpi.db'}"


@contextmanager
def migrated(url: str) -> Iterator[Database]:
    database = Database(url)
    upgrade(database.engine)
    try:
        yield database
    finally:
        database.dispose()
