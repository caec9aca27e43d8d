"""The verifier's queue, a KPI's review with its question thread, and the editor's answers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from citykpi.http.deps import Db, Id, Reader
from citykpi.platform import cities, hub_screening, problem_reports, verification
from citykpi.platform.catalogues import catalogue_of
from citykpi.platform.errors import Unauthenticated
from citykpi.platform.evidence import evidence
from citykpi.platform.queue import Sort, chosen, work_for
from citykpi.platform.roles import Action, Principal, can
from citykpi.platform.workflow import (
    OPEN_REVIEWS,
    REVIEW_STEPS,
    ReviewAction,
    ReviewState,
    review_actions,
    value_editable,
)
from citykpi.store.schema import Period, Review
from citykpi.web.render import PageRoute, page
from citykpi.web.session import Current, check_csrf

router = APIRouter(route_class=PageRoute)


@dataclass(frozen=True)
class Words:
    button: str
    label: str = ""  # of the message field, for the actions that need one


# What each button says it does (issue 13: "Query" and "Accept" alone did not say what happens).
ACTION_WORDS = {
    ReviewAction.QUERY: Words("Send the question to the city", "Your question to the city"),
    ReviewAction.ANSWER: Words("Send the answer to the verifier", "Your answer to the verifier"),
    ReviewAction.ACCEPT: Words("Accept this KPI"),
    ReviewAction.REJECT: Words("Reject this KPI", "Why this KPI is rejected"),
}


@router.get("/queue", response_class=HTMLResponse)
def queue(
    request: Request,
    current: Current,
    session: Reader,
    state: Annotated[ReviewState | Literal[""], Query()] = "",
    findings: Annotated[Literal["", "yes", "no"], Query()] = "",
    sort: Annotated[Sort, Query()] = Sort.KPI,
) -> HTMLResponse:
    """What waits for the visitor, whatever the role (see `citykpi.platform.queue`), filtered and sorted
    by the query string, so a filtered queue can be bookmarked and the review page's back link keeps it."""
    if current.who.is_public:
        raise Unauthenticated("sign in to see your work queue")
    work = work_for(session, current.who)
    return page(
        request,
        "queue.html",
        work=work,
        waiting=chosen(work.waiting, state, findings, sort),
        state=state,
        findings=findings,
        sort=sort,
        states=[s for s in ReviewState if s in OPEN_REVIEWS],
        sorts=list(Sort),
        screening_hubs=hub_screening.hubs_managed(session, current.who),
        problems=problem_reports.waiting_for(session, current.who),
    )


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
        for action in review_actions(review.state, period.status)
        if can(current.who, REVIEW_STEPS[action].needs, period.city_id, period.city.hub)
    ]
    return page(
        request,
        "review.html",
        review=review,
        period=period,
        evidence=evidence(session, current.who, period, review),
        actions=actions,
        needs_message={a: REVIEW_STEPS[a].needs_message for a in actions},
        action_words=ACTION_WORDS,
        next_review=_next_review(session, current.who, period, review),
        may_edit=can(current.who, Action.EDIT, period.city_id, period.city.hub)
        and value_editable(period.status, review.state),
    )


def _next_review(session: Reader, who: Principal, period: Period, review: Review) -> Review | None:
    """The period's next KPI (framework order, round the end) that waits for the visitor, else simply the next."""
    order = {code: n for n, code in enumerate(catalogue_of(period.framework).kpis)}
    ordered = sorted(verification.reviews(session, period), key=lambda r: order.get(r.kpi, len(order)))
    at = next(n for n, r in enumerate(ordered) if r.id == review.id)
    after = ordered[at + 1 :] + ordered[:at]
    waiting = [r for r in after if any(_may(who, a, period) for a in review_actions(r.state, period.status))]
    found = waiting or after
    return found[0] if found else None


def _may(who: Principal, action: ReviewAction, period: Period) -> bool:
    return can(who, REVIEW_STEPS[action].needs, period.city_id, period.city.hub)


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
