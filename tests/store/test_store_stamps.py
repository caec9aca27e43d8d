"""Cache stamps change with every committed audited change of their part, and only then (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading

from citykpi.platform import cities
from citykpi.platform.roles import Principal, Role
from citykpi.platform.seed import ensure_framework
from citykpi.store import audit
from citykpi.store.db import Database
from citykpi.store.stamps import city_stamp, period_stamp, site_stamp

ADMIN = Principal("root", Role.ADMIN)


def _stamps(db: Database, mine: int, other: int) -> tuple[object, ...]:
    with db.read() as s:
        return (period_stamp(s, mine), city_stamp(s, "here"), period_stamp(s, other), Database.revision(s))


def test_stamps_move_with_their_own_periods_changes_only(database: Database) -> None:
    with database.write() as s:
        framework = ensure_framework(s)
        here = cities.create_city(s, ADMIN, "Here", hub="north")
        there = cities.create_city(s, ADMIN, "There", hub="south")
        mine, other = (cities.create_period(s, ADMIN, c, 2023, framework).id for c in (here, there))
    before = _stamps(database, mine, other)
    with database.write() as s:
        audit.record(s, "t", "update", "entry", 1, period_id=mine)
        audit.record(s, "t", "update", "entry", 2, period_id=mine)  # one transaction, one step
    after = _stamps(database, mine, other)
    assert after[0] == before[0] + 1 and after[1] != before[1] and after[3] == before[3] + 1
    assert after[2] == before[2]  # the other city's cached bodies stay valid
    with database.write() as s:
        ensure_framework(s)  # nothing audited: no stamp moves
    assert _stamps(database, mine, other) == after
    with database.read() as s:
        assert period_stamp(s, 10**6) is None


def test_the_site_stamp_is_the_data_revision_and_the_number_of_cities_in_one_read(database: Database) -> None:
    with database.read() as s:
        assert site_stamp(s) == (Database.revision(s), 0)
    with database.write() as s:
        cities.create_city(s, ADMIN, "Here", hub="north")
    with database.read() as s:
        stamp = site_stamp(s)
        assert stamp[1] == 1 and stamp[0] == Database.revision(s) > 0  # the same revision for the session
    with database.write() as s:
        audit.record(s, "t", "update", "entry", 1, period_id=None)
    with database.read() as s:
        assert site_stamp(s) == (stamp[0] + 1, 1)


def test_concurrent_transactions_on_one_period_each_count(database: Database) -> None:
    """Two writers of one period: on PostgreSQL they overlap, the counter still takes both."""
    with database.write() as s:
        framework = ensure_framework(s)
        period = cities.create_period(s, ADMIN, cities.create_city(s, ADMIN, "Here"), 2023, framework).id
    with database.read() as s:
        start = period_stamp(s, period)

    def write(n: int) -> None:
        for _ in range(n):
            with database.write() as s:
                audit.record(s, "t", "update", "entry", 1, period_id=period)

    threads = [threading.Thread(target=write, args=(10,)) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with database.read() as s:
        assert period_stamp(s, period) == (start or 0) + 30
