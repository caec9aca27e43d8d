"""Fair comparisons of cities: scores on a common basis, ranks only for cities with enough data.

A city's own score counts only the data points it scored (the U4SSC rule), so a city reporting 20
KPIs can outscore one reporting 88. A comparison therefore also scores every city on the data points
that all its ranked cities scored (the common basis), ranks only cities that scored at least
`RANK_MIN_SHARE` of their benchmarked data points, and never ranks across years: each year is its
own cohort. Rules and reasons: docs/methodology.md §3a.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from citykpi.model.assessment import ResultStatus
from citykpi.scoring.rules import group_percent
from citykpi.scoring.scorecard import Scorecard

# A city is ranked when it scored at least this share of the data points that have a benchmark
# (and that it did not declare not applicable). The one place this threshold is set.
RANK_MIN_SHARE = 0.5

Key = tuple[str, str]  # (KPI code, data point)


@dataclass(frozen=True)
class Entrant:
    """What a comparison needs of one city-year: its points per scored data point."""

    year: int
    points: Mapping[Key, int]  # every scored data point and its points (1-4)
    benchmarked: int  # data points with a target, not declared not applicable

    @property
    def share(self) -> float:
        """Scored data points as a share of the benchmarked ones, 0 to 1."""
        return len(self.points) / self.benchmarked if self.benchmarked else 0.0

    @property
    def ranked(self) -> bool:
        return self.benchmarked > 0 and self.share >= RANK_MIN_SHARE


def entrant(card: Scorecard) -> Entrant:
    benchmarked = [
        i for i in card.items if i.benchmark is not None and i.result.status is not ResultStatus.NOT_APPLICABLE
    ]
    return Entrant(
        year=card.profile.year,
        points={i.key: i.points for i in card.items if i.points is not None},
        benchmarked=len(benchmarked),
    )


@dataclass(frozen=True)
class Placing:
    """One city in its cohort."""

    index: int  # the entrant's position in the list given to `compare`
    rank: int | None  # 1 = best on the common basis; None when not ranked
    percent: float | None  # score on the common basis (of the data points of it the city scored)
    scored: int  # data points of the common basis the city scored (all of them when ranked)
    share: float  # scored of benchmarked data points, 0 to 1


@dataclass(frozen=True)
class Cohort:
    """The cities of one year: ranked ones first by common-basis score, then the others."""

    year: int
    basis: int  # data points in the common basis: scored by every ranked city of the year
    placings: list[Placing]

    @property
    def ranked(self) -> list[Placing]:
        return [p for p in self.placings if p.rank is not None]

    @property
    def unranked(self) -> list[Placing]:
        return [p for p in self.placings if p.rank is None]


def compare(entrants: Sequence[Entrant]) -> list[Cohort]:
    """One cohort per year, newest first; ties share a rank (1, 1, 3)."""
    years: dict[int, list[int]] = {}
    for index, e in enumerate(entrants):
        years.setdefault(e.year, []).append(index)
    return [_cohort(year, years[year], entrants) for year in sorted(years, reverse=True)]


def _cohort(year: int, members: list[int], entrants: Sequence[Entrant]) -> Cohort:
    ranked = [i for i in members if entrants[i].ranked]
    common: set[Key] = set.intersection(*(set(entrants[i].points) for i in ranked)) if ranked else set()
    placings = []
    for i in members:
        found = [p for key, p in entrants[i].points.items() if key in common]
        placings.append(Placing(i, None, group_percent(found), len(found), entrants[i].share))
    eligible = [p for p in placings if entrants[p.index].ranked]
    others = [p for p in placings if not entrants[p.index].ranked]
    if not common:  # ranked cities with no data point in common: nothing to rank them on
        eligible, others = [], placings
    placings = _ranks(eligible) + sorted(others, key=lambda p: (-p.share, p.index))
    return Cohort(year=year, basis=len(common), placings=placings)


def _ranks(placings: list[Placing]) -> list[Placing]:
    ordered = sorted(placings, key=lambda p: (-(p.percent or 0.0), p.index))
    out: list[Placing] = []
    for n, p in enumerate(ordered):
        tied = out and out[-1].percent == p.percent
        rank = out[-1].rank if tied else n + 1
        out.append(Placing(p.index, rank, p.percent, p.scored, p.share))
    return out
