"""KPI values across cities, KPIs and years in one query: what the query API and the bulk files read.

One flat row per KPI data point of a period the caller may see (the public: published periods),
with the city's attributes, the verifier's decision and the points against the public reference
targets, so that a hub or a researcher gets in one call what would otherwise take a request per
period. Rows are read with one SQL statement of plain columns (the stored record's fields through the
database's JSON functions, not by loading ~100 000 JSON documents into Python) and come in one stable
order, (city, year, KPI, data point), which the opaque cursor continues from: a keyset, so a page
costs the same at the end of the table as at its start and a row written meanwhile is neither
skipped nor repeated.

A row is a tuple in `RESULT_COLUMNS` order, built by concatenating what its period shares, what its
data point's catalogue entry says and its stored columns: 84 000 rows of 26 fields are a few
hundred milliseconds of Python, where a dict per row built field by field, the JSON functions of
the database and Pydantic's serialiser cost several times that. Serialisers take the tuples as they
are (Arrow for CSV and Parquet, orjson for JSON, `Page.rows` for the rest).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, or_, select, true
from sqlalchemy.orm import Session

from citykpi.exchange.open_data import Column
from citykpi.framework.formula import parse
from citykpi.framework.model import PROFILE_FIELDS
from citykpi.model.assessment import Assessment, KpiResult
from citykpi.model.collector import collector_paused
from citykpi.model.diagnostics import Diagnostic, Location
from citykpi.model.submission import CityProfile
from citykpi.platform.catalogues import catalogue_of
from citykpi.platform.columns import INPUTS, RESULT_COLUMNS
from citykpi.platform.errors import Invalid
from citykpi.platform.roles import Principal, read_scope
from citykpi.platform.workflow import PeriodState, ReviewState
from citykpi.store.schema import City, Entry, Framework, Period, Result, Review

MAX_LIMIT = 200_000
BANDS = {1: "below 33%", 2: "33% to 66%", 3: "66% to 95%", 4: "95% or more"}
_VERIFIED = {ReviewState.ACCEPTED.value: True, ReviewState.REJECTED.value: False}


@dataclass(frozen=True)
class Filters:
    """Each list keeps rows matching any of its items; an empty list does not filter."""

    city: Sequence[str] = ()
    period: Sequence[int] = ()
    hub: Sequence[str] = ()
    country: Sequence[str] = ()
    peer_group: Sequence[str] = ()
    kpi: Sequence[str] = ()
    dimension: Sequence[str] = ()
    status: Sequence[str] = ()
    period_status: Sequence[str] = ()
    year_from: int | None = None
    year_to: int | None = None


@dataclass(frozen=True)
class Page:
    records: list[tuple[Any, ...]]  # one per row, in `columns` order
    next_cursor: str | None
    columns: tuple[Column, ...] = field(default=RESULT_COLUMNS)

    @property
    def rows(self) -> list[dict[str, Any]]:
        """The rows as dicts by column name (for the exchange formats and the pages)."""
        names = [c.name for c in self.columns]
        return [dict(zip(names, r, strict=True)) for r in self.records]


@dataclass(frozen=True)
class _Period:
    """What every row of one period shares: read once per period, not once per row."""

    id: int
    slug: str
    name: str
    country: str
    hub: str
    peer_group: str
    year: int
    status: str
    framework: str
    framework_id: int

    @property
    def head(self) -> tuple[Any, ...]:
        """The first nine fields of each of its rows."""
        return (self.slug, self.name, self.country, self.hub, self.peer_group, self.year, self.id, self.status,
                self.framework)  # fmt: skip


_NAMES = [c.name for c in RESULT_COLUMNS]
# Where the cursor's key (city, year, KPI, data point) and the inputs' period and data point sit in a row.
_CITY, _YEAR, _PERIOD, _CODE, _POINT = (_NAMES.index(n) for n in ("city", "year", "period_id", "code", "data_point"))
_NO_LABELS = ("",) * 6
_POINT_KEY = itemgetter(1, 2)  # (KPI, data point) of a results row


def query(
    session: Session,
    who: Principal,
    filters: Filters,
    limit: int | None,
    cursor: str | None = None,
    inputs: bool = False,
) -> Page:
    """A page of rows in (city, year, KPI, data point) order (every row for limit None); `next_cursor`
    continues it, None at the end.

    Two reads: the periods (a few hundred rows with the city's attributes), then their results, a
    batch of periods at a time until the page is full. The order is Python's (code points), so it is
    the same on SQLite and on a PostgreSQL cluster whatever its collation.
    """
    if filters.year_from is not None and filters.year_to is not None and filters.year_from > filters.year_to:
        raise _invalid("year_from", f"year_from {filters.year_from} is after year_to {filters.year_to}")
    after = _decode(cursor) if cursor else None
    periods = _periods(session, who, filters)
    if after is not None:
        periods = [p for p in periods if (p.slug, p.year) >= (after[0], after[1])]
    labels = _labels(session, {p.framework_id for p in periods})
    wanted = None if limit is None else limit + 1
    records: list[tuple[Any, ...]] = []
    batch = len(periods) if wanted is None else max(1, wanted // 100 + 1)
    start = 0
    connection = session.connection()  # Core rows: no ORM bookkeeping per row
    with collector_paused():  # tens of thousands of acyclic tuples (see model.collector)
        while start < len(periods) and (wanted is None or len(records) < wanted):
            chosen = periods[start : start + batch]
            start, batch = start + batch, batch * 2
            found: dict[int, list[Any]] = {p.id: [] for p in chosen}
            for r in connection.execute(_results(filters, [p.id for p in chosen])).all():
                found[r[0]].append(r)
            for p in chosen:
                head, framework = p.head, p.framework_id
                for _pid, code, point, value, value_text, status, quality, source, state, percent, points in sorted(
                    found[p.id], key=_POINT_KEY
                ):
                    if after is not None and (p.slug, p.year, code, point) <= after:
                        continue
                    records.append((*head, code, point, *labels.get((framework, code, point), _NO_LABELS), value,
                                    value_text, status, quality, source, _VERIFIED.get(state),
                                    *public_score(percent, points)))  # fmt: skip
        more = wanted is not None and len(records) >= wanted
        records = records[:limit]
        if inputs:  # a list of dicts per row
            used = _inputs(session, records, {p.id: p.framework_id for p in periods})
            records = [(*r, u) for r, u in zip(records, used, strict=True)]
    last = records[-1] if more and records else None
    following = _encode((last[_CITY], last[_YEAR], last[_CODE], last[_POINT])) if last else None
    return Page(records, following, RESULT_COLUMNS + ((INPUTS,) if inputs else ()))


def _invalid(parameter: str, message: str) -> Invalid:
    return Invalid.of([Diagnostic(type="request-error", location=Location(field=parameter), message=message)], message)


def _periods(session: Session, who: Principal, filters: Filters) -> list[_Period]:
    statement = (
        select(City.slug, City.name, City.country, City.hub, City.peer_group, Period.year, Period.status,
               Framework.key, Period.framework_id, Period.id)
        .join(City, City.id == Period.city_id)
        .join(Framework, Framework.id == Period.framework_id)
        .where(_visible(who))
    )  # fmt: skip
    for column, chosen in (
        (City.slug, filters.city),
        (Period.id, filters.period),
        (City.hub, filters.hub),
        (City.country, filters.country),
        (City.peer_group, filters.peer_group),
        (Period.status, filters.period_status),
    ):
        if chosen:
            statement = statement.where(column.in_(list(chosen)))
    if filters.year_from is not None:
        statement = statement.where(Period.year >= filters.year_from)
    if filters.year_to is not None:
        statement = statement.where(Period.year <= filters.year_to)
    found = [
        _Period(pid, slug, name, country, hub, peer, year, status, key, fw)
        for slug, name, country, hub, peer, year, status, key, fw, pid in session.execute(statement)
    ]
    return sorted(found, key=lambda p: (p.slug, p.year))


def _results(filters: Filters, period_ids: list[int]) -> Select[*tuple[Any, ...]]:
    statement: Select[*tuple[Any, ...]] = (
        select(Result.period_id, Result.code, Result.data_point, Result.value, Result.value_text, Result.status,
               Result.quality, Result.source, Review.state, Result.percent, Result.band)
        .outerjoin(Review, and_(Review.period_id == Result.period_id, Review.kpi == Result.code))
        .where(Result.period_id.in_(period_ids))
    )  # fmt: skip
    for column, chosen in ((Result.code, filters.kpi), (Result.dimension, filters.dimension),
                           (Result.status, filters.status)):  # fmt: skip
        if chosen:
            statement = statement.where(column.in_(list(chosen)))
    return statement


def _visible(who: Principal) -> ColumnElement[bool]:
    """The rule of `cities.may_see` as SQL: published, or in the caller's read scope."""
    published = Period.status == PeriodState.PUBLISHED.value
    scope = read_scope(who)
    if scope == ("published",):
        return published
    if scope == ("all",):
        return true()
    if who.hubs and scope[0] == "hubs":
        return or_(published, City.hub.in_(sorted(who.hubs)))
    return or_(published, City.id.in_(sorted(who.cities))) if who.cities else published


def public_score(percent: float | None, points: int | None) -> tuple[float | None, str | None, int | None]:
    """(percent, band, points) of a data point against the public reference targets, from the score
    stored with its result (`platform.scores`): every score the query and the bulk files show."""
    if points is None:
        return _UNSCORED
    return None if percent is None else round(percent, 6), BANDS[points], points


_UNSCORED = (None, None, None)


def _labels(session: Session, framework_ids: set[int]) -> dict[tuple[int, str, str], tuple[str, ...]]:
    """(name, dimension, sub-dimension, category, level, unit) of each data point, from the period's
    framework document.

    The assessment writes exactly these into each stored result (`assess.engine`), so reading them
    from the catalogue instead of from ~100 000 stored JSON records gives the same text for less.
    """
    found: dict[tuple[int, str, str], tuple[str, ...]] = {}
    for row in session.scalars(select(Framework).where(Framework.id.in_(sorted(framework_ids)))):
        for kpi in catalogue_of(row).kpis.values():
            for d in kpi.data_points:
                name = kpi.name if not kpi.is_multi else f"{kpi.name} ({d.label or d.key})"
                found[(row.id, kpi.code, d.key)] = (name, kpi.dimension, kpi.subdimension, kpi.category,
                                                    kpi.level.value, d.unit)  # fmt: skip
    return found


def _inputs(session: Session, records: list[tuple[Any, ...]], frameworks: Mapping[int, int]) -> list[list[Any]]:
    """Each row's `inputs`: the values its data point's formula read (as DHIS2 gives numerator and denominator)."""
    if not records:
        return []
    periods = sorted(frameworks)
    # What each period's formulas may read, by name: its reported inputs, then its profile's fields.
    values: dict[int, dict[str, Any]] = {period_id: {} for period_id in periods}
    connection = session.connection()  # Core rows: no ORM bookkeeping per entry
    for period_id, name, number, text in connection.execute(
        select(Entry.period_id, Entry.name, Entry.value_num, Entry.value_text).where(
            Entry.period_id.in_(periods), Entry.kind == "input"
        )
    ):
        values[period_id][name] = number if number is not None else text
    for period_id, profile in connection.execute(select(Period.id, Period.profile).where(Period.id.in_(periods))):
        values[period_id] |= {f: (profile or {}).get(f) for f in PROFILE_FIELDS}
    rows_of = {r.id: r for r in session.scalars(select(Framework).where(Framework.id.in_(set(frameworks.values()))))}
    catalogues = {period_id: catalogue_of(rows_of[framework]) for period_id, framework in frameworks.items()}
    found = []
    for record in records:
        period_id = record[_PERIOD]
        read = values[period_id]
        found.append(
            [
                {"name": name, "label": label, "unit": unit, "value": read.get(name)}
                for name, label, unit in _formula_inputs(catalogues[period_id], record[_CODE], record[_POINT])
            ]
        )
    return found


_FORMULA_INPUTS: dict[tuple[int, str, str], tuple[tuple[str, str, str], ...]] = {}


def _formula_inputs(catalogue: Any, code: str, point: str) -> tuple[tuple[str, str, str], ...]:
    """(name, label, unit) of every input and profile field the data point's formula reads."""
    key = (id(catalogue), code, point)
    if key not in _FORMULA_INPUTS:
        kpi = catalogue.kpis.get(code)
        found = next((d for d in kpi.data_points if d.key == point), None) if kpi else None
        names = sorted(parse(found.formula).names) if found is not None and found.formula else []
        described = []
        for name in names:
            if name in PROFILE_FIELDS:
                described.append((name, PROFILE_FIELDS[name], ""))
                continue
            try:
                _owner, item = catalogue.input(name)
            except KeyError:
                continue
            described.append((name, item.label, item.unit))
        _FORMULA_INPUTS[key] = tuple(described)
    return _FORMULA_INPUTS[key]


def _encode(key: tuple[str, int, str, str]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode(cursor: str) -> tuple[str, int, str, str]:
    """The key of the last row of the previous page; anything else is a 422 naming `cursor`."""
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        key = None
    shape_ok = isinstance(key, list) and len(key) == 4
    if not shape_ok or not all(isinstance(k, t) for k, t in zip(key, (str, int, str, str), strict=True)):
        raise _invalid("cursor", "the cursor is not one this API handed out; start again without it")
    slug, year, code, point = key
    return slug, year, code, point


def assessments_of(rows: Sequence[Mapping[str, Any]]) -> list[Assessment]:
    """The rows as one `Assessment` per city and year, for the exchange formats (SDMX-CSV, NGSI-LD)."""
    grouped: dict[tuple[str, int], Assessment] = {}
    for row in rows:
        key = (row["city_name"], row["year"])
        if key not in grouped:
            profile = CityProfile(city=row["city_name"], country=row["country"], year=row["year"])
            grouped[key] = Assessment(profile=profile, frameworks=[row["framework"]], results=[])
        fields = {f: row[f] for f in _RESULT_FIELDS}
        grouped[key].results.append(KpiResult.model_validate(fields))
    return list(grouped.values())


_RESULT_FIELDS = ("code", "data_point", "name", "dimension", "subdimension", "category", "level", "unit", "value",
                  "value_text", "status", "quality", "source", "verified")  # fmt: skip
