"""Stored scores (`citykpi.platform.scores`): written with the results, equal to what scoring computes,
renewed by an edit, and filled in for a database stored before migration 0010 (SQLite and PostgreSQL)."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from citykpi.cli import app
from citykpi.demo.cities import CITIES
from citykpi.platform import cities, scores, values
from citykpi.platform.demo import load_demo
from citykpi.platform.reports import assessment_of, verdicts
from citykpi.platform.roles import Principal, Role
from citykpi.scoring.scorecard import GroupLevel, Scorecard, score, score_item
from citykpi.store.db import Database
from citykpi.store.migrate import _config
from citykpi.store.schema import Base, Entry, Period, Result, Score
from citykpi.store.scratch import migrated

ADMIN = Principal("root", Role.ADMIN)


def _computed(session: Session, period: Period) -> Scorecard:
    return score(assessment_of(session, period), scores.book())


def _assert_stored_equal_computed(session: Session) -> int:
    """Every period's stored figures against a scoring of its results now; how many periods."""
    periods = list(session.scalars(select(Period).order_by(Period.id)))
    assert periods
    whole = scores.group_of(session, periods)
    for period in periods:
        assert period.scored_with == scores.fingerprint()
        computed = _computed(session, period)
        stored = scores.card_of(session, period, verdicts(session, period))
        assert stored.groups == computed.groups
        assert [(i.key, i.standing, i.percent, i.band, i.benchmark) for i in stored.items] == [
            (i.key, i.standing, i.percent, i.band, i.benchmark) for i in computed.items
        ]
        assert whole[period.id] == computed.city
        assert scores.groups_of(session, [period])[period.id] == computed.groups
        for level in GroupLevel:
            assert scores.groups_of(session, [period], level)[period.id] == computed.level(level)
        first = computed.level(GroupLevel.DIMENSION)[0]
        assert scores.group_of(session, [period], first.name)[period.id] == first
        assert scores.group_of(session, [period], "No such dimension")[period.id] is None
        item = computed.items[0]
        found = scores.point_items(session, [period.id], item.result.code, item.result.data_point)
        unverified = item.result.model_copy(update={"verified": None})  # one data point is read without decisions
        assert found[period.id] == score_item(unverified, scores.book())
    return len(periods)


def test_stored_scores_equal_what_scoring_computes_on_the_demo_data(database: Database) -> None:
    load_demo(database, CITIES[:2], (2022, 2023), accounts=False)
    with database.read() as session:
        assert _assert_stored_equal_computed(session) == 4
        # The city, its dimensions, sub-dimensions and categories: one row each, per period.
        assert session.scalar(select(func.count(Score.id)).where(Score.level == "city")) == 4


def test_editing_a_value_renews_the_stored_scores_in_the_same_transaction(database: Database) -> None:
    load_demo(database, CITIES[:1], (2023,), accounts=False)
    with database.read() as session:
        period = session.scalars(select(Period)).one()
        before = scores.group_of(session, [period])[period.id]
        scored = session.scalars(
            select(Result.code).where(Result.period_id == period.id, Result.band.is_not(None), Result.level == "core")
        ).first()
        entry = session.scalars(select(Entry).where(Entry.period_id == period.id, Entry.kpi == scored)).first()
    assert before is not None and scored is not None and entry is not None
    edit = values.EntryEdit(kpi=entry.kpi, kind=entry.kind, name=entry.name, value=None, status="not available")
    with database.write() as session:
        period = cities.get_period(session, ADMIN, period.id)
        values.set_value(session, ADMIN, period, edit, entry.version, "the office withdrew the figure")
    with database.read() as session:
        period = session.scalars(select(Period)).one()
        after = scores.group_of(session, [period])[period.id]
        assert after is not None and after.scored < before.scored and after.reported < before.reported
        band = session.scalars(select(Result.band).where(Result.period_id == period.id, Result.code == scored))
        assert set(band) == {None}
        _assert_stored_equal_computed(session)


def test_upgrading_a_database_stored_before_migration_0010_scores_its_periods(db_url: str) -> None:
    """Downgraded to 0009 (the tables and columns of the scores gone), `citykpi db upgrade` brings them
    back and fills them; a period scored under other targets or rules is scored again."""
    with migrated(db_url) as db:
        load_demo(db, CITIES[:2], (2022, 2023), accounts=False)
        with db.engine.begin() as connection:
            command.downgrade(_config(connection), "0009")
    upgraded = CliRunner().invoke(app, ["db", "upgrade", "--database", db_url])
    assert upgraded.exit_code == 0, upgraded.output
    assert "scored 4 periods" in upgraded.output
    db = Database(db_url)
    try:
        with db.read() as session:
            assert _assert_stored_equal_computed(session) == 4
        with db.write() as session:
            session.execute(update(Period).where(Period.year == 2023).values(scored_with="targets of an old release"))
            session.execute(update(Score).values(percent=0.0))
        again = CliRunner().invoke(app, ["db", "upgrade", "--database", db_url])
        assert "scored 2 periods" in again.output
        with db.write() as session:  # the 2022 periods kept their figures: only the others were renewed
            assert session.scalar(select(func.count(Score.id)).where(Score.percent == 0.0)) > 0
            session.execute(update(Period).values(scored_with=None))
            assert scores.backfill(session) == 4
        with db.read() as session:
            _assert_stored_equal_computed(session)
    finally:
        db.dispose()


def test_the_migrations_build_the_schema_the_code_declares(db_url: str) -> None:
    """One chain 0001, 0002, ... (0010 the stored scores) whose head matches schema.py on SQLite and
    PostgreSQL alike."""
    script = ScriptDirectory.from_config(_config(None))
    chain = [r.revision for r in reversed(list(script.walk_revisions()))]
    assert chain == [f"{n:04d}" for n in range(1, len(chain) + 1)] and "0010" in chain
    with migrated(db_url) as db, db.engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == script.get_current_head() == chain[-1]
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
