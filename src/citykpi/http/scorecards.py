"""Scorecards of stored periods, computed once per state of the period, for the pages and the API.

Scoring a period takes ~0.2 s, far too slow for every page view or for a comparison of a hub's
cities. A score depends only on the period's stored data, whose every committed change bumps the
period's revision (`citykpi.store.stamps`), so the revision loaded with the period is a free and
exact cache key within one database. The cache serves every app of the process, so the key names
the database too: two databases (two apps, or tests side by side) have periods with the same id,
version and revision.
"""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy.orm import Session

from citykpi.http.cache import Memo
from citykpi.platform.reports import assessment_of
from citykpi.scoring.scorecard import Scorecard, score
from citykpi.scoring.targets import TargetBook
from citykpi.store.schema import Period

Key = tuple[object, ...]

CARDS: Memo[Scorecard] = Memo(512)


@lru_cache(maxsize=1)
def book() -> TargetBook:
    from citykpi.scoring.targetfiles import default_target_set

    return TargetBook([default_target_set()])


def stamp(session: Session, period: Period) -> Key:
    """The database's URL, then what was loaded with the period in this request's read."""
    return (session.get_bind().engine.url, period.id, period.version, period.revision)


def scorecard(session: Session, period: Period) -> Scorecard:
    return CARDS.get(stamp(session, period), lambda: score(assessment_of(session, period), book()))
