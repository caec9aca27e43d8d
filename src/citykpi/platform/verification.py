"""The verification workflow applied to the store: KPI reviews, their question threads, period states,
completion figures and the certificate decision.

Screening checks (the importer's formula, plausibility and screening rules) run when a period is
submitted, and their findings are kept on each KPI's review so the verifier sees them beside the value.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from citykpi.collect.checks import Context, run_checks
from citykpi.platform.catalogues import catalogue_of
from citykpi.platform.cities import require
from citykpi.platform.completion import (
    CertificateDecision,
    CertificateRule,
    Completion,
    certificate,
    completion,
    kpi_states,
)
from citykpi.platform.errors import Conflict, NotFound
from citykpi.platform.roles import Principal
from citykpi.platform.values import submission_of
from citykpi.platform.workflow import (
    OPEN_REVIEWS,
    PERIOD_STEPS,
    REVIEW_STEPS,
    PeriodState,
    ReviewAction,
    ReviewState,
    WorkflowError,
    period_step,
    review_step,
)
from citykpi.store import audit
from citykpi.store.schema import Message, Period, Result, Review, utcnow


class Standing(BaseModel):
    completion: Completion
    certificate: CertificateDecision


def reviews(session: Session, period: Period) -> list[Review]:
    return list(session.scalars(select(Review).where(Review.period_id == period.id).order_by(Review.kpi)).all())


def get_review(session: Session, who: Principal, review_id: int) -> tuple[Review, Period]:
    from citykpi.platform.cities import get_period

    review = session.get(Review, review_id)
    if review is None:
        raise NotFound(f"no review {review_id}")
    period = get_period(session, who, review.period_id)
    return review, period


def _ensure_reviews(session: Session, period: Period) -> dict[str, Review]:
    existing = {r.kpi: r for r in reviews(session, period)}
    for code in catalogue_of(period.framework).kpis:
        if code not in existing:
            existing[code] = Review(period_id=period.id, kpi=code, state=ReviewState.DRAFT.value, screening=[])
            session.add(existing[code])
    session.flush()
    return existing


def _screen(session: Session, period: Period) -> dict[str, list[dict[str, object]]]:
    catalogue = catalogue_of(period.framework)
    found: dict[str, list[dict[str, object]]] = defaultdict(list)
    for diagnostic in run_checks(Context(submission_of(session, period), catalogue)):
        found[diagnostic.location.kpi or ""].append(diagnostic.model_dump(mode="json"))
    return found


def transition(session: Session, who: Principal, period: Period, target: PeriodState, seen: int, reason: str) -> Period:
    require(who, PERIOD_STEPS[target].needs, period)
    open_count = session.scalar(
        select(func.count()).where(Review.period_id == period.id, Review.state.in_([s.value for s in OPEN_REVIEWS]))
    )
    try:
        period_step(target, period.status, open_count or 0)
    except WorkflowError as exc:
        raise Conflict(str(exc)) from exc
    if seen != period.version:
        raise Conflict(f"the period changed meanwhile (version {period.version}, you saw {seen}); reload it")
    old = period.status
    if target is PeriodState.SUBMITTED:
        screening = _screen(session, period)
        for code, review in _ensure_reviews(session, period).items():
            review.screening = screening.get(code, [])
            if review.state == ReviewState.DRAFT:
                review.state = ReviewState.SUBMITTED.value
                review.version += 1
    if target is PeriodState.PUBLISHED:
        period.published_at = utcnow()
    period.status = target.value
    period.version += 1
    audit.record(
        session,
        who.username,
        "transition",
        "period",
        period.id,
        period_id=period.id,
        old={"status": old},
        new={"status": target.value},
        reason=reason,
    )
    return period


def act(
    session: Session, who: Principal, review: Review, period: Period, action: ReviewAction, seen: int, message: str
) -> Review:
    require(who, REVIEW_STEPS[action].needs, period)
    if period.status not in (PeriodState.SUBMITTED, PeriodState.UNDER_VERIFICATION):
        raise Conflict(f"KPIs are reviewed while a period is submitted or under verification, not {period.status}")
    try:
        step = review_step(action, review.state, message)
    except WorkflowError as exc:
        raise Conflict(str(exc)) from exc
    if seen != review.version:
        raise Conflict(f"{review.kpi} changed meanwhile (version {review.version}, you saw {seen}); reload it")
    old = review.state
    review.state = step.target
    review.version += 1
    session.add(Message(review_id=review.id, author=who.username, action=action.value, body=message))
    audit.record(
        session,
        who.username,
        action.value,
        "review",
        review.id,
        period_id=period.id,
        old={"state": old},
        new={"state": step.target},
        reason=message,
    )
    session.flush()
    return review


def standing(session: Session, period: Period, rule: CertificateRule) -> Standing:
    return standings(session, [period], rule)[period.id]


def standings(session: Session, periods: Sequence[Period], rule: CertificateRule) -> dict[int, Standing]:
    """Completion and certificate of several periods with two queries in all (the city page shows every year)."""
    ids = [p.id for p in periods]
    statuses: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for period_id, code, status in session.execute(
        select(Result.period_id, Result.code, Result.status).where(Result.period_id.in_(ids))
    ):
        statuses[period_id][code].append(status)
    accepted: dict[int, list[str]] = defaultdict(list)
    for period_id, code in session.execute(
        select(Review.period_id, Review.kpi).where(
            Review.period_id.in_(ids), Review.state == ReviewState.ACCEPTED.value
        )
    ):
        accepted[period_id].append(code)
    out = {}
    for period in periods:
        kpis = [(k.code, k.dimension, k.level.value) for k in catalogue_of(period.framework).kpis.values()]
        states = kpi_states(kpis, statuses[period.id], accepted[period.id])
        out[period.id] = Standing(completion=completion(states), certificate=certificate(states, rule))
    return out
