"""The pure rules: workflow transitions, completion figures and the configurable certificate rule."""

from __future__ import annotations

import pytest

from citykpi.model.completion import CertificateRule, certificate, completion, kpi_states
from citykpi.platform.roles import Action, Principal, Role, can
from citykpi.platform.workflow import (
    PeriodState,
    ReviewAction,
    ReviewState,
    WorkflowError,
    period_step,
    review_actions,
    review_step,
    value_editable,
)

KPIS = [("A1", "Economy", "core"), ("A2", "Economy", "advanced"), ("B1", "Environment", "core")]


def test_query_answer_accept_thread_and_illegal_steps() -> None:
    verifying = PeriodState.UNDER_VERIFICATION
    assert review_step(ReviewAction.QUERY, ReviewState.SUBMITTED, "why?", verifying).target == ReviewState.QUERIED
    assert review_step(ReviewAction.ANSWER, ReviewState.QUERIED, "because", verifying).target == ReviewState.ANSWERED
    assert review_step(ReviewAction.QUERY, ReviewState.ANSWERED, "and?", verifying).target == ReviewState.QUERIED
    assert review_step(ReviewAction.ACCEPT, ReviewState.ANSWERED, "", verifying).target == ReviewState.ACCEPTED
    with pytest.raises(WorkflowError, match="needs a message"):
        review_step(ReviewAction.REJECT, ReviewState.SUBMITTED, "  ", verifying)
    with pytest.raises(WorkflowError, match="only when"):
        review_step(ReviewAction.ANSWER, ReviewState.ACCEPTED, "late", verifying)


def test_the_verifier_decides_only_once_verification_has_started() -> None:
    """Accept, query and reject were offered (and taken) on a period merely submitted."""
    for action in (ReviewAction.ACCEPT, ReviewAction.QUERY, ReviewAction.REJECT):
        with pytest.raises(WorkflowError, match="while the period is submitted; only when it is under_verification"):
            review_step(action, ReviewState.SUBMITTED, "why?", PeriodState.SUBMITTED)
    assert review_step(ReviewAction.ANSWER, ReviewState.QUERIED, "here", PeriodState.SUBMITTED)
    assert review_actions(ReviewState.SUBMITTED, PeriodState.SUBMITTED) == []
    assert review_actions(ReviewState.QUERIED, PeriodState.UNDER_VERIFICATION) == [ReviewAction.ANSWER]
    assert review_actions(ReviewState.ANSWERED, PeriodState.UNDER_VERIFICATION) == [
        ReviewAction.QUERY,
        ReviewAction.ACCEPT,
        ReviewAction.REJECT,
    ]
    assert review_actions(ReviewState.ACCEPTED, PeriodState.UNDER_VERIFICATION) == []


def test_period_cannot_be_verified_with_open_reviews_nor_skip_states() -> None:
    with pytest.raises(WorkflowError, match="decide them first"):
        period_step(PeriodState.VERIFIED, PeriodState.UNDER_VERIFICATION, open_reviews=2)
    with pytest.raises(WorkflowError, match="only from"):
        period_step(PeriodState.PUBLISHED, PeriodState.SUBMITTED, open_reviews=0)
    assert period_step(PeriodState.PUBLISHED, PeriodState.VERIFIED, 0).needs is Action.MANAGE


def test_values_change_in_a_draft_or_on_a_queried_kpi_only() -> None:
    assert value_editable(PeriodState.DRAFT, None)
    assert value_editable(PeriodState.UNDER_VERIFICATION, ReviewState.QUERIED)
    assert not value_editable(PeriodState.UNDER_VERIFICATION, ReviewState.ACCEPTED)
    assert not value_editable(PeriodState.PUBLISHED, ReviewState.QUERIED)


def test_scopes() -> None:
    editor = Principal("e", Role.CITY_EDITOR, cities=frozenset({1}))
    hub = Principal("h", Role.HUB_MANAGER, hubs=frozenset({"north"}))
    assert can(editor, Action.EDIT, 1, "north") and not can(editor, Action.EDIT, 2, "north")
    assert can(hub, Action.MANAGE, 2, "north") and not can(hub, Action.MANAGE, 2, "south")
    assert not can(hub, Action.EDIT, 2, "north")
    assert not can(Principal("v", Role.VIEWER), Action.EDIT, 1, "north")


def test_completion_counts_per_dimension_and_level() -> None:
    states = kpi_states(KPIS, {"A1": ["computed", "not reported"], "B1": ["not applicable"]}, accepted=["A1"])
    figures = completion(states)
    assert (figures.overall.total, figures.overall.reported, figures.overall.not_applicable) == (3, 1, 1)
    assert figures.by_dimension["Economy"]["core"].verified == 1
    assert figures.by_dimension["Economy"]["advanced"].reported == 0


def test_default_certificate_rule_needs_every_core_kpi_complete_and_verified() -> None:
    statuses = {"A1": ["computed"], "B1": ["not applicable"]}
    assert certificate(kpi_states(KPIS, statuses, ["A1", "B1"]), CertificateRule()).eligible
    unverified = certificate(kpi_states(KPIS, statuses, ["A1"]), CertificateRule())
    assert not unverified.eligible and unverified.missing == ["B1"]
    lenient = CertificateRule(not_applicable_counts=False, require_verified=False, min_share=0.5)
    assert certificate(kpi_states(KPIS, statuses, []), lenient).eligible


def test_rule_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CITYKPI_CERTIFICATE_RULE", '{"levels": ["core", "advanced"], "min_share": 0.9}')
    assert CertificateRule.from_env().levels == ["core", "advanced"]
