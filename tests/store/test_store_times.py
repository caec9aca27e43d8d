"""Stored moments read back as the same instant in UTC on both databases, whatever the session's zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from citykpi.store.schema import Framework
from citykpi.store.scratch import migrated
from database_urls import far_from_utc


def test_moments_come_back_in_utc(db_url: str) -> None:
    paris = datetime(2026, 3, 1, 9, 30, tzinfo=ZoneInfo("Europe/Paris"))
    with migrated(far_from_utc(db_url)) as db:
        with db.write() as s:
            s.add(Framework(key="k", version="1", name="n", document={}, created_at=paris))
            s.add(Framework(key="k", version="2", name="n", document={}))
        with db.read() as s:
            given, defaulted = s.scalars(select(Framework.created_at).order_by(Framework.version)).all()
    assert given == paris and given.tzinfo is UTC and given.hour == 8
    assert defaulted.tzinfo is UTC and abs(datetime.now(UTC) - defaulted) < timedelta(minutes=10)
