"""Compare by KPI: one data point of one KPI (or one dimension's score) in every city the hub
filters select, with its unit, band, year and status, and the median of the city's peer group.

The same rows feed the page's table, its bar chart and the CSV and XLSX downloads, so the four
cannot disagree.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from citykpi.framework.model import DataPoint, Kpi
from citykpi.framework.names import Names
from citykpi.platform.roles import Principal
from citykpi.scoring.rules import Band
from citykpi.scoring.scorecard import Coverage
from citykpi.store.schema import City, Period
from citykpi.web.hub_view import HubFilters, hub_rows, latest_periods
from citykpi.web.views import point_scores

SCORE_UNIT = "% of maximum points"


@dataclass(frozen=True)
class ValueRow:
    city: City
    period: Period
    value: float | None
    answer: str  # what stands in the value's place when there is none: a text answer or the status
    band: Band | None
    coverage: Coverage | None  # for a dimension's score: what it covers
    median: float | None = None  # of the city's peer group among the rows shown


@dataclass(frozen=True)
class Compared:
    title: str
    unit: str
    rows: list[ValueRow]


def compare_kpi(
    session: Session, who: Principal, filters: HubFilters, kpi: Kpi, point: DataPoint, words: Names
) -> Compared:
    rows = []
    periods = latest_periods(session, who, filters)
    scored = point_scores(session, [p.id for p in periods], kpi.code, point.key)
    for period in periods:
        item = scored.get(period.id)
        if item is None:  # the period's framework lacks the data point
            continue
        result = item.result
        answer = result.value_text or result.status.value
        rows.append(ValueRow(period.city, period, result.value, answer, item.band, None))
    shown = words.data_point(kpi.code, point.key, point.label or point.key)
    title = f"{kpi.code} · {words.of(kpi)}" + (f" · {shown}" if kpi.is_multi else "")
    return Compared(title, words.unit(point.unit), _ranked(rows))


def compare_dimension(session: Session, who: Principal, filters: HubFilters) -> Compared:
    rows = [
        ValueRow(r.city, r.period, r.score.percent, "", r.score.band, r.score.coverage)
        for r in hub_rows(session, who, filters)
        if r.score is not None
    ]
    return Compared(filters.dimension, SCORE_UNIT, _ranked(rows))


def _ranked(rows: Sequence[ValueRow]) -> list[ValueRow]:
    """Highest value first, cities without a value last; each row given its peer group's median."""
    groups: dict[str, list[float]] = {}
    for row in rows:
        if row.value is not None:
            groups.setdefault(row.city.peer_group, []).append(row.value)
    medians = {group: statistics.median(found) for group, found in groups.items()}
    with_median = [
        ValueRow(r.city, r.period, r.value, r.answer, r.band, r.coverage, medians.get(r.city.peer_group)) for r in rows
    ]
    return sorted(with_median, key=lambda r: (r.value is None, -(r.value or 0.0), r.city.name))
