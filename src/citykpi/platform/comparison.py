"""Comparing the cities a caller may see: the latest visible period of each, by peer group and year.

The fairness rules (common basis, who is ranked, never across years) are `scoring.comparison`'s;
this service picks the periods and pairs each with its scorecard, so that the compare page and the
API answer the same ranks. Scorecards come from the caller (`card_of`), which caches them.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from citykpi.platform import cities
from citykpi.platform.roles import Principal
from citykpi.scoring.comparison import Cohort, Placing, compare, entrant
from citykpi.scoring.scorecard import Coverage, GroupLevel, Scorecard
from citykpi.store.schema import City, Period

OVERALL = ""  # the key of the city's overall score among the dimension names


@dataclass(frozen=True)
class ComparedPeriod:
    city: City
    period: Period
    card: Scorecard
    placing: Placing

    @property
    def percents(self) -> dict[str, float | None]:
        """The city's own score (key `OVERALL`) and each dimension's, in % of the maximum points."""
        return {OVERALL: self.card.city.percent, **{g.name: g.percent for g in self.card.level(GroupLevel.DIMENSION)}}

    @property
    def coverage(self) -> dict[str, Coverage]:
        """What each of `percents` covers, same keys."""
        groups = self.card.level(GroupLevel.DIMENSION)
        return {OVERALL: self.card.city.coverage, **{g.name: g.coverage for g in groups}}


@dataclass(frozen=True)
class YearTable:
    """One peer group's cities of one year: ranked first, then those shown but not ranked."""

    cohort: Cohort
    rows: list[ComparedPeriod]

    @property
    def medians(self) -> dict[str, float | None]:
        """Median of the own scores of each column over the rows that have one."""
        out: dict[str, float | None] = {}
        for key in self.rows[0].percents:
            found = [p for r in self.rows if (p := r.percents.get(key)) is not None]
            out[key] = statistics.median(found) if found else None
        return out


@dataclass(frozen=True)
class PeerComparison:
    peer_group: str
    years: list[YearTable]  # newest first

    @property
    def mixed_years(self) -> bool:
        return len(self.years) > 1


def compare_cities(
    session: Session, who: Principal, card_of: Callable[[Period], Scorecard], peer_group: str = ""
) -> list[PeerComparison]:
    """Each peer group (in name order, or only `peer_group`) with its cities' latest visible periods."""
    query = select(City).order_by(City.peer_group, City.name, City.country)
    if peer_group:
        query = query.where(City.peer_group == peer_group)
    found: dict[str, list[tuple[City, Period, Scorecard]]] = {}
    for city in session.scalars(query).all():
        periods = cities.list_periods(session, who, city)
        if periods:
            found.setdefault(city.peer_group, []).append((city, periods[-1], card_of(periods[-1])))
    out = []
    for group, members in found.items():
        cohorts = compare([entrant(card) for _city, _period, card in members])
        tables = [
            YearTable(cohort, [ComparedPeriod(*members[p.index], p) for p in cohort.placings]) for cohort in cohorts
        ]
        out.append(PeerComparison(group, tables))
    return out
