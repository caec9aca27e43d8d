"""The bulk download: every published result, the inputs behind them and the city profiles.

Built from the database as the public sees it, and kept per process under the stamp of everything
published (`store.stamps.published_stamp`): publishing a period, or any change to a published one,
changes the stamp, so the next download rebuilds the files and none is ever served stale; edits of
drafts leave it alone. The files are built on the first request after such a change, not in the
publishing transaction, so publishing stays fast and a failed build cannot undo a publication.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from citykpi.exchange.open_data import Licence, Table, package_zip, parquet_bytes, table_csv
from citykpi.platform import results_query
from citykpi.platform.catalogues import catalogue_of
from citykpi.platform.columns import CITY_COLUMNS, INPUT_COLUMNS, RESULT_COLUMNS
from citykpi.platform.roles import PUBLIC
from citykpi.platform.workflow import PeriodState
from citykpi.store.schema import City, Entry, Framework, Period
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


def bulk_file(
    session: Session,
    keep: Callable[[Hashable, Callable[[], Files]], Files],
    fmt: BulkFormat,
    licensed: Licence,
    table: str = "results",
) -> Bulk:
    """One file of the download. Every file is built at once from one read of the tables and kept by
    `keep` (a cache by key) while nothing published has changed."""
    files = keep(("open-data", licensed, published_stamp(session)), lambda: build_files(session, licensed))
    if fmt is BulkFormat.PACKAGE:
        return Bulk(files[PACKAGE_FILE], PACKAGE_FILE, MEDIA[fmt])
    name = f"{table}.{fmt.value}"
    return Bulk(files[name], f"citykpi-{name}", MEDIA[fmt])


def build_files(session: Session, licensed: Licence) -> Files:
    every = [make(session) for make in TABLES.values()]
    rendered = {t.name: table_csv(t) for t in every}
    files = {f"{name}.csv": content for name, content in rendered.items()}
    files |= {f"{t.name}.parquet": parquet_bytes(t) for t in every}
    files[PACKAGE_FILE] = package_zip(every, licensed, TITLE, DESCRIPTION, rendered)
    return files


def results_table(session: Session) -> Table:
    page = results_query.query(session, PUBLIC, results_query.Filters(), limit=None)
    return Table("results", "KPI results", RESULT_COLUMNS, page.rows, ("city", "year", "code", "data_point"))


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
        {"city": slug, "year": year, "period_id": pid, "code": kpi, "kind": kind, "name": name,
         "unit": units.get(fw, {}).get(name, "") if kind == "input" else "", "value": num, "value_text": text,
         "status": status, "quality": quality, "source": source, "origin": origin}
        for slug, year, pid, fw, kpi, kind, name, num, text, status, quality, source, origin
        in session.execute(statement)
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
            {"city": city.slug, "city_name": city.name, "country": city.country, "hub": city.hub,
             "peer_group": city.peer_group, "latitude": city.latitude, "longitude": city.longitude, "year": year,
             "period_id": pid, "published_at": published_at.isoformat() if published_at else None,
             **{f: given.get(f) for f in ("population", "households", "area_km2", "gdp")},
             "currency": given.get("currency") or ""}
        )  # fmt: skip
    return Table("cities", "City profiles", CITY_COLUMNS, rows, ("city", "year"))


TABLES: dict[str, Callable[[Session], Table]] = {"results": results_table, "inputs": inputs_table,
                                                 "cities": cities_table}  # fmt: skip
