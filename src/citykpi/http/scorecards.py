"""Scorecards of stored periods, read once per state of the period, for the pages and the API.

A period's scores are stored with its results (`citykpi.platform.scores`); a whole scorecard (each
data point with its targets, every group) still costs reading and parsing its ~110 results, so it is
kept per process. A score depends only on the period's stored data, whose every committed change
bumps the period's revision (`citykpi.store.stamps`), so the revision loaded with the period is a
free and exact cache key within one database. The cache serves every app of the process, so the key
names the database too: two databases (two apps, or tests side by side) have periods with the same
id, version and revision.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from citykpi.http.cache import Memo
from citykpi.platform import scores
from citykpi.platform.reports import verdicts
from citykpi.scoring.scorecard import Scorecard
from citykpi.store.schema import Period

Key = tuple[object, ...]

CARDS: Memo[Scorecard] = Memo(512)


def stamp(session: Session, period: Period) -> Key:
    """The database's URL, then what was loaded with the period in this request's read."""
    return (session.get_bind().engine.url, period.id, period.version, period.revision)


def scorecard(session: Session, period: Period) -> Scorecard:
    return CARDS.get(stamp(session, period), lambda: scores.card_of(session, period, verdicts(session, period)))
