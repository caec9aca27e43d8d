"""Version stamps of parts of the data, for caches that must notice every committed change.

Every change the platform makes writes audit rows in its transaction, tagged with the period they
concern, and that transaction bumps each such period's `revision` just before it commits (see
`citykpi.store.db`). A period's revision therefore stamps everything shown about the period, and the
revisions of a city's periods (with their number, which grows with a new period) everything shown
about the city. Counters rather than the newest audit id: on PostgreSQL ids are handed out at insert,
not at commit, so a transaction committing late could add rows below the newest id. Read a stamp
before the data it stamps.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from citykpi.store.db import REVISION
from citykpi.store.schema import City, DataRevision, Period


def period_stamp(session: Session, period_id: int) -> int | None:
    """None for a period that does not exist."""
    return session.scalar(select(Period.revision).where(Period.id == period_id))


def city_stamp(session: Session, slug: str) -> tuple[int, int]:
    found = session.execute(
        select(func.coalesce(func.sum(Period.revision), 0), func.count(Period.id))
        .join(City, City.id == Period.city_id)
        .where(City.slug == slug)
    ).one()
    return (int(found[0]), int(found[1]))


def published_stamp(session: Session) -> tuple[int, int, int, int]:
    """Changes whenever anything published changes: a period published (or withdrawn), an edit of a
    published period (each bumps its revision), and any edit of a city (its version)."""
    published = session.execute(
        select(func.count(Period.id), func.coalesce(func.sum(Period.revision), 0)).where(Period.status == "published")
    ).one()
    towns = session.execute(select(func.count(City.id), func.coalesce(func.sum(City.version), 0))).one()
    return (int(published[0]), int(published[1]), int(towns[0]), int(towns[1]))


_SITE = select(
    select(DataRevision.n).where(DataRevision.id == 1).scalar_subquery(),
    select(func.count(City.id)).scalar_subquery(),
)


def site_stamp(session: Session) -> tuple[int, int]:
    """The data revision (as `Database.revision`, which it keeps for the session) and the number of
    cities, in one statement on the session's connection: every kept page is looked up by it, and two
    ORM queries were half the time of a kept page's answer."""
    revision, count = session.connection().execute(_SITE).one()
    session.info.setdefault(REVISION, revision or 0)
    return (int(session.info[REVISION]), int(count or 0))
