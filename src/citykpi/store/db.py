"""Where the database is and how to open it.

SQLite is the embedded default so that `citykpi serve` works with nothing installed; it is opened in
WAL mode so that readers (the dashboard) never wait for a writer (an import). PostgreSQL is chosen by
`CITYKPI_DATABASE_URL`. The schema is owned by the Alembic migrations shipped in this package, never
by `create_all`, so that an existing database is upgraded rather than recreated.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, select, update
from sqlalchemy.orm import Session, sessionmaker

from citykpi.store import inbox
from citykpi.store.schema import DataRevision, Period

DEFAULT_SQLITE = "citykpi.db"
ENV_VAR = "CITYKPI_DATABASE_URL"
CHANGED = "citykpi.changed"  # session.info: the periods (None: no period) audit rows were written for
REVISION = "citykpi.revision"  # session.info memo of Database.revision
# Threads serving requests each hold a connection; the default pool (5 + 10 overflow) made SQLite
# open and close connections (and run the PRAGMAs) on most requests once 20 clients were served.
POOL = {"pool_size": 20, "max_overflow": 20}


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
    # SQLite's built-in lower() folds ASCII letters only, PostgreSQL's every letter; searches compare
    # lower(name) with the lowered query, so "Évora" was found for "évora" on PostgreSQL only.
    dbapi_connection.create_function("lower", 1, _lower, deterministic=True)


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def _sqlite_begin(conn: Any) -> None:
    # Writers take the write lock at BEGIN so that two of them queue (busy_timeout) instead of one
    # failing half-way when it upgrades a read lock; readers stay deferred and never block in WAL.
    immediate = conn.get_execution_options().get("sqlite_immediate", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str | None = None) -> Engine:
    url = database_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15}, **POOL)
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    # No pre-ping (a round trip per checkout); connections are recycled before servers usually drop them.
    return create_engine(url, pool_recycle=1800, **POOL)


def mark_changed(session: Session, period_ids: Iterable[int | None]) -> None:
    """Called with every audit row: its transaction bumps these revisions when it commits."""
    session.info.setdefault(CHANGED, set()).update(period_ids)


def _before_commit(session: Session) -> None:
    # Notifications first: they read the periods whose revisions the bump then locks.
    inbox.deliver(session)
    _bump_revision(session)


def _bump_revision(session: Session) -> None:
    # Just before commit, so that on PostgreSQL the rows stay locked only briefly and the bumps
    # happen in commit order; periods in id order, so that two transactions never lock crosswise.
    changed = session.info.pop(CHANGED, None)
    if not changed:
        return
    session.execute(update(DataRevision).where(DataRevision.id == 1).values(n=DataRevision.n + 1))
    periods = sorted(p for p in changed if p is not None)
    if periods:
        bump = update(Period).where(Period.id.in_(periods)).values(revision=Period.revision + 1)
        session.execute(bump.execution_options(synchronize_session=False))


class Database:
    """An engine with two session makers: deferred readers, and writers that hold one transaction."""

    def __init__(self, url: str | None = None) -> None:
        self.url = database_url(url)
        self.engine = make_engine(self.url)
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(self.engine.execution_options(sqlite_immediate=True), expire_on_commit=False)
        for maker in (self._read, self._write):
            event.listen(maker, "before_commit", _before_commit)

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

    @staticmethod
    def revision(session: Session) -> int:
        """The data revision seen by `session`, read once: equal revisions mean equal audited data.

        Read before the data it stamps, so anything built afterwards is at least that new (PostgreSQL
        reads committed data statement by statement; SQLite reads one snapshot per transaction).
        """
        if REVISION not in session.info:
            session.info[REVISION] = session.scalar(select(DataRevision.n).where(DataRevision.id == 1)) or 0
        revision: int = session.info[REVISION]
        return revision

    def dispose(self) -> None:
        self.engine.dispose()
