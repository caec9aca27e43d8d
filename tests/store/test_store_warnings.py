"""Warnings kept with the values, their explanations, and edits an import overwrites (SQLite and PostgreSQL).

The files are real workbooks read by the real reader and checks (`platform.uploads`), as a page or
the API uploads them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from citykpi.demo.cities import CITIES
from citykpi.platform import cities, uploads, values, verification, warnings
from citykpi.platform.cities import slugify
from citykpi.platform.errors import Conflict, Forbidden, Invalid
from citykpi.platform.roles import Principal, Role
from citykpi.platform.seed import ensure_framework
from citykpi.platform.workflow import PeriodState
from citykpi.store.db import Database
from citykpi.store.schema import Audit
from warned_workbook import WARNED_KPIS, warned_workbook, workbook

ADMIN = Principal("root", Role.ADMIN)
YEAR = 2024
LIMIT = 20_000_000
COMMUTERS = ("EC: I: T: 4A", "input", "commuters")


@pytest.fixture
def period_id(database: Database) -> int:
    with database.write() as s:
        framework = ensure_framework(s)
        city = cities.create_city(s, ADMIN, CITIES[0].name, country=CITIES[0].country, population=250_000, hub="north")
        return cities.create_period(s, ADMIN, city, YEAR, framework).id


@pytest.fixture
def editor(database: Database, period_id: int) -> Principal:
    with database.read() as s:
        city_id = cities.get_period(s, ADMIN, period_id).city_id
    return Principal("edna", Role.CITY_EDITOR, cities=frozenset({city_id}))


def _upload(database: Database, who: Principal, period_id: int, path: Path) -> values.ImportOutcome:
    return uploads.import_upload(database, who, period_id, path.name, path.read_bytes(), LIMIT)


def _kept(database: Database, period_id: int) -> list[warnings.WarningRecord]:
    with database.read() as s:
        return warnings.period_warnings(s, cities.get_period(s, ADMIN, period_id))


def _explain(database: Database, who: Principal, period_id: int, record: warnings.WarningRecord, text: str) -> None:
    with database.write() as s:
        warnings.explain(s, who, cities.get_period(s, ADMIN, period_id), record.id, text, record.version)


def test_an_upload_keeps_its_warnings_at_their_cells(
    database: Database, period_id: int, editor: Principal, tmp_path: Path
) -> None:
    outcome = _upload(database, editor, period_id, warned_workbook(tmp_path, YEAR))
    assert outcome.created > 0 and len(outcome.report.warnings) == 2
    kept = _kept(database, period_id)
    assert sorted(w.kpi for w in kept if w.kpi) == sorted(WARNED_KPIS)
    with database.read() as s:
        found = warnings.warnings_for(s, period_id, "EC: ICT: ICT: 2C")
    assert len(found) == 1
    assert (found[0].type, found[0].location.sheet, found[0].cell) == ("plausibility", "Economy", "I6")
    assert "normally below household Internet access" in found[0].message
    assert found[0].explanation == "" and found[0].file_name == f"{slugify(CITIES[0].name)}-{YEAR}.xlsx"


def test_an_explanation_is_audited_and_survives_the_same_warning_of_the_next_upload(
    database: Database, period_id: int, editor: Principal, tmp_path: Path
) -> None:
    path = warned_workbook(tmp_path, YEAR)
    _upload(database, editor, period_id, path)
    mode_share = next(w for w in _kept(database, period_id) if w.kpi == "EC: I: T: 4A")
    _explain(database, editor, period_id, mode_share, "Para transport is not counted in our survey.")
    again = _upload(database, editor, period_id, path)
    assert (again.created, again.updated) == (0, 0)
    with database.read() as s:
        (kept,) = warnings.warnings_for(s, period_id, "EC: I: T: 4A")
        trail = s.scalars(select(Audit).where(Audit.action == "explain-warning")).all()
    assert kept.explanation == "Para transport is not counted in our survey."
    assert kept.explained_by == "edna" and kept.explained_at is not None
    assert [(a.actor, a.entity, a.period_id, a.new["explanation"]) for a in trail] == [
        ("edna", "value-warning", period_id, "Para transport is not counted in our survey.")
    ]
    # A file without the warning clears it; the audit log still holds what the city wrote.
    _upload(database, editor, period_id, workbook(tmp_path, YEAR))
    assert _kept(database, period_id) == []


def test_explaining_is_refused_to_others_on_a_stale_version_and_after_submission(
    database: Database, period_id: int, editor: Principal, tmp_path: Path
) -> None:
    _upload(database, editor, period_id, warned_workbook(tmp_path, YEAR))
    first = _kept(database, period_id)[0]
    with pytest.raises(Forbidden):
        _explain(database, Principal("vera", Role.VIEWER), period_id, first, "no")
    with pytest.raises(Invalid, match="control character"):
        _explain(database, editor, period_id, first, "bell \x07")
    _explain(database, editor, period_id, first, "checked with the operator")
    with pytest.raises(Conflict, match="meanwhile"):
        _explain(database, editor, period_id, first, "a second thought")  # `first` is version 1
    with database.write() as s:
        period = cities.get_period(s, ADMIN, period_id)
        verification.transition(s, editor, period, PeriodState.SUBMITTED, period.version, "")
    with pytest.raises(Conflict, match="cannot be explained"):
        _explain(database, editor, period_id, _kept(database, period_id)[0], "too late")


def test_an_upload_lists_the_web_edits_it_overwrites(
    database: Database, period_id: int, editor: Principal, tmp_path: Path
) -> None:
    path = workbook(tmp_path, YEAR)
    _upload(database, editor, period_id, path)
    with database.write() as s:
        period = cities.get_period(s, ADMIN, period_id)
        row = next(r for r in values.entries(s, period) if (r.kpi, r.kind, r.name) == COMMUTERS)
        from_file = row.value_num
        kept = {"quality": row.quality, "source": row.source, "origin": row.origin, "notes": row.notes}
        edit = values.EntryEdit(kpi=COMMUTERS[0], kind="input", name="commuters", value=905, status="reported", **kept)
        values.set_value(s, editor, period, edit, row.version, "corrected from the survey")
    outcome = _upload(database, editor, period_id, path)
    assert outcome.updated >= 1
    (reverted,) = outcome.overwritten
    assert (reverted.kpi, reverted.kind, reverted.name) == COMMUTERS
    assert (reverted.old["value"], reverted.new["value"]) == (905, from_file)
    assert reverted.fields == ["value"] and reverted.edited_by == "edna" and reverted.edited_at is not None
    # The file's value is now the stored one: importing it again overwrites no edit.
    assert _upload(database, editor, period_id, path).overwritten == []
