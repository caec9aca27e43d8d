"""The verification workflow applied to the store: KPI reviews, their question threads, period states.

Screening (`citykpi.platform.screening`: the year-on-year and peer-range rules and the importer's
checks) runs when a period is submitted, and its findings are kept on each KPI's review so the
verifier sees them beside the value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from citykpi.platform.catalogues import catalogue_of
from citykpi.platform.cities import require
from citykpi.platform.errors import Conflict, NotFound
from citykpi.platform.roles import Principal
from citykpi.platform.screening import screen
from citykpi.platform.standing import Standing, refresh, standing, standings
from citykpi.platform.texts import check_texts
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
from citykpi.store.bulk import insert_rows
from citykpi.store.schema import Message, Period, Review, utcnow

# Completion and certificate moved to citykpi.platform.standing; kept importable from here for callers.
__all__ = ["Decision", "Standing", "act", "decide", "get_review", "reviews", "standing", "standings", "transition"]


def reviews(session: Session, period: Period) -> list[Review]:
    return list(session.scalars(select(Review).where(Review.period_id == period.id).order_by(Review.kpi)).all())


def get_review(session: Session, who: Principal, review_id: int) -> tuple[Review, Period]:
    from citykpi.platform.cities import get_period

    review = session.get(Review, review_id)
    if review is None:
        raise NotFound.said("review", "no review {review}", review=review_id)
    period = get_period(session, who, review.period_id)
    return review, period


def _ensure_reviews(session: Session, period: Period) -> dict[str, Review]:
    existing = {r.kpi: r for r in reviews(session, period)}
    missing = [
        {"period_id": period.id, "kpi": code, "state": ReviewState.DRAFT.value, "screening": []}
        for code in catalogue_of(period.framework).kpis
        if code not in existing
    ]
    if missing:  # one INSERT ... RETURNING (through the ORM's flush, SQLite would insert row by row)
        existing |= {r.kpi: r for r in session.scalars(insert_rows(Review).returning(Review), missing)}
    return existing


def transition(session: Session, who: Principal, period: Period, target: PeriodState, seen: int, reason: str) -> Period:
    check_texts({"reason": reason}, multiline={"reason"})
    if target in PERIOD_STEPS:  # a target no step leads to is refused below, whoever asks
        require(who, PERIOD_STEPS[target].needs, period)
    open_count = session.scalar(
        select(func.count()).where(Review.period_id == period.id, Review.state.in_([s.value for s in OPEN_REVIEWS]))
    )
    try:
        step = period_step(target, period.status, open_count or 0)
    except WorkflowError as exc:
        raise Conflict(exc.message, variant=exc.variant, params=exc.params) from exc
    if seen != period.version:
        template = "the period changed meanwhile (version {version}, you saw {seen}); reload it"
        raise Conflict.said("period-meanwhile", template, version=period.version, seen=seen)
    old = period.status
    if target is PeriodState.SUBMITTED:
        screening = screen(session, period)
        for code, review in _ensure_reviews(session, period).items():
            review.screening = screening.get(code, [])
            if review.state == ReviewState.DRAFT:
                review.state = ReviewState.SUBMITTED.value
                review.version += 1
        refresh(session, period)
    if target is PeriodState.PUBLISHED:
        period.published_at = utcnow()
    period.status = target.value
    period.version += 1
    audit.record(
        session,
        who.username,
        step.audit,
        "period",
        period.id,
        period_id=period.id,
        old={"status": old},
        new={"status": target.value},
        reason=reason,
    )
    return period


@dataclass(frozen=True)
class Decision:
    """One verifier or editor action on one KPI review, with the review version it was based on."""

    review: Review
    action: ReviewAction
    seen: int
    message: str = ""


def act(
    session: Session, who: Principal, review: Review, period: Period, action: ReviewAction, seen: int, message: str
) -> Review:
    return decide(session, who, period, [Decision(review, action, seen, message)])[0]


def decide(session: Session, who: Principal, period: Period, decisions: Sequence[Decision]) -> list[Review]:
    """Apply decisions on reviews of `period` in order, each checked and audited as if made alone.

    The completion figures are recomputed once at the end rather than after each decision, which is
    what makes accepting a whole period (the demo loader, a verifier accepting every clean KPI) cheap.
    A refused decision raises; the caller's transaction then rolls back the ones applied before it.
    """
    for decision in decisions:
        check_texts({"message": decision.message}, multiline={"message"}, kpi=decision.review.kpi)
    for needs in dict.fromkeys(REVIEW_STEPS[d.action].needs for d in decisions):
        require(who, needs, period)
    changes = [_apply(who, period, decision) for decision in decisions]
    messages = [
        {"review_id": d.review.id, "author": who.username, "action": d.action.value, "body": d.message}
        for d in decisions
    ]
    if messages:
        session.execute(insert_rows(Message), messages)
    audit.record_many(session, who.username, changes)
    refresh(session, period)
    return [d.review for d in decisions]


def _apply(who: Principal, period: Period, decision: Decision) -> audit.Change:
    review = decision.review
    if review.period_id != period.id:
        template = "no review {review} in {city} {year}"
        raise NotFound.said("review-in", template, review=review.id, city=period.city.name, year=period.year)
    try:
        step = review_step(decision.action, review.state, decision.message, period.status)
    except WorkflowError as exc:
        raise Conflict(exc.message, variant=exc.variant, params=exc.params) from exc
    if decision.seen != review.version:
        template = "{kpi} changed meanwhile (version {version}, you saw {seen}); reload it"
        raise Conflict.said("review-meanwhile", template, kpi=review.kpi, version=review.version, seen=decision.seen)
    old = review.state
    review.state = step.target
    review.version += 1
    return audit.Change(
        step.audit,
        "review",
        review.id,
        period.id,
        old={"state": old},
        new={"state": step.target},
        reason=decision.message,
    )
