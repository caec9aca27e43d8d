"""The verifier's queue, a KPI's review with its question thread, and the editor's answers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from citykpi.http.deps import Db, Id, Reader
from citykpi.platform import cities, problem_reports, verification
from citykpi.platform.catalogues import catalogue_of
from citykpi.platform.errors import Unauthenticated
from citykpi.platform.roles import Action, Principal, can
from citykpi.platform.workflow import PERIOD_STEPS, REVIEW_STEPS, PeriodState, ReviewAction, ReviewState, value_editable
from citykpi.store.schema import Entry, Period, Result, Review
from citykpi.web.render import PageRoute, page
from citykpi.web.session import Current, check_csrf

router = APIRouter(route_class=PageRoute)
IN_REVIEW = (PeriodState.SUBMITTED.value, PeriodState.UNDER_VERIFICATION.value)


@router.get("/queue", response_class=HTMLResponse)
def queue(request: Request, current: Current, session: Reader) -> HTMLResponse:
    """Periods under review in the visitor's scope, with their KPIs per review state, and the verified
    periods the visitor may publish.

    A verifier works on what is submitted or answered; an editor on what is queried; a hub manager
    publishes what is verified.
    """
    who = current.who
    if who.is_public:
        raise Unauthenticated("sign in to see your work queue")
    periods = session.scalars(
        select(Period).where(Period.status.in_(IN_REVIEW)).options(joinedload(Period.city)).order_by(Period.id)
    ).all()
    mine = [p for p in periods if can(who, Action.VERIFY, p.city_id, p.city.hub) or _edits(who, p)]
    counts: dict[int, dict[str, int]] = {p.id: {} for p in mine}
    rows = session.execute(
        select(Review.period_id, Review.state, func.count())
        .where(Review.period_id.in_(list(counts)))
        .group_by(Review.period_id, Review.state)
    ).all()
    for period_id, state, count in rows:
        counts[period_id][state] = count
    wanted = ReviewState.QUERIED if who.role.value == "city_editor" else None
    waiting = session.scalars(
        select(Review)
        .where(Review.period_id.in_(list(counts)), Review.state.in_(_waiting_states(wanted)))
        .order_by(Review.period_id, Review.kpi)
    ).all()
    return page(
        request,
        "queue.html",
        periods=mine,
        counts=counts,
        waiting=waiting,
        by_id={p.id: p for p in mine},
        to_publish=_to_publish(session, who),
        problems=problem_reports.waiting_for(session, who),
    )


def _to_publish(session: Reader, who: Principal) -> list[Period]:
    step = PERIOD_STEPS[PeriodState.PUBLISHED]
    verified = session.scalars(
        select(Period).where(Period.status.in_(list(step.sources))).options(joinedload(Period.city)).order_by(Period.id)
    ).all()
    return [p for p in verified if can(who, step.needs, p.city_id, p.city.hub)]


def _edits(who: Principal, period: Period) -> bool:
    return can(who, Action.EDIT, period.city_id, period.city.hub)


def _waiting_states(wanted: ReviewState | None) -> list[str]:
    if wanted is not None:
        return [wanted.value]
    return [ReviewState.SUBMITTED.value, ReviewState.QUERIED.value, ReviewState.ANSWERED.value]


@router.get("/periods/{period_id}/reviews", response_class=HTMLResponse)
def period_reviews(request: Request, period_id: Id, current: Current, session: Reader) -> HTMLResponse:
    period = cities.get_period(session, current.who, period_id)
    cities.require(current.who, Action.READ, period)
    return page(
        request,
        "reviews.html",
        period=period,
        reviews=verification.reviews(session, period),
        kpis=catalogue_of(period.framework).kpis,
        may_verify=can(current.who, Action.VERIFY, period.city_id, period.city.hub),
    )


@router.get("/reviews/{review_id}", response_class=HTMLResponse)
def review_page(request: Request, review_id: Id, current: Current, session: Reader) -> HTMLResponse:
    review, period = verification.get_review(session, current.who, review_id)
    cities.require(current.who, Action.READ, period)
    actions = [
        action
        for action, step in REVIEW_STEPS.items()
        if review.state in step.sources
        and period.status in IN_REVIEW
        and can(current.who, step.needs, period.city_id, period.city.hub)
    ]
    entries = session.scalars(
        select(Entry).where(Entry.period_id == period.id, Entry.kpi == review.kpi).order_by(Entry.kind, Entry.name)
    ).all()
    results = session.scalars(
        select(Result).where(Result.period_id == period.id, Result.code == review.kpi).order_by(Result.id)
    ).all()
    return page(
        request,
        "review.html",
        review=review,
        period=period,
        kpi=catalogue_of(period.framework).kpis[review.kpi],
        entries=entries,
        results=results,
        actions=actions,
        needs_message={a: REVIEW_STEPS[a].needs_message for a in actions},
        may_edit=can(current.who, Action.EDIT, period.city_id, period.city.hub)
        and value_editable(period.status, review.state),
    )


@router.post("/reviews/{review_id}/act")
def act(
    review_id: Id,
    current: Current,
    db: Db,
    action: Annotated[ReviewAction, Form()],
    version: Annotated[int, Form()],
    message: Annotated[str, Form(max_length=4000)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(current, csrf_token)
    with db.write() as session:
        review, period = verification.get_review(session, current.who, review_id)
        verification.act(session, current.who, review, period, action, version, message)
    return RedirectResponse(f"/reviews/{review_id}?ok=acted", status_code=303)


@router.post("/periods/{period_id}/accept-clean")
def accept_clean(period_id: Id, current: Current, db: Db, csrf_token: Annotated[str, Form()] = "") -> Response:
    """Accept every submitted KPI whose screening found nothing; flagged ones stay for a decision one by one."""
    check_csrf(current, csrf_token)
    with db.write() as session:
        period = cities.get_period(session, current.who, period_id)
        cities.require(current.who, REVIEW_STEPS[ReviewAction.ACCEPT].needs, period)  # even with nothing left
        clean = [
            verification.Decision(review, ReviewAction.ACCEPT, review.version)
            for review in verification.reviews(session, period)
            if review.state == ReviewState.SUBMITTED and not review.screening
        ]
        if clean:  # one transaction, completion recomputed once
            verification.decide(session, current.who, period, clean)
    return RedirectResponse(f"/periods/{period_id}/reviews?ok=acted", status_code=303)
