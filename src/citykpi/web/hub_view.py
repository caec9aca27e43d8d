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

from citykpi.http.cache import Memo, data_key
from citykpi.platform import cities, scores
from citykpi.platform.catalogues import catalogue_of
from citykpi.platform.errors import Invalid
from citykpi.platform.roles import Principal
from citykpi.platform.workflow import PeriodState
from citykpi.scoring.scorecard import GroupScore
from citykpi.store.schema import City, Period

ROWS = "citykpi.hub-rows"  # session.info: the rows of the filters asked in this session
# Cards per page of the overview: 150 cards made a page of 120 kB that took longer to write than its
# scores to read; the map and its table still show every city the filters select.
PAGE_SIZE = 50


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


CHOICES: Memo[Choices] = Memo(64)


def latest_periods(session: Session, who: Principal, filters: HubFilters) -> list[Period]:
    """The period shown of each city the filters select: the chosen year's, else the latest visible."""
    return cities.latest_visible_periods(
        session, who, hub=filters.hub, country=filters.country, peer=filters.peer, year=filters.year
    )


def hub_rows(session: Session, who: Principal, filters: HubFilters) -> list[HubRow]:
    """Read from the stored scores (`citykpi.platform.scores`): one query for every city shown.

    Kept for the rest of the request's session, since the overview's cards and its map both list the
    same rows.
    """
    kept: dict[tuple[Principal, HubFilters], list[HubRow]] = session.info.setdefault(ROWS, {})
    if (who, filters) not in kept:
        periods = latest_periods(session, who, filters)
        found = scores.group_of(session, periods, filters.dimension)
        rows = [HubRow(p.city, p, found[p.id]) for p in periods]
        kept[(who, filters)] = sorted(rows, key=_SORT_KEYS[filters.sort])
    return kept[(who, filters)]


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


@dataclass(frozen=True)
class HubPage:
    rows: list[HubRow]  # the cards of this page
    number: int  # 1-based
    pages: int
    first: int  # 1-based position of the page's first card among all
    count: int  # cards of every page


def hub_page(rows: list[HubRow], asked: str) -> HubPage:
    """The page `asked` (the address's `page`, "" for the first) of the rows."""
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    if not (asked or "1").isdigit() or not 1 <= int(asked or "1") <= pages:
        raise Invalid.said(
            "page", "page {page!r} is not a page of this overview (1 to {pages})", page=asked, pages=pages
        )
    number = int(asked or "1")
    start = (number - 1) * PAGE_SIZE
    return HubPage(rows[start : start + PAGE_SIZE], number, pages, start + 1, len(rows))


def choices(session: Session, who: Principal) -> Choices:
    """The values the filters offer: those of the cities held, and the years the visitor may see;
    kept under `data_key`."""
    return CHOICES.get(data_key(session, who), lambda: _choices(session, who))


def _choices(session: Session, who: Principal) -> Choices:
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
