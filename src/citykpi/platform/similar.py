"""Similar cities, as the U4SSC Twin City Programme pairs them: by profile and by KPI profile.

Two cities are alike by profile when their size, density and wealth are close on a log scale and
they lie in the same country; alike by KPIs when their direction-adjusted values, standardised
over the cities compared, are close. Each distance is the root mean square of the gaps over what
both cities have, so a city missing one figure is compared on the others rather than dropped; a
pair sharing too little is not compared at all (`MIN_PROFILE_FEATURES`, `MIN_SHARED_POINTS`).
Only periods the caller may see take part: the public compares published years only.

Leads and lags are measured against the five cities most alike by profile, the cities a twin-city
exchange would pair with: a KPI where the city's standardised value is far above their median is
a lead, far below a lag.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from citykpi.framework.model import Direction
from citykpi.platform.catalogues import catalogue_of
from citykpi.platform.cities import may_see
from citykpi.platform.roles import Principal
from citykpi.store.schema import City, Period, Result

NEIGHBOURS = 5
MIN_PROFILE_FEATURES = 2  # e.g. population and country
MIN_SHARED_POINTS = 10  # KPI data points both cities report with a value
MIN_CITIES_PER_POINT = 3  # a data point standardised over fewer cities says nothing
GAPS_SHOWN = 3

Point = tuple[str, str]  # KPI code, data point
K = TypeVar("K", bound=Hashable)


class Neighbour(BaseModel):
    """One similar city; the API returns this model as it is."""

    model_config = ConfigDict(frozen=True)

    slug: str
    name: str
    country: str
    year: int | None = Field(description="Year of the latest period compared; none when only the profile was")
    distance: float = Field(description="Root mean square gap, in standard deviations over the cities compared")
    compared_on: int = Field(description="Profile features, or KPI data points, that both cities have")


class Gap(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    data_point: str
    name: str
    unit: str
    value: float
    peer_median: float = Field(description="Median value of the similar cities that report it")
    peers: int
    score: float = Field(description="The city's standardised value minus the peers' median one; positive: better")


class Similarity(BaseModel):
    model_config = ConfigDict(frozen=True)

    slug: str
    year: int | None
    by_profile: list[Neighbour] = Field(description="Alike by population, density, GDP per head and country")
    by_kpis: list[Neighbour] = Field(description="Alike by direction-adjusted KPI values")
    leads: list[Gap] = Field(description="Where the city is ahead of the cities alike by profile")
    lags: list[Gap] = Field(description="Where it is behind them")
    cities_compared: int


@dataclass(frozen=True)
class _Place:
    """A city as compared: plain values, so that a kept `Compared` holds no database objects."""

    city_id: int
    slug: str
    name: str
    country: str
    year: int | None  # of the latest period the caller may see
    features: dict[str, float]
    points: dict[Point, float]  # direction-adjusted values
    raw: dict[Point, tuple[float, str, str]]  # value, name, unit


@dataclass(frozen=True)
class Compared:
    """Every city compared, with its figures standardised over them all: the same for each city a
    reader asks about, and the dear part (every city's latest results, ~1 s for 150 cities), so the
    front ends keep it per data revision and read scope (`citykpi.http.similar`)."""

    places: list[_Place]
    profile_z: list[dict[str, float]]
    point_z: list[dict[Point, float]]


def compared(session: Session, who: Principal) -> Compared:
    return _compared(_places(session, who))


def _compared(places: list[_Place]) -> Compared:
    profile_z = _standardised([p.features for p in places])
    return Compared(places, profile_z, _standardised([p.points for p in places], MIN_CITIES_PER_POINT))


def similar_cities(session: Session, who: Principal, city: City, kept: Compared | None = None) -> Similarity:
    """`kept`: the comparison of the same data and read scope, where the caller keeps one."""
    found = kept or compared(session, who)
    me = next((p for p in found.places if p.city_id == city.id), None)
    if me is None:  # a city with no visible period still has a profile
        me = _place(city, None, [])
        found = _compared([*found.places, me])
    places = found.places
    others = [p for p in places if p.city_id != city.id]
    z_of = {id(p): (found.profile_z[i], found.point_z[i]) for i, p in enumerate(places)}
    mine_profile, mine_points = z_of[id(me)]

    by_profile = _nearest(
        others, lambda o: _profile_distance(me, o, mine_profile, z_of[id(o)][0]), MIN_PROFILE_FEATURES
    )
    by_kpis = _nearest(others, lambda o: _rms(mine_points, z_of[id(o)][1]), MIN_SHARED_POINTS)
    twins = [next(o for o in others if o.slug == n.slug) for n in by_profile]
    leads, lags = _gaps(me, twins, mine_points, [z_of[id(t)][1] for t in twins])
    return Similarity(
        slug=city.slug,
        year=me.year,
        by_profile=by_profile,
        by_kpis=by_kpis,
        leads=leads,
        lags=lags,
        cities_compared=len(places),
    )


def _places(session: Session, who: Principal) -> list[_Place]:
    periods = session.scalars(
        select(Period).options(joinedload(Period.city), joinedload(Period.framework)).order_by(Period.year)
    ).all()
    latest: dict[int, Period] = {}
    for period in periods:
        if may_see(who, period):
            latest[period.city_id] = period  # ordered by year: the last one seen is the latest
    results: dict[int, list[Result]] = {pid: [] for pid in (p.id for p in latest.values())}
    if results:
        for row in session.scalars(
            select(Result).where(Result.period_id.in_(results), Result.value.is_not(None))
        ).all():
            results[row.period_id].append(row)
    places = []
    for city in session.scalars(select(City).order_by(City.name, City.id)).all():
        seen = latest.get(city.id)
        places.append(_place(city, seen, results.get(seen.id, []) if seen else []))
    return places


def _place(city: City, period: Period | None, rows: Sequence[Result]) -> _Place:
    points, raw = _points(period, rows)
    year = period.year if period else None
    return _Place(city.id, city.slug, city.name, city.country, year, _features(city, period), points, raw)


def _features(city: City, period: Period | None) -> dict[str, float]:
    profile = period.profile if period else {}
    population = city.population or profile.get("population")
    area = city.area_km2 or profile.get("area_km2")
    gdp, currency = profile.get("gdp"), profile.get("currency") or ""
    features: dict[str, float] = {}
    if population and population > 0:
        features["log population"] = math.log(population)
        if area and area > 0:
            features["log density"] = math.log(population / area)
        if gdp and gdp > 0 and currency:
            # GDP per head compares only within one currency: the key carries it.
            features[f"log GDP per head ({currency})"] = math.log(gdp / population)
    return features


def _points(
    period: Period | None, rows: Sequence[Result]
) -> tuple[dict[Point, float], dict[Point, tuple[float, str, str]]]:
    if period is None:
        return {}, {}
    catalogue = catalogue_of(period.framework)
    points: dict[Point, float] = {}
    raw: dict[Point, tuple[float, str, str]] = {}
    for row in rows:
        kpi = catalogue.kpis.get(row.code)
        point = next((d for d in kpi.data_points if d.key == row.data_point), None) if kpi else None
        if kpi is None or point is None or row.value is None or not math.isfinite(row.value):
            continue
        if point.direction is Direction.HIGHER:
            adjusted = row.value
        elif point.direction is Direction.LOWER:
            adjusted = -row.value
        elif point.direction is Direction.TARGET and point.target is not None:
            adjusted = -abs(row.value - point.target)
        else:
            continue  # context only: no better or worse
        key = (row.code, row.data_point)
        points[key] = adjusted
        label = kpi.name if row.data_point == "value" else f"{kpi.name}: {point.label or point.key}"
        raw[key] = (row.value, label, point.unit)
    return points, raw


def _standardised(rows: Sequence[Mapping[K, float]], min_count: int = 2) -> list[dict[K, float]]:
    """Each key's values as z-scores over the rows that have it (keys with no spread are dropped)."""
    columns: dict[K, list[float]] = {}
    for row in rows:
        for key, value in row.items():
            columns.setdefault(key, []).append(value)
    scale = {}
    for key, values in columns.items():
        if len(values) >= min_count:
            sd = statistics.pstdev(values)
            if sd > 0:
                scale[key] = (statistics.fmean(values), sd)
    return [{k: (v - scale[k][0]) / scale[k][1] for k, v in row.items() if k in scale} for row in rows]


def _rms(a: Mapping[K, float], b: Mapping[K, float]) -> tuple[float, int]:
    shared = a.keys() & b.keys()
    if not shared:
        return math.inf, 0
    return math.sqrt(sum((a[k] - b[k]) ** 2 for k in shared) / len(shared)), len(shared)


def _profile_distance(
    me: _Place, other: _Place, mine: Mapping[str, float], theirs: Mapping[str, float]
) -> tuple[float, int]:
    """The log-scale gaps in standard deviations, plus one standard deviation for another country."""
    distance, n = _rms(mine, theirs)
    if n == 0 or not (me.country and other.country):
        return distance, n
    region = 0.0 if me.country == other.country else 1.0
    return math.sqrt((distance**2 * n + region**2) / (n + 1)), n + 1


def _nearest(others: Iterable[_Place], measure: Callable[[_Place], tuple[float, int]], least: int) -> list[Neighbour]:
    ranked = []
    for other in others:
        distance, n = measure(other)
        if n >= least and math.isfinite(distance):
            ranked.append(
                Neighbour(
                    slug=other.slug,
                    name=other.name,
                    country=other.country,
                    year=other.year,
                    distance=distance,
                    compared_on=n,
                )
            )
    ranked.sort(key=lambda nb: (nb.distance, nb.name, nb.country, nb.slug))
    return ranked[:NEIGHBOURS]


def _gaps(
    me: _Place, twins: Sequence[_Place], mine: Mapping[Point, float], theirs: Sequence[Mapping[Point, float]]
) -> tuple[list[Gap], list[Gap]]:
    gaps = []
    for key, z in mine.items():
        peers = [(t.raw[key][0], other[key]) for t, other in zip(twins, theirs, strict=True) if key in other]
        if len(peers) < 2:
            continue
        value, name, unit = me.raw[key]
        score = z - statistics.median(pz for _, pz in peers)
        median = statistics.median(v for v, _ in peers)
        gaps.append(
            Gap(
                code=key[0],
                data_point=key[1],
                name=name,
                unit=unit,
                value=value,
                peer_median=median,
                peers=len(peers),
                score=score,
            )
        )
    gaps.sort(key=lambda g: (-g.score, g.code, g.data_point))
    leads = [g for g in gaps if g.score > 0][:GAPS_SHOWN]
    lags = [g for g in reversed(gaps) if g.score < 0][:GAPS_SHOWN]
    return leads, lags
