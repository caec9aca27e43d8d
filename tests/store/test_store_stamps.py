"""Cache stamps notice every committed audit row, also one committed late with a lower id (SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import func, insert, select

from citykpi.platform import cities
from citykpi.platform.roles import Principal, Role
from citykpi.platform.seed import ensure_framework
from citykpi.store.db import Database
from citykpi.store.schema import Audit
from citykpi.store.stamps import city_stamp, period_stamp

ADMIN = Principal("root", Role.ADMIN)


def _audit(db: Database, row_id: int, period_id: int) -> None:
    with db.write() as s:
        row = {"id": row_id, "actor": "t", "action": "a", "entity": "entry", "period_id": period_id, "reason": ""}
        s.execute(insert(Audit).values(**row))


def test_a_late_commit_below_the_newest_id_still_changes_the_stamp(database: Database) -> None:
    with database.write() as s:
        framework = ensure_framework(s)
        here = cities.create_city(s, ADMIN, "Here", hub="north")
        there = cities.create_city(s, ADMIN, "There", hub="south")
        mine, other = (cities.create_period(s, ADMIN, c, 2023, framework).id for c in (here, there))
    with database.read() as s:
        top = s.scalar(select(func.max(Audit.id))) or 0
        before = (period_stamp(s, mine), city_stamp(s, "here"), period_stamp(s, other))
    _audit(database, top + 10, mine)
    with database.read() as s:
        middle = (period_stamp(s, mine), city_stamp(s, "here"), period_stamp(s, other))
    _audit(database, top + 5, mine)  # as if handed out earlier and committed later (PostgreSQL sequences)
    with database.read() as s:
        after = (period_stamp(s, mine), city_stamp(s, "here"), period_stamp(s, other))
    assert before[0] != middle[0] != after[0] and before[1] != middle[1] != after[1]
    assert middle[0][0] == after[0][0] == top + 10  # the newest id alone would have missed the late row
    assert before[2] == middle[2] == after[2]  # the other city's bodies stay cached
