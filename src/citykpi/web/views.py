"""Scorecards and wheels of stored periods, computed once per state of the period.

Scoring a period takes ~0.2 s and drawing its wheel ~0.8 s, far too slow for every page view. Both
depend only on the period's stored data, whose every committed change bumps the period's revision
(`citykpi.store.stamps`), so the revision loaded with the period is a free and exact cache key within
one database. The caches serve every app of the process, so the key names the database too: two
databases (two apps, or tests side by side) have periods with the same id, version and revision.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from citykpi.http.cache import Memo
from citykpi.model.assessment import KpiResult
from citykpi.platform.reports import assessment_of
from citykpi.report.i18n import translations
from citykpi.report.render import svg
from citykpi.report.wheel import wheel_spec
from citykpi.scoring.scorecard import GroupLevel, ItemScore, Scorecard, score, score_item
from citykpi.scoring.targets import TargetBook
from citykpi.store import stamps
from citykpi.store.db import Database
from citykpi.store.schema import City, Period, Result

Key = tuple[object, ...]


CARDS: Memo[Scorecard] = Memo(512)
WHEELS: Memo[Markup] = Memo(256)


@lru_cache(maxsize=1)
def book() -> TargetBook:
    from citykpi.scoring.targetfiles import default_target_set

    return TargetBook([default_target_set()])


def stamp(session: Session, period: Period) -> Key:
    """The database's URL, then what was loaded with the period in this request's read."""
    return (session.get_bind().engine.url, period.id, period.version, period.revision)


def city_stamp(session: Session, city: City) -> tuple[int, int]:
    """Changes whenever anything shown on the city's page changes."""
    return stamps.city_stamp(session, city.slug)


def site_stamp(session: Session) -> tuple[int, int]:
    """Data revision and number of cities: the home page changes only when one of them does."""
    return (Database.revision(session), session.scalar(select(func.count(City.id))) or 0)


def scorecard(session: Session, period: Period) -> Scorecard:
    return CARDS.get(stamp(session, period), lambda: score(assessment_of(session, period), book()))


def point_scores(session: Session, period_ids: Iterable[int], code: str, point: str) -> dict[int, ItemScore]:
    """One data point's value and band in each period, read and scored alone: a page about one KPI
    need not load and score every data point of each period (~30 ms a period)."""
    rows = session.scalars(
        select(Result).where(Result.period_id.in_(list(period_ids)), Result.code == code, Result.data_point == point)
    )
    return {r.period_id: score_item(KpiResult.model_validate(r.record), book()) for r in rows}


def wheel(session: Session, period: Period, lang: str, thumbnail: bool = False) -> Markup:
    """Drawn with the reports' translations: the wheel's words (bands, categories) live there."""
    card = scorecard(session, period)
    key = (*stamp(session, period), lang, thumbnail)
    return WHEELS.get(key, lambda: svg(wheel_spec(card, translations(lang).gettext, thumbnail)))


def dimension_percents(card: Scorecard) -> dict[str, float | None]:
    return {g.name: g.percent for g in card.level(GroupLevel.DIMENSION)}
