"""The scorecard cache serves every app in the process, so two databases must not share entries."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from citykpi.demo.cities import CITIES
from citykpi.platform.demo import load_demo
from citykpi.platform.reports import assessment_of
from citykpi.scoring.scorecard import score
from citykpi.store.schema import Period
from citykpi.store.scratch import migrated, sqlite_url
from citykpi.web.views import book, scorecard


def test_two_databases_with_the_same_period_stamp_get_their_own_scorecards(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with migrated(sqlite_url(tmp_path / "a")) as first, migrated(sqlite_url(tmp_path / "b")) as second:
        load_demo(first, specs=CITIES[:1], years=(2023,), accounts=False)
        load_demo(second, specs=CITIES[1:2], years=(2023,), accounts=False)
        cards = []
        for db in (first, second):
            with db.read() as session:
                period = session.scalars(select(Period)).one()
                stamp = (period.id, period.version, period.revision)
                cards.append((stamp, scorecard(session, period), score(assessment_of(session, period), book())))
    (stamp_a, cached_a, fresh_a), (stamp_b, cached_b, fresh_b) = cards
    assert stamp_a == stamp_b  # the same period stamp in both: only the database tells them apart
    assert fresh_a != fresh_b
    assert (cached_a, cached_b) == (fresh_a, fresh_b)
