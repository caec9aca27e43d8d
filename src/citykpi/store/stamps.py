"""Version stamps of parts of the data, for caches that must notice every committed change.

Every change the platform makes appends audit rows in its transaction, tagged with the period it
concerns, so the audit rows of a period (or of a city's periods) stamp everything shown about it.
The stamp is the newest id AND the number of rows: on PostgreSQL ids are handed out at insert, not at
commit, so a transaction committing late can add a row below the newest id, but the count of the
append-only log still grows. Read a stamp before the data it stamps.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from citykpi.store.schema import Audit, City, Period


def _audit_stamp(session: Session, *where: Any) -> tuple[int, int]:
    found = session.execute(select(func.max(Audit.id), func.count(Audit.id)).where(*where)).one()
    return (found[0] or 0, found[1])


def period_stamp(session: Session, period_id: int) -> tuple[int, int]:
    return _audit_stamp(session, Audit.period_id == period_id)


def city_stamp(session: Session, slug: str) -> tuple[int, int]:
    """Audit rows of the city's periods (values, reviews, status); the city row itself is never edited."""
    periods = select(Period.id).join(City, City.id == Period.city_id).where(City.slug == slug)
    return _audit_stamp(session, Audit.period_id.in_(periods))
