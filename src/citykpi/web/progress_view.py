"""Progress of a city's KPIs on its page, in the reports' words, symbols and legend.

The words and their meanings live once, in `citykpi.report.labels` and the reports' catalogs; the
page receives them translated, so the web and the City Snapshot cannot say different things.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

from markupsafe import Markup
from sqlalchemy.orm import Session

from citykpi.platform.catalogues import catalogue_of
from citykpi.platform.reports import assessment_of
from citykpi.report import labels, style
from citykpi.report.content import directions
from citykpi.report.i18n import number, translations
from citykpi.report.sparkline import sparkline
from citykpi.scoring.progress import Progress, progress
from citykpi.store.schema import Period
from citykpi.web.views import book


@dataclass(frozen=True)
class Cell:
    symbol: str
    kind: str  # the status key; site.css colours `.progress-KIND` as the reports do (no inline style: CSP)
    word: str
    projected: int | None  # the first year by which the target is reached at the current pace
    line: Markup | None  # the values over the years, the target dashed (two years or more)


@dataclass(frozen=True)
class LegendRow:
    symbol: str
    kind: str
    word: str
    meaning: str


@dataclass(frozen=True)
class ProgressView:
    first: int
    last: int
    cells: dict[tuple[str, str], Cell]  # (KPI code, data point)
    legend: list[LegendRow]
    projected: str  # what "target in YEAR" means, when a cell shows one; else ""


def progress_view(session: Session, history: list[Period], lang: str) -> ProgressView | None:
    """Progress over `history` (the periods up to the one shown); None with fewer than two years."""
    if len(history) < 2:
        return None
    kpis = dict(catalogue_of(history[-1].framework).kpis)
    assessments = [assessment_of(session, p) for p in history]
    found: Progress = progress(assessments, book(), directions(kpis))
    say = translations(lang).gettext
    values: dict[tuple[str, str], list[tuple[int, float]]] = {}
    for a in assessments:
        for r in a.results:
            if r.has_value and r.value is not None and r.value_text is None:
                values.setdefault((r.code, r.data_point), []).append((a.profile.year, r.value))
    cells = {
        (p.code, p.data_point): Cell(
            style.PROGRESS_SYMBOLS[p.status],
            p.status.value,
            say(labels.progress_word(p.status, p.with_target)),
            ceil(p.projected_year) if p.projected_year is not None else None,
            _line(values.get((p.code, p.data_point), []), p.code, p.data_point, lang),
        )
        for p in found.items.values()
    }
    rows = labels.progress_legend((p.status, p.with_target) for p in found.items.values())
    legend = [LegendRow(style.PROGRESS_SYMBOLS[s], s.value, say(w), say(m)) for s, w, m in rows]
    projects = any(c.projected for c in cells.values())
    return ProgressView(found.years[0], found.years[-1], cells, legend, say(labels.PROJECTED) if projects else "")


def _line(points: list[tuple[int, float]], code: str, data_point: str, lang: str) -> Markup | None:
    """The reports' trend line, labelled in the page's language."""
    if len(points) < 2:
        return None
    target = book().benchmark(code, data_point)
    goal = target.numeric if target is not None else None
    label = ", ".join(f"{year}: {number(value, lang, 2)}" for year, value in points)
    if goal is not None:
        label += f"; {translations(lang).gettext('target')} {number(goal, lang, 2)}"
    return sparkline(points, goal, label)
