"""The administrator's webhooks: register a receiver (its secret shown once), see its deliveries, turn it off."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from citykpi.http.deps import Db, Id, Reader
from citykpi.platform import webhooks
from citykpi.platform.errors import Invalid
from citykpi.store.notice_rules import rules
from citykpi.web.render import PageRoute, page
from citykpi.web.session import Current, Visitor, check_csrf

router = APIRouter(route_class=PageRoute)


def _page(
    request: Request,
    current: Visitor,
    session: Reader,
    status: int = 200,
    secret: str = "",
    problem: Invalid | None = None,
    url: str = "",
) -> HTMLResponse:
    return page(
        request,
        "webhooks.html",
        status,
        hooks=webhooks.listed(session, current.who),
        kinds={name: kind.title for name, kind in rules().kinds.items()},
        secret=secret,
        problem=problem,
        url=url,
        headers=(webhooks.EVENT, webhooks.TIMESTAMP, webhooks.SIGNATURE, webhooks.DELIVERY),
    )


@router.get("/admin/webhooks", response_class=HTMLResponse)
def listing(request: Request, current: Current, session: Reader) -> HTMLResponse:
    return _page(request, current, session)


@router.post("/admin/webhooks", response_class=HTMLResponse)
def add(
    request: Request,
    current: Current,
    db: Db,
    session: Reader,
    url: Annotated[str, Form()] = "",
    kinds: Annotated[list[str] | None, Form()] = None,
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(current, csrf_token)
    try:
        with db.write() as writing:
            _hook, secret = webhooks.create(writing, current.who, url[:2000], kinds or [])
    except Invalid as exc:
        return _page(request, current, session, 422, problem=exc, url=url[:2000])
    with db.read() as fresh:  # the request's read session began before the webhook existed
        return _page(request, current, fresh, 201, secret=secret)


@router.post("/admin/webhooks/{webhook_id}/deactivate")
def deactivate(webhook_id: Id, current: Current, db: Db, csrf_token: Annotated[str, Form()] = "") -> Response:
    check_csrf(current, csrf_token)
    with db.write() as session:
        webhooks.deactivate(session, current.who, webhook_id)
    return RedirectResponse("/admin/webhooks?ok=webhook-off", status_code=303)
