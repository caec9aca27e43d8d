"""Cities and assessment periods, and what each caller may see of them.

The public sees every city's name and profile but only the periods that are published; anything
else of an unpublished period answers 404 to the public (not 403), so its existence does not leak.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, defer, joinedload

from citykpi.model.diagnostics import Diagnostic, Location, error, said
from citykpi.platform import fields, hubs
from citykpi.platform.errors import Conflict, Forbidden, Invalid, NotFound
from citykpi.platform.roles import Action, Principal, Role, can, manages_hub
from citykpi.platform.workflow import PeriodState
from citykpi.store import audit
from citykpi.store.schema import City, Entry, Framework, Period

# OECD functional-urban-area size classes (OECD Regions and Cities at a Glance), plus "town" below them;
# U4SSC defines no peer groups, so this is the project's choice (docs/platform.md).
PEER_GROUPS: list[tuple[float, str]] = [
    (1_500_000, "large metropolitan (1.5M+)"),
    (500_000, "metropolitan (500k-1.5M)"),
    (200_000, "medium (200k-500k)"),
    (50_000, "small (50k-200k)"),
    (0, "town (<50k)"),
]


def peer_group(population: float | None) -> str:
    if population is None:
        return ""
    return next((label for floor, label in PEER_GROUPS if population >= floor), "")  # "" for a refused negative


def slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "city"


def free_slug(session: Session, name: str, country: str) -> str:
    """The name's slug, or, when a city of another country holds it, the name's and the country's
    ('london', then 'london-united-kingdom'), then a number: a city is its name and its country."""
    base = slugify(name)
    taken = set(session.scalars(select(City.slug).where(City.slug.startswith(base))).all())
    tried = [base, slugify(f"{name} {country}")] if country else [base]
    n = 2
    while tried[-1] in taken:
        tried.append(f"{tried[min(1, len(tried) - 1)]}-{n}")
        n += 1
    return next(c for c in tried if c not in taken)


@dataclass(frozen=True)
class Page:
    limit: int = 50
    offset: int = 0


def list_cities(
    session: Session,
    page: Page,
    *,
    hub: str | None = None,
    country: str | None = None,
    peer: str | None = None,
    q: str | None = None,
) -> tuple[int, list[City]]:
    query = select(City)
    if hub:
        query = query.where(City.hub == hub)
    if country:
        query = query.where(City.country == country)
    if peer:
        query = query.where(City.peer_group == peer)
    if q:
        query = query.where(func.lower(City.name).contains(q.lower()))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(City.name, City.id).limit(page.limit).offset(page.offset)).all()
    return total, list(rows)


def managed(session: Session, who: Principal) -> list[City]:
    """The cities `who` administers (`roles.manages_hub`), by name."""
    query = select(City).order_by(City.name, City.id)
    if who.role is not Role.ADMIN:
        query = query.where(City.hub.in_(sorted(who.hubs)) if who.role is Role.HUB_MANAGER else City.id.is_(None))
    return list(session.scalars(query).all())


def get_city(session: Session, slug: str) -> City:
    city = session.scalar(select(City).where(City.slug == slug))
    if city is None:
        raise NotFound.said("city", "no city {slug!r}", slug=slug)
    return city


@dataclass(frozen=True)
class CityFields:
    """What an administrator or hub manager sets of a city; `peer` "" derives the peer group from population."""

    name: str
    country: str = ""
    population: float | None = None
    area_km2: float | None = None
    hub: str = ""
    latitude: float | None = None
    longitude: float | None = None
    peer: str = ""

    def problems(self) -> list[Diagnostic]:
        texts = {"name": (self.name, 200), "country": (self.country, 100), "hub": (self.hub, 100)}
        found = fields.texts(texts, required=("name",))
        found += fields.in_range("population", self.population, 0, 1e9)
        found += fields.in_range("area_km2", self.area_km2, 0, 1e6)
        found += fields.in_range("latitude", self.latitude, -90, 90)
        found += fields.in_range("longitude", self.longitude, -180, 180)
        if self.peer and self.peer not in PEER_LABELS:
            template = "peer group {peer!r} is not one of {groups}"
            params = {"peer": self.peer[:60], "groups": ", ".join(PEER_LABELS)}
            found.append(said("invalid-city", template, params, variant="peer", location=Location(field="peer")))
        return found

    def columns(self) -> dict[str, Any]:
        """The stored columns, the peer group derived from population unless set."""
        return {
            "name": self.name.strip(),
            "country": self.country.strip(),
            "population": self.population,
            "area_km2": self.area_km2,
            "hub": self.hub.strip(),
            "latitude": self.latitude,
            "longitude": self.longitude,
            "peer_group": self.peer or peer_group(self.population),
        }


PEER_LABELS = [label for _, label in PEER_GROUPS]


def _may_place(who: Principal, hub: str) -> None:
    """An administrator places a city in any hub (or none); a hub manager only in a hub of theirs."""
    if not manages_hub(who, hub):
        raise Forbidden.said(
            "may-not-manage-city", "{user!r} may not manage cities of the hub {hub!r}", user=who.username, hub=hub
        )


def _check_city(session: Session, record: CityFields, city_id: int | None) -> None:
    problems = record.problems()
    taken = select(City.id).where(
        func.lower(City.name) == record.name.strip().lower(), City.country == record.country.strip()
    )
    if not problems and session.scalar(taken.where(City.id != (city_id or 0))) is not None:
        problems.append(fields.duplicate("name", "city", record.name.strip()))
    if problems:
        raise Invalid.of(problems, "the city is not valid", "city")


def create_city(
    session: Session,
    who: Principal,
    name: str,
    *,
    country: str = "",
    population: float | None = None,
    area_km2: float | None = None,
    hub: str = "",
    slug: str | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    peer: str = "",
    reason: str = "",
) -> City:
    record = CityFields(name, country, population, area_km2, hub, latitude, longitude, peer)
    _may_place(who, record.hub.strip())
    _check_city(session, record, None)
    slug = slug or free_slug(session, record.name.strip(), record.country.strip())
    if session.scalar(select(City.id).where(City.slug == slug)) is not None:
        raise Conflict.said("city-exists", "city {slug!r} already exists", slug=slug)
    columns = record.columns()
    hubs.ensure(session, who.username, columns["hub"])
    city = City(slug=slug, **columns)
    session.add(city)
    session.flush()
    new = {"slug": slug} | columns
    audit.record(session, who.username, "create", "city", city.id, new=new, reason=reason)
    return city


def update_city(
    session: Session, who: Principal, city: City, version: int, record: CityFields, reason: str = ""
) -> City:
    """Audited with the fields that changed; the slug (the city's address) stays."""
    _may_place(who, city.hub)
    _may_place(who, record.hub.strip())
    _check_city(session, record, city.id)
    columns = record.columns()
    old = {k: getattr(city, k) for k in columns}
    changed = session.execute(
        update(City).where(City.id == city.id, City.version == version).values(**columns, version=version + 1)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict.said(
            "stale-record", "someone changed this record since you loaded it; reload the page and try again"
        )
    hubs.ensure(session, who.username, columns["hub"])
    session.refresh(city)
    diff = {k for k in columns if old[k] != columns[k]}
    if diff:
        before, after = {k: old[k] for k in sorted(diff)}, {k: columns[k] for k in sorted(diff)}
        audit.record(session, who.username, "update", "city", city.id, old=before, new=after, reason=reason)
    return city


def list_periods(session: Session, who: Principal, city: City) -> list[Period]:
    query = select(Period).where(Period.city_id == city.id).order_by(Period.year)
    if not can(who, Action.READ, city.id, city.hub):  # the rule of `may_see`, for every period of the city
        query = query.where(Period.status == PeriodState.PUBLISHED.value)
    query = query.options(joinedload(Period.framework), joinedload(Period.city))
    return list(session.scalars(query).all())


def latest_visible_periods(
    session: Session, who: Principal, *, hub: str = "", country: str = "", peer: str = "", year: int | None = None
) -> list[Period]:
    """The latest period the visitor may see of each city (of the year, where one is given),
    narrowed to a hub, country or peer group where one is given, in the order of the cities' names.

    Two queries, not one per city: a few columns of every period pick the latest visible one of each
    city, and only those are loaded as objects (of 150 cities x 5 years, building all 750 periods with
    their cities cost two fifths of a fresh hub overview). Lists of cities read none of their profiles
    or completion figures, so those JSON columns are loaded only when one is asked for.
    """
    query = select(Period.id, Period.city_id, Period.status, City.hub).join(City)
    for column, wanted in ((City.hub, hub), (City.country, country), (City.peer_group, peer)):
        if wanted:
            query = query.where(column == wanted)
    if year is not None:
        query = query.where(Period.year == year)
    latest: dict[int, int] = {}
    for period_id, city_id, status, city_hub in session.execute(query.order_by(City.name, City.id, Period.year)):
        if may_see_of(who, status, city_id, city_hub):
            latest[city_id] = period_id  # oldest first, so the last one kept per city is its latest
    chosen = select(Period).where(Period.id.in_(latest.values()))
    chosen = chosen.options(
        joinedload(Period.framework), joinedload(Period.city), defer(Period.profile), defer(Period.completion)
    )
    found = {p.id: p for p in session.scalars(chosen)} if latest else {}
    return [found[period_id] for period_id in latest.values()]


def get_period(session: Session, who: Principal, period_id: int) -> Period:
    period = session.get(Period, period_id)
    if period is None or not may_see(who, period):
        raise NotFound.said("period", "no period {period}", period=period_id)
    return period


def may_see(who: Principal, period: Period) -> bool:
    return may_see_of(who, period.status, period.city_id, period.city.hub)


def may_see_of(who: Principal, status: str, city_id: int, hub: str) -> bool:
    """`may_see` from a period's status and its city's id and hub, for reads that select columns
    rather than load periods."""
    return status == PeriodState.PUBLISHED or can(who, Action.READ, city_id, hub)


def require(who: Principal, action: Action, period: Period) -> None:
    if not can(who, action, period.city_id, period.city.hub):
        raise Forbidden.said(
            f"may-not-{action.value}",
            "{role} {user!r} may not " + action.value + " {city} {year}",
            role=who.role.value,
            user=who.username,
            city=period.city.name,
            year=period.year,
        )


def create_period(
    session: Session, who: Principal, city: City, year: int, framework: Framework, reason: str = ""
) -> Period:
    if not (can(who, Action.MANAGE, city.id, city.hub) or can(who, Action.EDIT, city.id, city.hub)):
        template = "{role} {user!r} may not open a period for {city}"
        raise Forbidden.said("may-not-open", template, role=who.role.value, user=who.username, city=city.name)
    if not 1900 <= year <= 2200:
        problem = error("invalid-year", f"year {year} is out of range", params={"year": year}, field="year")
        raise Invalid.of([problem], "invalid year", "year")
    if session.scalar(select(Period.id).where(Period.city_id == city.id, Period.year == year)) is not None:
        raise Conflict.said("period-exists", "{city} already has a period for {year}", city=city.name, year=year)
    period = Period(city_id=city.id, year=year, framework_id=framework.id, status=PeriodState.DRAFT.value)
    period.profile = {"city": city.name, "country": city.country, "year": year, "population": city.population}
    if city.area_km2 is not None:
        period.profile["area_km2"] = city.area_km2
    session.add(period)
    session.flush()
    audit.record(
        session,
        who.username,
        "create",
        "period",
        period.id,
        period_id=period.id,
        new={"city": city.slug, "year": year, "framework": f"{framework.key} {framework.version}"},
        reason=reason,
    )
    return period


def latest_framework(session: Session, key: str = "u4ssc") -> Framework:
    framework = session.scalar(select(Framework).where(Framework.key == key).order_by(Framework.id.desc()).limit(1))
    if framework is None:
        raise NotFound(f"no framework {key!r} loaded; run `citykpi db upgrade` or `citykpi serve` first")
    return framework


def frameworks(session: Session) -> list[Framework]:
    """Every loaded framework version a reporting year may be assessed against (without their documents)."""
    return list(session.scalars(select(Framework).order_by(Framework.key, Framework.id)).all())


def get_framework(session: Session, framework_id: int) -> Framework:
    framework = session.get(Framework, framework_id)
    if framework is None:
        problem = said(
            "unknown-framework",
            "no framework {framework}",
            {"framework": framework_id},
            location=Location(field="framework"),
        )
        raise Invalid.of([problem], "the reporting year is not valid", "period")
    return framework


def change_framework(
    session: Session, who: Principal, period: Period, framework: Framework, version: int, reason: str = ""
) -> Period:
    """Assess a reporting year against another framework version, while it is a draft with no values.

    Values stored under one version would be read against another's KPIs, so a year that holds any
    is refused; its values can be moved by exporting and importing the workbook.
    """
    if not manages_hub(who, period.city.hub):
        raise Forbidden.said(
            "may-not-manage-city",
            "{user!r} may not manage cities of the hub {hub!r}",
            user=who.username,
            hub=period.city.hub,
        )
    if period.framework_id == framework.id:
        return period
    holds = session.scalar(select(func.count()).select_from(Entry).where(Entry.period_id == period.id)) or 0
    if period.status != PeriodState.DRAFT or holds:
        template = "{city} {year} is {state} and holds {count} values: its framework can no longer change"
        raise Conflict.said(
            "framework-fixed", template, city=period.city.name, year=period.year, state=period.status, count=holds
        )
    if period.version != version:
        raise Conflict.said(
            "stale-record", "someone changed this record since you loaded it; reload the page and try again"
        )
    old = {"framework": f"{period.framework.key} {period.framework.version}"}
    period.framework_id, period.version = framework.id, period.version + 1
    session.flush()
    new = {"framework": f"{framework.key} {framework.version}"}
    audit.record(
        session,
        who.username,
        "change-framework",
        "period",
        period.id,
        period_id=period.id,
        old=old,
        new=new,
        reason=reason,
    )
    return period
