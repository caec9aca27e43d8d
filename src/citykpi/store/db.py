"""Where the database is and how to open it.

SQLite is the embedded default so that `citykpi serve` works with nothing installed; it is opened in
WAL mode so that readers (the dashboard) never wait for a writer (an import). PostgreSQL is chosen by
`CITYKPI_DATABASE_URL`. The schema is owned by the Alembic migrations shipped in this package, never
by `create_all`, so that an existing database is upgraded rather than recreated.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

DEFAULT_SQLITE = "citykpi.db"
ENV_VAR = "CITYKPI_DATABASE_URL"


def database_url(explicit: str | None = None) -> str:
    """The explicit URL, else the environment's, else an SQLite file in the working directory."""
    url = explicit or os.environ.get(ENV_VAR) or f"sqlite:///{Path(DEFAULT_SQLITE).resolve()}"
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        # psycopg 3 is the driver shipped with the project; plain URLs would ask for psycopg2.
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling never BEGINs before SELECT; hand it to SQLAlchemy's events.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    # Writers take the write lock at BEGIN so that two of them queue (busy_timeout) instead of one
    # failing half-way when it upgrades a read lock; readers stay deferred and never block in WAL.
    immediate = conn.get_execution_options().get("sqlite_immediate", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str | None = None) -> Engine:
    url = database_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15})
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    # No pre-ping (a round trip per checkout); connections are recycled before servers usually drop them.
    return create_engine(url, pool_size=20, max_overflow=20, pool_recycle=1800)


class Database:
    """An engine with two session makers: deferred readers, and writers that hold one transaction."""

    def __init__(self, url: str | None = None) -> None:
        self.url = database_url(url)
        self.engine = make_engine(self.url)
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(self.engine.execution_options(sqlite_immediate=True), expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._read() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One unit of work: committed whole when the block ends, rolled back whole if it raises."""
        with self._write() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
