"""The small trend chart of each data point on a KPI's page: its values over the visible years and
its public reference target as a dashed line, drawn by the reports' chart code (Vega-Lite).

A chart costs ~0.1 s to draw, so it is kept per database, city state (the city stamp changes with
any value of the city) and language.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from markupsafe import Markup
from sqlalchemy.orm import Session

from citykpi.framework.model import Kpi
from citykpi.http.cache import Memo
from citykpi.report.charts import trend
from citykpi.report.i18n import translations
from citykpi.report.render import svg
from citykpi.store.schema import City, Period, Result
from citykpi.web.views import book, city_stamp

CHARTS: Memo[Markup] = Memo(512)


def trend_charts(
    session: Session, city: City, kpi: Kpi, results: Sequence[Result], periods: Mapping[int, Period], lang: str
) -> dict[str, Markup]:
    """Data point key -> chart, for the data points with values in two or more visible years."""
    charts: dict[str, Markup] = {}
    for point in kpi.data_points:
        values = sorted(
            (periods[r.period_id].year, r.value)
            for r in results
            if r.data_point == point.key and r.value is not None and r.period_id in periods
        )
        if len(values) < 2:
            continue
        target = book().benchmark(kpi.code, point.key)
        goal = target.numeric if target is not None else None
        where = (session.get_bind().engine.url, city.id, city_stamp(session, city), tuple(periods))
        key = (*where, kpi.code, point.key, lang)
        charts[point.key] = CHARTS.get(key, _drawer(values, goal, point.unit, lang))
    return charts


def _drawer(values: list[tuple[int, float]], goal: float | None, unit: str, lang: str) -> Callable[[], Markup]:
    return lambda: svg(trend(values, goal, unit, translations(lang).gettext))
