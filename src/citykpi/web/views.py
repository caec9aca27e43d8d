"""Wheels of stored periods, drawn once per state of the period (scorecards: `citykpi.http.scorecards`).

Drawing a period's wheel takes ~0.8 s, far too slow for every page view; it depends only on the
period's scorecard and the language, so it is cached under the scorecard's key.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote

from markupsafe import Markup
from sqlalchemy.orm import Session

from citykpi.http.cache import Memo
from citykpi.http.scorecards import scorecard, stamp
from citykpi.platform import scores
from citykpi.platform.scores import book
from citykpi.report.wheel import wheel_svg
from citykpi.scoring.scorecard import GroupLevel, ItemScore, Scorecard
from citykpi.store import stamps
from citykpi.store.schema import City, Period

__all__ = ["book", "city_stamp", "dimension_percents", "scorecard", "site_stamp", "thumbnail", "wheel"]

WHEELS: Memo[Markup] = Memo(256)
THUMBNAILS: Memo[Markup] = Memo(256)


def city_stamp(session: Session, city: City) -> tuple[int, int]:
    """Changes whenever anything shown on the city's page changes."""
    return stamps.city_stamp(session, city.slug)


def site_stamp(session: Session) -> tuple[int, int]:
    """Data revision and number of cities: the home page changes only when one of them does."""
    return stamps.site_stamp(session)


def point_scores(session: Session, period_ids: Iterable[int], code: str, point: str) -> dict[int, ItemScore]:
    """One data point's value and band in each period, read with its stored score alone: a page
    about one KPI need not read every data point of each period."""
    return scores.point_items(session, list(period_ids), code, point)


def wheel(session: Session, period: Period, lang: str) -> Markup:
    """Drawn with the reports' translations (the wheel's words live there); each KPI segment links to
    the city's page of that KPI."""
    card = scorecard(session, period)
    slug = period.city.slug

    def link(code: str) -> str:
        return f"/cities/{slug}/kpis/{quote(code, safe='')}"

    return WHEELS.get((*stamp(session, period), lang), lambda: wheel_svg(card, lang, link))


def thumbnail(session: Session, period: Period, lang: str) -> Markup:
    """The wheel without labels, its centre the score and coverage as numbers, for lists of cities."""
    card = scorecard(session, period)
    return THUMBNAILS.get((*stamp(session, period), lang), lambda: wheel_svg(card, lang, thumbnail=True))


def dimension_percents(card: Scorecard) -> dict[str, float | None]:
    return {g.name: g.percent for g in card.level(GroupLevel.DIMENSION)}
