"""The bulk download: every published result, the inputs behind them and the city profiles.

Built from the database as the public sees it and stored in it (`store.schema.OpenDataFile`) under
the stamp of everything published (`store.stamps.published_stamp`) and the licence: publishing a
period, or any change to a published one or to a city, changes the stamp; edits of drafts leave it
alone. Each server process checks the stamp every few seconds (`Builder`, a query of two sums) and
rebuilds the files after such a change, outside the publishing transaction, so publishing stays fast
and a failed build cannot undo a publication. A download reads the stored file of the current stamp;
when there is none (no server ran since the change, or a download came first) it builds and stores
the files itself, so none is ever served stale.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from threading import Event, Thread
from typing import Any

from sqlalchemy import delete, insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from citykpi.exchange.open_data import Licence, Table, arrow_csv, arrow_parquet, arrow_table, package_zip
from citykpi.model.collector import collector_paused
from citykpi.platform import results_query
from citykpi.platform.catalogues import catalogue_of
from citykpi.platform.columns import CITY_COLUMNS, INPUT_COLUMNS, RESULT_COLUMNS
from citykpi.platform.periodic import Periodic
from citykpi.platform.roles import PUBLIC
from citykpi.platform.workflow import PeriodState
from citykpi.store.db import Database
from citykpi.store.schema import City, Entry, Framework, OpenDataFile, Period, utcnow
from citykpi.store.stamps import published_stamp

TITLE = "citykpi open data: published KPI results of cities"
DESCRIPTION = (
    "Every published assessment of the platform: one row per KPI data point of a city and year (results), "
    "the input components the values were computed from (inputs), and the city profiles of each year "
    "(cities). Points and bands are against the public reference targets shipped with citykpi, "
    "not the official U4SSC benchmark table."
)


class BulkFormat(StrEnum):
    CSV = "csv"  # the results table alone
    PARQUET = "parquet"  # the results table alone
    PACKAGE = "zip"  # the Frictionless data package: every table, its dictionary and licence


MEDIA = {BulkFormat.CSV: "text/csv; charset=utf-8", BulkFormat.PARQUET: "application/vnd.apache.parquet",
         BulkFormat.PACKAGE: "application/zip"}  # fmt: skip


@dataclass(frozen=True)
class Bulk:
    content: bytes
    filename: str
    media_type: str


Files = dict[str, bytes]  # "results.csv", "inputs.parquet", ..., "citykpi-open-data.zip"
PACKAGE_FILE = "citykpi-open-data.zip"
# Bump when the files change in a way the column definitions do not show, so stored files are rebuilt.
FORMAT = 1
_DEFINED = [FORMAT, TITLE, DESCRIPTION, [vars(c) for c in (*RESULT_COLUMNS, *INPUT_COLUMNS, *CITY_COLUMNS)]]
SHAPE = hashlib.sha256(json.dumps(_DEFINED).encode()).hexdigest()[:16]


def bulk_file(session: Session, db: Database, fmt: BulkFormat, licensed: Licence, table: str = "results") -> Bulk:
    """One file of the download: the stored one of what is published now, else every file built
    from `session` (one read of the tables) and stored through `db`."""
    name = PACKAGE_FILE if fmt is BulkFormat.PACKAGE else f"{table}.{fmt.value}"
    stamp = stamp_of(session, licensed)
    content = session.scalar(select(OpenDataFile.content).where(OpenDataFile.name == name, OpenDataFile.stamp == stamp))
    if content is None:
        files = build_files(session, licensed)
        store(db, stamp, files)
        content = files[name]
    return Bulk(content, name if fmt is BulkFormat.PACKAGE else f"citykpi-{name}", MEDIA[fmt])


def stamp_of(session: Session, licensed: Licence) -> str:
    """What the files are built from: everything published, the licence and the files' shape."""
    return json.dumps([*published_stamp(session), licensed.name, licensed.title, licensed.path, SHAPE])


CLAIM = "(building)"  # the row by which one server process says it is building the files of its stamp
CLAIM_SECONDS = 600.0  # a claim older than this was left by a process that stopped mid-build


def refresh(db: Database, licensed: Licence) -> bool:
    """Builds and stores the files unless the stored ones are of what is published now, or another
    server process is building them; whether it built."""
    with db.read() as session:
        stamp = stamp_of(session, licensed)  # read before the data it stamps (see store.stamps)
        if not _unclaimed(session, stamp):
            return False
    if not _claimed(db, stamp):
        return False
    try:
        with db.read() as session:
            files = build_files(session, licensed)
    except Exception:
        with db.write() as session:
            session.execute(delete(OpenDataFile).where(OpenDataFile.name == CLAIM, OpenDataFile.stamp == stamp))
        raise
    store(db, stamp, files)  # which also removes the claim
    return True


def _unclaimed(session: Session, stamp: str) -> bool:
    """No file of `stamp` stored, and no live claim to be building them."""
    for name, built in session.execute(
        select(OpenDataFile.name, OpenDataFile.built_at).where(OpenDataFile.stamp == stamp)
    ):
        if name != CLAIM or (utcnow() - built).total_seconds() < CLAIM_SECONDS:
            return False
    return True


def _claimed(db: Database, stamp: str) -> bool:
    """Whether this process now holds the claim to build `stamp`'s files. With several worker
    processes each saw the same publication: one builds, the others find its claim. SQLite's
    writers queue, so the check inside the transaction decides; two PostgreSQL transactions that
    both found no claim both insert it, and the second fails on the name's key."""
    try:
        with db.write() as session:
            if not _unclaimed(session, stamp):
                return False
            old = utcnow() - timedelta(seconds=CLAIM_SECONDS)
            stale = or_(OpenDataFile.stamp != stamp, OpenDataFile.built_at < old)
            # Only a stale claim (or one of an older stamp): one that another transaction committed
            # since this one looked must stay, and make the insert fail.
            session.execute(delete(OpenDataFile).where(OpenDataFile.name == CLAIM, stale))
            session.execute(insert(OpenDataFile).values(name=CLAIM, stamp=stamp, content=b"", built_at=utcnow()))
    except IntegrityError:
        return False
    return True


def store(db: Database, stamp: str, files: Files) -> None:
    """Replaces the stored files in one transaction: a download reads all of one build or of the next."""
    built = utcnow()
    with db.write() as session:
        session.execute(delete(OpenDataFile))
        session.execute(insert(OpenDataFile), [{"name": n, "stamp": stamp, "content": c, "built_at": built}
                                              for n, c in files.items()])  # fmt: skip


@dataclass
class Builder(Periodic):
    """Keeps the stored files current in a server process: the build follows a publication within
    `interval` seconds; of several processes, the one that claims the change builds (`refresh`)."""

    thread_name = "citykpi-open-data"
    db: Database
    licensed: Licence
    interval: float = 2.0
    _stop: Event = field(default_factory=Event)
    _thread: Thread | None = None

    def run_once(self) -> bool:
        return refresh(self.db, self.licensed)


def build_files(session: Session, licensed: Licence) -> Files:
    """Every file, from one read of each table; each table becomes one Arrow table, written as CSV
    (alone and in the package) and as Parquet."""
    with collector_paused():
        every = [make(session) for make in TABLES.values()]
        arrows = {t.name: arrow_table(t.columns, t.rows) for t in every}
    rendered = {name: arrow_csv(table) for name, table in arrows.items()}
    files = {f"{name}.csv": content for name, content in rendered.items()}
    files |= {f"{name}.parquet": arrow_parquet(table) for name, table in arrows.items()}
    files[PACKAGE_FILE] = package_zip(every, licensed, TITLE, DESCRIPTION, rendered)
    return files


def results_table(session: Session) -> Table:
    page = results_query.query(session, PUBLIC, results_query.Filters(), limit=None)
    return Table("results", "KPI results", RESULT_COLUMNS, page.records, ("city", "year", "code", "data_point"))


def _published() -> Any:
    return Period.status == PeriodState.PUBLISHED.value


def inputs_table(session: Session) -> Table:
    units: dict[int, dict[str, str]] = {}
    for framework in session.scalars(select(Framework)):
        units[framework.id] = {name: i.unit for k in catalogue_of(framework).kpis.values() for i in k.inputs
                               for name in (i.name,)}  # fmt: skip
    statement = (
        select(City.slug, Period.year, Period.id, Period.framework_id, Entry.kpi, Entry.kind, Entry.name,
               Entry.value_num, Entry.value_text, Entry.status, Entry.quality, Entry.source, Entry.origin)
        .join(Period, Period.id == Entry.period_id)
        .join(City, City.id == Period.city_id)
        .where(_published())
        .order_by(City.slug, Period.year, Entry.kpi, Entry.kind, Entry.name)
    )  # fmt: skip
    rows = [
        (slug, year, pid, kpi, kind, name, units.get(fw, {}).get(name, "") if kind == "input" else "", num, text,
         status, quality, source, origin)
        for slug, year, pid, fw, kpi, kind, name, num, text, status, quality, source, origin
        in session.connection().execute(statement).all()
    ]  # fmt: skip
    return Table("inputs", "Reported inputs", INPUT_COLUMNS, rows, ("city", "year", "code", "kind", "name"))


def cities_table(session: Session) -> Table:
    statement = (
        select(City, Period.year, Period.id, Period.published_at, Period.profile)
        .join(Period, Period.city_id == City.id)
        .where(_published())
        .order_by(City.slug, Period.year)
    )
    rows = []
    for city, year, pid, published_at, profile in session.execute(statement):
        given = profile or {}
        rows.append(
            (city.slug, city.name, city.country, city.hub, city.peer_group, city.latitude, city.longitude, year,
             pid, published_at.isoformat() if published_at else None,
             *(given.get(f) for f in ("population", "households", "area_km2", "gdp")), given.get("currency") or "")
        )  # fmt: skip
    return Table("cities", "City profiles", CITY_COLUMNS, rows, ("city", "year"))


TABLES: dict[str, Callable[[Session], Table]] = {"results": results_table, "inputs": inputs_table,
                                                 "cities": cities_table}  # fmt: skip
