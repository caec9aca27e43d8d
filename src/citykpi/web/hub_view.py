"""What the hub overview shows: every visible city of the chosen hub, country and peer group, with
the score of one year (the latest visible one unless a year is chosen) for the whole city or one
dimension, and what that score covers.

The filters travel in the address (`HubFilters.query`), so a link, an embedded map and a download
show the same cities.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.orm import Session

from citykpi.platform import cities, scores
from citykpi.platform.catalogues import catalogue_of
from citykpi.platform.roles import Principal
from citykpi.platform.workflow import PeriodState
from citykpi.scoring.scorecard import GroupScore
from citykpi.store.schema import City, Period


class HubSort(StrEnum):
    NAME = "name"
    SCORE = "score"
    COVERAGE = "coverage"
    POPULATION = "population"


@dataclass(frozen=True)
class HubFilters:
    hub: str = ""
    country: str = ""
    peer: str = ""
    year: int | None = None
    dimension: str = ""  # "" is the whole city's score
    sort: HubSort = HubSort.NAME

    def query(self, **changed: object) -> str:
        """The filters as a query string (empty ones left out), with `changed` applied."""
        chosen = replace(self, **changed)  # type: ignore[arg-type]
        pairs = {
            "hub": chosen.hub,
            "country": chosen.country,
            "peer": chosen.peer,
            "year": "" if chosen.year is None else str(chosen.year),
            "dimension": chosen.dimension,
            "sort": "" if chosen.sort == HubSort.NAME else chosen.sort.value,
        }
        return urlencode({k: v for k, v in pairs.items() if v})


@dataclass(frozen=True)
class HubRow:
    city: City
    period: Period
    score: GroupScore | None  # None: the framework of the period has no such dimension


@dataclass(frozen=True)
class Choices:
    hubs: list[str]
    countries: list[str]
    peers: list[str]
    years: list[int]
    dimensions: list[str]


def latest_periods(session: Session, who: Principal, filters: HubFilters) -> list[Period]:
    """The period shown of each city the filters select: the chosen year's, else the latest visible."""
    periods = cities.visible_periods(
        session, who, hub=filters.hub, country=filters.country, peer=filters.peer, year=filters.year
    )
    latest: dict[int, Period] = {}
    for period in periods:  # oldest first, so the last one kept per city is its latest
        latest[period.city_id] = period
    return list(latest.values())


def hub_rows(session: Session, who: Principal, filters: HubFilters) -> list[HubRow]:
    """Read from the stored scores (`citykpi.platform.scores`): one query for every city shown."""
    periods = latest_periods(session, who, filters)
    found = scores.group_of(session, periods, filters.dimension)
    rows = [HubRow(p.city, p, found[p.id]) for p in periods]
    return sorted(rows, key=_SORT_KEYS[filters.sort])


def _by_score(row: HubRow) -> tuple[bool, float, str]:
    percent = row.score.percent if row.score is not None else None
    return (percent is None, -(percent or 0.0), row.city.name)


def _by_coverage(row: HubRow) -> tuple[float, str]:
    return (-(row.score.coverage.scored if row.score is not None else -1), row.city.name)


def _by_population(row: HubRow) -> tuple[bool, float, str]:
    return (row.city.population is None, -(row.city.population or 0.0), row.city.name)


_SORT_KEYS = {
    HubSort.NAME: lambda row: (row.city.name, row.city.country),
    HubSort.SCORE: _by_score,
    HubSort.COVERAGE: _by_coverage,
    HubSort.POPULATION: _by_population,
}


def choices(session: Session, who: Principal) -> Choices:
    """The values the filters offer: those of the cities held, and the years the visitor may see."""

    def distinct(column: object) -> list[str]:
        return [v for v in session.scalars(select(column).distinct().order_by(column)).all() if v]  # type: ignore[call-overload]

    years = select(Period.year).distinct().order_by(Period.year)
    if who.is_public:
        years = years.where(Period.status == PeriodState.PUBLISHED.value)
    kpis = catalogue_of(cities.latest_framework(session)).kpis.values()
    return Choices(
        hubs=distinct(City.hub),
        countries=distinct(City.country),
        peers=[label for _floor, label in cities.PEER_GROUPS],
        years=list(session.scalars(years).all()),
        dimensions=list(dict.fromkeys(k.dimension for k in kpis)),
    )
