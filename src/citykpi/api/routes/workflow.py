"""Verification: KPI reviews with their question threads, period transitions, certificate data."""

from __future__ import annotations

from fastapi import APIRouter, Request

from citykpi.api.deps import Db, Reader, SignedIn
from citykpi.api.routes.cities import period_detail
from citykpi.api.schemas import PeriodDetail, ReviewActionIn, ReviewDetail, ReviewOut, TransitionIn
from citykpi.platform import cities, verification
from citykpi.platform.roles import Action
from citykpi.store.schema import Review

router = APIRouter(tags=["verification"])


@router.get("/periods/{period_id}/reviews", response_model=list[ReviewOut])
def reviews(period_id: int, who: SignedIn, session: Reader) -> list[Review]:
    period = cities.get_period(session, who, period_id)
    cities.require(who, Action.READ, period)
    return verification.reviews(session, period)


@router.get("/reviews/{review_id}", response_model=ReviewDetail)
def review(review_id: int, who: SignedIn, session: Reader) -> Review:
    found, period = verification.get_review(session, who, review_id)
    cities.require(who, Action.READ, period)
    return found


@router.post("/reviews/{review_id}/actions", response_model=ReviewDetail, responses={409: {}})
def review_action(review_id: int, body: ReviewActionIn, who: SignedIn, db: Db) -> ReviewDetail:
    """query / answer / accept / reject, with the review version you saw; each adds to the thread."""
    with db.write() as session:
        found, period = verification.get_review(session, who, review_id)
        cities.require(who, Action.READ, period)
        verification.act(session, who, found, period, body.action, body.version, body.message)
        session.refresh(found)
        return ReviewDetail.model_validate(found)


@router.post("/periods/{period_id}/transitions", response_model=PeriodDetail, responses={409: {}})
def transition(period_id: int, body: TransitionIn, who: SignedIn, db: Db, request: Request) -> PeriodDetail:
    """Move a period: submitted (city), under_verification and verified (verifier), published (hub/admin)."""
    with db.write() as session:
        period = cities.get_period(session, who, period_id)
        verification.transition(session, who, period, body.to, body.version, body.reason)
    with db.read() as session:
        return period_detail(session, who, period_id, request)
