"""The screening thresholds of a hub: a hub manager or administrator sets them, every change audited.

Thresholds are shares in the rule book (0.3); the page shows and takes them in percent (30), as a
verifier reads a finding ("-36 %, more than the 30 %").
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from citykpi.http.deps import Db, Reader
from citykpi.model.diagnostics import Location, said
from citykpi.platform import hub_screening
from citykpi.platform.errors import Forbidden, Invalid, Unauthenticated
from citykpi.platform.screening_rules import shipped_rules
from citykpi.store.schema import ScreeningOverride
from citykpi.web.render import PageRoute, page
from citykpi.web.session import Current, check_csrf

router = APIRouter(route_class=PageRoute)


@router.get("/screening", response_class=HTMLResponse)
def screening(request: Request, current: Current, session: Reader) -> HTMLResponse:
    if current.who.is_public:
        raise Unauthenticated("sign in to set screening thresholds")
    hubs = hub_screening.hubs_managed(session, current.who)
    if not hubs:
        template = "{role} {user!r} manages no hub, so sets no screening threshold"
        raise Forbidden.said("no-hub", template, role=current.who.role.value, user=current.who.username)
    rows = session.scalars(select(ScreeningOverride).where(ScreeningOverride.hub.in_(hubs))).all()
    return page(
        request,
        "screening.html",
        hubs=hubs,
        rules=shipped_rules().adjustable(),
        overrides={(r.hub, r.rule): r for r in rows},
    )


@router.post("/screening")
def set_threshold(
    current: Current,
    db: Db,
    hub: Annotated[str, Form(max_length=100)],
    rule: Annotated[str, Form(max_length=40)],
    percent: Annotated[str, Form(max_length=20)] = "",
    reason: Annotated[str, Form(max_length=4000)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """An empty percentage goes back to the rule book's default."""
    check_csrf(current, csrf_token)
    threshold = _share(percent)
    with db.write() as session:
        hub_screening.set_threshold(session, current.who, shipped_rules(), hub, rule, threshold, reason)
    return RedirectResponse("/screening?ok=threshold", status_code=303)


def _share(percent: str) -> float | None:
    text = percent.strip().replace(",", ".").removesuffix("%").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if value != value or value in (float("inf"), float("-inf")):
        found = said(
            "invalid-parameter",
            "the threshold must be a number of percent, such as 30, not {given!r}",
            {"given": percent},
            variant="screening-percent",
            location=Location(field="percent"),
        )
        raise Invalid.of([found], found.message)
    return value / 100
