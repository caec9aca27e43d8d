"""Screening at submission on real data and a real database (SQLite and PostgreSQL).

The demo's Vellmarsk reported 12,498 commuters for 2023 and 8,009 for 2024 (-36 %) and nothing was
flagged; the comparison functions are checked on their own too, where a number is easy to read.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from citykpi.demo.cities import CITIES
from citykpi.model.diagnostics import ValidationReport
from citykpi.model.submission import CityProfile, Entry, EntryKind, Status, Submission
from citykpi.platform import cities, hub_screening, values, verification
from citykpi.platform.demo import LOADER, load_demo
from citykpi.platform.errors import Forbidden, Invalid
from citykpi.platform.evidence import evidence
from citykpi.platform.roles import Principal, Role
from citykpi.platform.screening import INPUT, RESULT, Figure, peer_range, year_on_year
from citykpi.platform.screening_rules import RuleKind, ScreeningRule, shipped_rules
from citykpi.platform.seed import ensure_framework
from citykpi.platform.verification import Decision
from citykpi.platform.workflow import PeriodState, ReviewAction
from citykpi.store.db import Database
from citykpi.store.schema import Audit, Framework, Period, Review

COMMUTING = "EC: I: T: 4A"
INTERNET = "EC: ICT: ICT: 1C"
HUB = Principal("hubby", Role.HUB_MANAGER, hubs=frozenset({"North hub"}))


def _rule(kind: RuleKind) -> ScreeningRule:
    return shipped_rules().of_kind(kind)[0]


def test_year_on_year_flags_a_change_beyond_the_threshold_only() -> None:
    rule = _rule(RuleKind.YEAR_ON_YEAR)
    assert rule.threshold == 0.3
    now = {f.key: f for f in (Figure(COMMUTING, INPUT, "commuters", 8009), Figure("A", RESULT, "value", 129))}
    before = {f.key: f for f in (Figure(COMMUTING, INPUT, "commuters", 12498), Figure("A", RESULT, "value", 100))}
    [found] = year_on_year(now, 2024, before, 2023, rule)
    assert found.type == "year-on-year-change" and found.severity == "warning"
    assert found.location.kpi == COMMUTING and found.location.field == "commuters"
    assert found.message == (
        "EC: I: T: 4A commuters changed by -36% from 2023 (12498) to 2024 (8009), more than the 30% the screening "
        "allows; please confirm it"
    )
    zero = {Figure("A", RESULT, "value", 0).key: Figure("A", RESULT, "value", 0)}
    assert year_on_year(now, 2024, zero, 2023, rule) == []  # no share of nothing


def test_peer_range_needs_enough_peers_and_allows_a_margin() -> None:
    rule = _rule(RuleKind.PEER_RANGE)
    key = (INTERNET, RESULT, "value")
    peers = {key: [50.0, 60.0, 70.0]}
    inside = {key: Figure(INTERNET, RESULT, "value", 74.0)}  # 70 + 0.25 * 20 = 75 still allowed
    outside = {key: Figure(INTERNET, RESULT, "value", 76.0)}
    assert peer_range(inside, 2024, peers, "small", rule) == []
    [found] = peer_range(outside, 2024, peers, "small", rule)
    assert found.type == "outside-peer-range" and found.params["low"] == "50" and found.params["peers"] == 3
    assert peer_range(outside, 2024, {key: [50.0, 60.0]}, "small", rule) == []  # two peers are not a range


def _submit(database: Database, period_id: int) -> dict[str, list[dict[str, object]]]:
    with database.write() as s:
        period = cities.get_period(s, LOADER, period_id)
        verification.transition(s, LOADER, period, PeriodState.SUBMITTED, period.version, "")
    with database.read() as s:
        return {r.kpi: r.screening for r in s.scalars(select(Review).where(Review.period_id == period_id))}


def _draft_2024(database: Database) -> int:
    with database.read() as s:
        found = s.scalar(select(Period.id).where(Period.year == 2024, Period.status == PeriodState.DRAFT))
        assert found is not None
        return found


def test_the_demo_commuters_falling_36_percent_is_flagged_at_submission(database: Database) -> None:
    load_demo(database, specs=CITIES[:1], years=(2023, 2024))
    findings = _submit(database, _draft_2024(database))
    changes = [f for f in findings[COMMUTING] if f["type"] == "year-on-year-change"]
    commuters = [f for f in changes if (f["location"] or {}).get("field") == "commuters"]
    assert len(commuters) == 1
    assert commuters[0]["params"]["change"] == "-36%"
    assert commuters[0]["message"].startswith("EC: I: T: 4A commuters changed by -36% from 2023 (12498)")


def test_a_hub_threshold_changes_what_is_flagged_and_is_audited(database: Database) -> None:
    load_demo(database, specs=CITIES[:1], years=(2023, 2024))
    rules = shipped_rules()
    with database.write() as s, pytest.raises(Forbidden):
        hub_screening.set_threshold(s, HUB, rules, "South hub", "year-on-year", 0.5, "")
    with database.write() as s, pytest.raises(Invalid, match="no screening rule 'checks' with a threshold"):
        hub_screening.set_threshold(s, HUB, rules, "North hub", "checks", 0.5, "")
    with database.write() as s:
        hub_screening.set_threshold(s, HUB, rules, "North hub", "year-on-year", 0.5, "our cities are small")
        hub_screening.set_threshold(s, HUB, rules, "North hub", "year-on-year", 0.5, "twice: no second row")
    findings = _submit(database, _draft_2024(database))
    fields = [(f["location"] or {}).get("field") for f in findings[COMMUTING]]
    assert "commuters" not in fields  # -36 % is within the hub's 50 %
    with database.write() as s:
        hub_screening.set_threshold(s, HUB, rules, "North hub", "year-on-year", None, "back to the default")
    with database.read() as s:
        assert hub_screening.overrides(s, "North hub") == {}
        rows = s.scalars(select(Audit).where(Audit.action == "set-screening-threshold").order_by(Audit.id)).all()
        assert [(a.actor, a.old["threshold"], a.new["threshold"], a.reason) for a in rows] == [
            ("hubby", None, 0.5, "our cities are small"),
            ("hubby", 0.5, None, "back to the default"),
        ]


def _published_peer(s: Session, framework: Framework, name: str, internet: float) -> None:
    city = cities.create_city(s, LOADER, name, population=120_000)
    period = cities.create_period(s, LOADER, city, 2024, framework)
    _import(s, period, name, internet)
    for target in (PeriodState.SUBMITTED, PeriodState.UNDER_VERIFICATION):
        verification.transition(s, LOADER, period, target, period.version, "")
    accept = [Decision(r, ReviewAction.ACCEPT, r.version) for r in verification.reviews(s, period)]
    verification.decide(s, LOADER, period, accept)
    for target in (PeriodState.VERIFIED, PeriodState.PUBLISHED):
        verification.transition(s, LOADER, period, target, period.version, "")


def _import(s: Session, period: Period, name: str, internet: float) -> None:
    entries = [
        Entry(
            kpi=INTERNET, kind=EntryKind.INPUT, name="households_with_internet", value=internet, status=Status.REPORTED
        )
    ]
    profile = CityProfile(city=name, year=2024, population=120_000, households=1000)
    submission = Submission(profile=profile, entries=entries, source_file=f"{name}.xlsx")
    values.import_submission(s, LOADER, period, submission, ValidationReport(valid=True))


def test_a_value_far_outside_its_published_peers_is_flagged(database: Database) -> None:
    with database.write() as s:
        framework = ensure_framework(s)
        for name, internet in (("Alba", 500), ("Brio", 600), ("Cora", 700)):
            _published_peer(s, framework, name, internet)
        unpublished = cities.create_period(
            s, LOADER, cities.create_city(s, LOADER, "Dune", population=120_000), 2024, framework
        )
        _import(s, unpublished, "Dune", 50)  # not published: not a peer, its 5 % must not count
        odd = cities.create_period(
            s, LOADER, cities.create_city(s, LOADER, "Eyot", population=120_000), 2024, framework
        )
        _import(s, odd, "Eyot", 950)
        odd_id = odd.id
    findings = _submit(database, odd_id)
    _evidence_counts_visible_peers_only(database, odd_id)
    [found] = [f for f in findings[INTERNET] if f["type"] == "outside-peer-range"]
    assert found["params"] == {
        "what": INTERNET,
        "value": "95",
        "year": 2024,
        "peers": 3,
        "peer_group": "small (50k-200k)",
        "low": "50",
        "high": "70",
        "threshold": "25%",
    }


def _evidence_counts_visible_peers_only(database: Database, period_id: int) -> None:
    """The review page's peer figures: the same year's peers the visitor may see (a draft only for its readers)."""
    with database.read() as s:
        period = cities.get_period(s, LOADER, period_id)
        review = s.scalar(select(Review).where(Review.period_id == period_id, Review.kpi == INTERNET))
        assert review is not None
        editor = Principal("eyot-editor", Role.CITY_EDITOR, cities=frozenset({period.city_id}))
        admin = evidence(s, LOADER, period, review)
        own = evidence(s, editor, period, review)
    assert [(p.cities, p.low, p.median, p.high) for p in own.peers] == [(3, 50.0, 60.0, 70.0)]
    assert [(p.cities, p.low, p.median, p.high) for p in admin.peers] == [(4, 5.0, 55.0, 70.0)]  # and Dune's draft
    [households] = own.denominators
    assert (households.name, households.value, households.origin.how) == ("households", 1000, "import")
    [line] = [i for i in own.inputs if i.name == "households_with_internet"]
    assert (line.value, line.origin.how, line.origin.file, line.origin.by) == (
        950,
        "import",
        "Eyot.xlsx",
        "demo-loader",
    )
    assert [(y.year, y.value) for y in own.years["value"]] == [(2024, 95.0)]


def test_plausibility_findings_on_stored_values_reach_their_kpis_review(database: Database) -> None:
    """Stored entries carry no cell; the finding must still name its KPI, or no review shows it."""
    from citykpi.demo.generate import generate
    from citykpi.platform.catalogues import catalogue_of

    load_demo(database, specs=CITIES[:1], years=(2023, 2024))
    period_id = _draft_2024(database)
    with database.write() as s:
        period = cities.get_period(s, LOADER, period_id)
        submission = generate(list(catalogue_of(period.framework).kpis.values()), CITIES[0], 2024)
        shares = {f"commuters_{m}" for m in ("private_vehicle", "public_transport", "walking", "cycling")}
        for entry in submission.entries:
            if entry.kpi == COMMUTING and entry.name in shares:
                entry.value = 1.0  # a handful of the commuters: the mode shares no longer add up
        values.import_submission(s, LOADER, period, submission, ValidationReport(valid=True))
    findings = _submit(database, period_id)
    plausibility = [f for f in findings.get(COMMUTING, []) if f["type"] == "plausibility"]
    assert plausibility and all((f["location"] or {}).get("kpi") == COMMUTING for f in plausibility)
    assert not [f for f in findings.get("", []) if f["type"] == "plausibility"]
