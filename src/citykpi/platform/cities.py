"""Cities and assessment periods, and what each caller may see of them.

The public sees every city's name and profile but only the periods that are published; anything
else of an unpublished period answers 404 to the public (not 403), so its existence does not leak.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from citykpi.model.diagnostics import error
from citykpi.platform.errors import Conflict, Forbidden, Invalid, NotFound
from citykpi.platform.roles import Action, Principal, can
from citykpi.platform.texts import check_texts
from citykpi.platform.workflow import PeriodState
from citykpi.store import audit
from citykpi.store.schema import City, Framework, Period

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
    return next(label for floor, label in PEER_GROUPS if population >= floor)


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


def get_city(session: Session, slug: str) -> City:
    city = session.scalar(select(City).where(City.slug == slug))
    if city is None:
        raise NotFound.said("city", "no city {slug!r}", slug=slug)
    return city


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
) -> City:
    if not can(who, Action.ADMINISTER):
        raise Forbidden("only an administrator creates cities")
    check_texts({"name": name, "country": country, "hub": hub})
    if not name.strip():
        raise Invalid.of([error("invalid-city", "a city name is required", field="name")], "invalid city", "city")
    same = session.scalar(select(City.slug).where(City.name == name, City.country == country))
    if same is not None:
        raise Conflict.said("city-exists", "city {slug!r} already exists", slug=same)
    slug = slug or free_slug(session, name, country)
    if session.scalar(select(City.id).where(City.slug == slug)) is not None:
        raise Conflict.said("city-exists", "city {slug!r} already exists", slug=slug)
    city = City(
        slug=slug,
        name=name,
        country=country,
        population=population,
        area_km2=area_km2,
        hub=hub,
        peer_group=peer_group(population),
        latitude=latitude,
        longitude=longitude,
    )
    session.add(city)
    session.flush()
    audit.record(session, who.username, "create", "city", city.id, new={"slug": slug, "name": name, "hub": hub})
    return city


def list_periods(session: Session, who: Principal, city: City) -> list[Period]:
    query = select(Period).where(Period.city_id == city.id).order_by(Period.year)
    if not can(who, Action.READ, city.id, city.hub):  # the rule of `may_see`, for every period of the city
        query = query.where(Period.status == PeriodState.PUBLISHED.value)
    query = query.options(joinedload(Period.framework), joinedload(Period.city))
    return list(session.scalars(query).all())


def get_period(session: Session, who: Principal, period_id: int) -> Period:
    period = session.get(Period, period_id)
    if period is None or not may_see(who, period):
        raise NotFound.said("period", "no period {period}", period=period_id)
    return period


def may_see(who: Principal, period: Period) -> bool:
    if period.status == PeriodState.PUBLISHED:
        return True
    return can(who, Action.READ, period.city_id, period.city.hub)


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


def create_period(session: Session, who: Principal, city: City, year: int, framework: Framework) -> Period:
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
        session, who.username, "create", "period", period.id, period_id=period.id, new={"city": city.slug, "year": year}
    )
    return period


def latest_framework(session: Session, key: str = "u4ssc") -> Framework:
    framework = session.scalar(select(Framework).where(Framework.key == key).order_by(Framework.id.desc()).limit(1))
    if framework is None:
        raise NotFound(f"no framework {key!r} loaded; run `citykpi db upgrade` or `citykpi serve` first")
    return framework
