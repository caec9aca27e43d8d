"""Edits, history, conflicts and imports against a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from citykpi.model.diagnostics import ValidationReport
from citykpi.model.submission import CityProfile, Entry, EntryKind, Status, Submission
from citykpi.platform import cities, values
from citykpi.platform.errors import Conflict, Invalid
from citykpi.platform.roles import Principal, Role
from citykpi.platform.seed import ensure_framework
from citykpi.store.db import Database
from citykpi.store.schema import Entry as EntryRow
from citykpi.store.schema import Result

ADMIN = Principal("root", Role.ADMIN)
KPI = "EC: ICT: ICT: 1C"


@pytest.fixture
def period_id(database: Database) -> int:
    with database.write() as s:
        framework = ensure_framework(s)
        city = cities.create_city(s, ADMIN, "Testville", country="Nowhere", population=120_000, hub="north")
        return cities.create_period(s, ADMIN, city, 2023, framework).id


def _edit(value: object, status: str = "reported") -> values.EntryEdit:
    return values.EntryEdit(kpi=KPI, kind="input", name="households_with_internet", value=value, status=status)


def _set(database: Database, period_id: int, edit: values.EntryEdit, seen: int, who: str = "root") -> EntryRow:
    with database.write() as s:
        period = cities.get_period(s, ADMIN, period_id)
        return values.set_value(s, Principal(who, Role.ADMIN), period, edit, seen, reason=f"by {who}")


def test_edit_keeps_who_when_old_new_and_why(database: Database, period_id: int) -> None:
    first = _set(database, period_id, _edit(100), 0, "alice")
    second = _set(database, period_id, _edit(150), first.version, "bob")
    assert second.version == first.version + 1
    with database.read() as s:
        trail = values.history(s, second.id)
        assert [(a.actor, a.action) for a in trail] == [("alice", "create"), ("bob", "update")]
        assert trail[1].old["value"] == 100 and trail[1].new["value"] == 150 and trail[1].reason == "by bob"
        # The KPI is recomputed from the input and the profile (no households: not computable yet).
        query = text("select code, status from results where period_id = :p")
        statuses = dict(s.execute(query, {"p": period_id}).all())
        assert statuses[KPI] in ("not reported", "not available", "error")


def test_stale_version_is_refused_and_nothing_is_overwritten(database: Database, period_id: int) -> None:
    created = _set(database, period_id, _edit(100), 0)
    _set(database, period_id, _edit(120), created.version, "alice")
    with pytest.raises(Conflict, match="nothing was overwritten"):
        _set(database, period_id, _edit(999), created.version, "bob")
    with database.read() as s:
        assert s.get(EntryRow, created.id).value_num == 120


def test_invalid_edit_uses_the_importer_messages(database: Database, period_id: int) -> None:
    with pytest.raises(Invalid) as caught:
        _set(database, period_id, _edit("lots"), 0)
    assert caught.value.report is not None
    assert caught.value.report.errors[0].location.kpi == KPI


def test_two_editors_racing_one_version_never_lose_an_update(database: Database, period_id: int) -> None:
    created = _set(database, period_id, _edit(100), 0)
    outcomes: list[str] = []

    def editor(value: int) -> None:
        try:
            _set(database, period_id, _edit(value), created.version, f"editor{value}")
            outcomes.append(f"ok {value}")
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=editor, args=(v,)) for v in (201, 202)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes)[0] == "conflict" and len(outcomes) == 2
    winner = int(next(o for o in outcomes if o.startswith("ok")).split()[1])
    with database.read() as s:
        assert s.get(EntryRow, created.id).value_num == winner
        assert len(values.history(s, created.id)) == 2


def _submission(households: float) -> Submission:
    return Submission(
        profile=CityProfile(city="Testville", year=2023, population=120_000, households=households),
        entries=[
            Entry(kpi=KPI, kind=EntryKind.INPUT, name="households_with_internet", value=40_000, status=Status.REPORTED)
        ],
        source_file="testville.xlsx",
    )


def _import(database: Database, period_id: int, submission: Submission) -> values.ImportOutcome:
    with database.write() as s:
        period = cities.get_period(s, ADMIN, period_id)
        return values.import_submission(s, ADMIN, period, submission, ValidationReport(valid=True))


def test_importing_the_same_file_twice_changes_nothing(database: Database, period_id: int) -> None:
    first = _import(database, period_id, _submission(50_000))
    assert first.created == 1
    with database.read() as s:
        audit_rows = s.execute(text("select count(*) from audit_log")).scalar_one()
        result = s.query(Result).filter_by(period_id=period_id, code=KPI).one()
        assert result.status == "computed" and result.value == pytest.approx(80.0)
    second = _import(database, period_id, _submission(50_000))
    assert (second.created, second.updated, second.unchanged) == (0, 0, 1)
    with database.read() as s:
        assert s.execute(text("select count(*) from audit_log")).scalar_one() == audit_rows


def test_import_for_another_year_is_refused_whole(database: Database, period_id: int) -> None:
    wrong = _submission(50_000)
    wrong.profile.year = 2022
    with pytest.raises(Invalid) as caught:
        _import(database, period_id, wrong)
    assert caught.value.report is not None and caught.value.report.errors[0].type == "period-mismatch"
    with database.read() as s:
        assert s.query(EntryRow).count() == 0


def test_audit_log_refuses_update_and_delete(database: Database, period_id: int) -> None:
    for statement in ("update audit_log set actor = 'mallory'", "delete from audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), database.write() as s:
            s.execute(text(statement))
