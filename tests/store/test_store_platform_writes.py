"""Batched writes keep every audit row, version and rule of the one-by-one path (SQLite and PostgreSQL).

Imports insert their entries and audit rows in batches and update rows without reading each back;
`verification.decide` applies many KPI decisions with one completion refresh. These tests check the
stored outcome row by row, as a verifier or an auditor would read it.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from citykpi.model.diagnostics import ValidationReport
from citykpi.model.submission import CityProfile, Entry, EntryKind, Status, Submission
from citykpi.platform import cities, values, verification
from citykpi.platform.errors import Conflict, NotFound
from citykpi.platform.roles import Principal, Role
from citykpi.platform.seed import ensure_framework
from citykpi.platform.verification import Decision
from citykpi.platform.workflow import PeriodState, ReviewAction
from citykpi.store.db import Database
from citykpi.store.schema import Audit, Message, Period, Result, Review
from citykpi.store.schema import Entry as EntryRow

ADMIN = Principal("root", Role.ADMIN)
VERIFIER = Principal("vera", Role.ADMIN)
KPI = "EC: ICT: ICT: 1C"
INTERNET = (KPI, "households_with_internet")
BROADBAND = ("EC: ICT: ICT: 2C", "fixed_broadband_subscriptions", 30_000.0)


def _submission(city: str, households: float, *inputs: tuple[str, str, float]) -> Submission:
    return Submission(
        profile=CityProfile(city=city, year=2023, population=120_000, households=households),
        entries=[
            Entry(kpi=kpi, kind=EntryKind.INPUT, name=name, value=value, status=Status.REPORTED)
            for kpi, name, value in inputs
        ],
        source_file=f"{city}.xlsx",
    )


def _periods(database: Database, *names: str) -> list[int]:
    with database.write() as s:
        framework = ensure_framework(s)
        made = [cities.create_city(s, ADMIN, name, population=120_000) for name in names]
        return [cities.create_period(s, ADMIN, city, 2023, framework).id for city in made]


def _import(database: Database, period_id: int, submission: Submission) -> values.ImportOutcome:
    with database.write() as s:
        period = cities.get_period(s, ADMIN, period_id)
        return values.import_submission(s, ADMIN, period, submission, ValidationReport(valid=True))


def _entry_audit(database: Database, period_id: int) -> list[tuple[str, int | None, object, object]]:
    with database.read() as s:
        rows = s.scalars(select(Audit).where(Audit.period_id == period_id, Audit.entity == "entry").order_by(Audit.id))
        return [(a.action, a.entity_id, (a.old or {}).get("value"), (a.new or {}).get("value")) for a in rows]


def test_a_second_import_audits_each_created_and_changed_value_and_reassesses(database: Database) -> None:
    (period_id,) = _periods(database, "Testville")
    first = _import(database, period_id, _submission("Testville", 50_000, (*INTERNET, 40_000)))
    assert (first.created, first.updated) == (1, 1)  # the value, and the profile's households
    second = _import(database, period_id, _submission("Testville", 50_000, (*INTERNET, 45_000), BROADBAND))
    assert (second.created, second.updated, second.unchanged) == (1, 1, 0)
    with database.read() as s:
        stored = {r.name: r for r in s.scalars(select(EntryRow).where(EntryRow.period_id == period_id))}
        result = s.scalars(select(Result).where(Result.period_id == period_id, Result.code == KPI)).one()
    internet, broadband = stored["households_with_internet"], stored["fixed_broadband_subscriptions"]
    assert (internet.value_num, internet.version, broadband.version) == (45_000, 2, 1)
    assert result.value == pytest.approx(90.0)  # recomputed from the new value: 45 000 of 50 000 households
    assert _entry_audit(database, period_id) == [
        ("create", internet.id, None, 40_000),
        ("update", internet.id, 40_000, 45_000),
        ("create", broadband.id, None, 30_000),
    ]


def _submitted(database: Database, period_id: int) -> None:
    with database.read() as s:
        city = s.get_one(Period, period_id).city.name
    _import(database, period_id, _submission(city, 50_000, (*INTERNET, 40_000)))
    with database.write() as s:
        period = s.get_one(Period, period_id)
        for target in (PeriodState.SUBMITTED, PeriodState.UNDER_VERIFICATION):
            verification.transition(s, ADMIN, period, target, period.version, "test")


def _accept_all(database: Database, period_id: int, stale: str | None = None) -> None:
    with database.write() as s:
        period = s.get_one(Period, period_id)
        decisions = [
            Decision(r, ReviewAction.ACCEPT, r.version - (r.kpi == stale)) for r in verification.reviews(s, period)
        ]
        verification.decide(s, VERIFIER, period, decisions)


def test_deciding_a_whole_period_at_once_audits_every_kpi_and_refreshes_completion(database: Database) -> None:
    period_id, other_id = _periods(database, "City A", "City B")
    for pid in (period_id, other_id):
        _submitted(database, pid)
    with database.read() as s:
        kpis = list(s.scalars(select(Review.kpi).where(Review.period_id == period_id).order_by(Review.kpi)))
    with pytest.raises(Conflict, match="changed meanwhile"):
        _accept_all(database, period_id, stale=kpis[len(kpis) // 2])
    with database.read() as s:  # the refused batch left nothing behind, not even the decisions before it
        assert set(s.scalars(select(Review.state).where(Review.period_id == period_id))) == {"submitted"}
        assert s.scalar(select(Message.id).join(Review).where(Review.period_id == period_id)) is None
    _accept_all(database, period_id)
    with database.write() as s:
        period = s.get_one(Period, period_id)
        reviews = verification.reviews(s, period)
        audit = list(s.scalars(select(Audit).where(Audit.entity == "review").order_by(Audit.id)))
        messages = list(s.scalars(select(Message).order_by(Message.id)))
        assert {(r.state, r.version) for r in reviews} == {("accepted", 3)}
        assert [(a.entity_id, a.actor, a.action, a.old, a.new) for a in audit] == [
            (r.id, "vera", "accept-kpi", {"state": "submitted"}, {"state": "accepted"}) for r in reviews
        ]
        assert [(m.review_id, m.author, m.action) for m in messages] == [(r.id, "vera", "accept") for r in reviews]
        assert period.completion is not None and period.completion["overall"]["verified"] == len(kpis)
        other = s.get_one(Period, other_id)
        with pytest.raises(NotFound, match="no review"):  # a review is decided in its own period only
            verification.decide(s, VERIFIER, other, [Decision(reviews[0], ReviewAction.REJECT, 3, "wrong period")])
        verification.transition(s, ADMIN, period, PeriodState.VERIFIED, period.version, "all decided")
