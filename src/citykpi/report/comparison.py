"""The comparison report's content: each city reduced to the cells its tables show.

A comparison of thousands of city-years must not keep every city's assessments and scorecards
(about 0.5 MB a city-year) until the page is written: `compared` keeps only what the tables print,
so the rows of a whole country fit in memory and can be built in worker processes. Fairness (the
common basis, who is ranked, one cohort per year) is `scoring.comparison`'s.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from citykpi.assess.summary import total
from citykpi.framework.model import Kpi
from citykpi.model.assessment import Assessment
from citykpi.report.content import directions, kinds_of
from citykpi.report.style import PROGRESS_SYMBOLS
from citykpi.scoring.comparison import Cohort, Entrant, Key, Placing, compare, entrant
from citykpi.scoring.progress import ProgressStatus, progress
from citykpi.scoring.rules import Band
from citykpi.scoring.scorecard import GroupLevel, GroupScore, score
from citykpi.scoring.targets import TargetBook, TargetKind

CITIES_PER_TABLE = 8  # columns of cities in one "KPIs side by side" table (a landscape page's width)
BARS_UP_TO = 24  # more cities than this are charted as one mark per city on a strip, not as bars


@dataclass(frozen=True)
class Cell:
    """One data point of one city as the side-by-side table shows it."""

    value: float | None
    text: str | None  # a yes/no or text answer, shown instead of the value
    reported: bool
    band: Band | None
    progress: str  # arrow of the progress status and projected year, or ""


@dataclass(frozen=True)
class ComparedCity:
    city: str
    country: str
    place_label: str
    year: int
    status: str  # "verified" when every reported data point is marked verified in the file, else "draft"
    kpis_reported: int
    kpis: int
    dimensions: list[GroupScore]
    overall: GroupScore
    cells: dict[Key, Cell]
    names: dict[Key, str]  # name of each data point's KPI, in catalogue order
    entrant: Entrant
    kinds: dict[TargetKind, int]  # benchmarked data points per target kind (page 1 names the kinds used)


def compared(history: Sequence[Assessment], kpis: dict[str, Kpi], book: TargetBook) -> ComparedCity:
    """The row of one city from its assessments (one per year, any order): the latest year's scores
    and each data point's progress, without the rest of a city report (summary tables, SDG view,
    screening), which would double the time of a comparison of thousands."""
    ordered = sorted(history, key=lambda a: a.profile.year)
    latest = ordered[-1]
    card = score(latest, book)
    trend = progress(ordered, book, directions(kpis)) if len(ordered) > 1 else None
    cells = {}
    for item in card.items:
        p = None if trend is None else trend.item(item.result.code, item.result.data_point)
        arrow = ""
        if p is not None and p.status is not ProgressStatus.NOT_AVAILABLE:
            arrow = PROGRESS_SYMBOLS[p.status] + (f" {math.ceil(p.projected_year)}" if p.projected_year else "")
        r = item.result
        cells[item.key] = Cell(r.value, r.value_text, r.has_value, item.band, arrow)
    reported = [r for r in latest.results if r.has_value]
    counts = total(latest)
    return ComparedCity(
        city=latest.profile.city,
        country=latest.profile.country,
        place_label=latest.profile.place_label,
        year=latest.profile.year,
        status="verified" if reported and all(r.verified is True for r in reported) else "draft",
        kpis_reported=counts.kpis_reported,
        kpis=counts.kpis,
        dimensions=card.level(GroupLevel.DIMENSION),
        overall=card.city,
        cells=cells,
        names={item.key: item.result.name for item in card.items},
        entrant=entrant(card),
        kinds=kinds_of(card),
    )


@dataclass(frozen=True)
class Row:
    city: ComparedCity
    placing: Placing


@dataclass(frozen=True)
class Comparison:
    cohorts: list[tuple[Cohort, list[Row]]]  # one per year, newest first; rows ranked first

    @property
    def rows(self) -> list[Row]:
        return [row for _cohort, rows in self.cohorts for row in rows]

    @property
    def mixed_years(self) -> bool:
        return len(self.cohorts) > 1

    def chunks(self) -> list[list[Row]]:
        """The rows in groups of `CITIES_PER_TABLE`, for the side-by-side tables."""
        rows = self.rows
        return [rows[i : i + CITIES_PER_TABLE] for i in range(0, len(rows), CITIES_PER_TABLE)]

    def codes(self) -> list[tuple[str, str, str]]:
        """(code, data point, name) of every data point any city has, in catalogue order."""
        seen: dict[Key, str] = {}
        for row in self.rows:
            for key, name in row.city.names.items():
                seen.setdefault(key, name)
        return [(code, dp, name) for (code, dp), name in seen.items()]


def comparison(cities: Sequence[ComparedCity]) -> Comparison:
    cohorts = compare([c.entrant for c in cities])
    return Comparison([(cohort, [Row(cities[p.index], p) for p in cohort.placings]) for cohort in cohorts])
