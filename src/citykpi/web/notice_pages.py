"""The visitor's notifications (newest first, each opening what it is about) and what they choose to receive."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from citykpi.http.deps import Db, Id, Reader
from citykpi.platform import notifications
from citykpi.platform.errors import Invalid
from citykpi.platform.notifications import Choice
from citykpi.store.notice_rules import SUMMARY_FIELDS, rules
from citykpi.store.schema import Notification
from citykpi.web.auth_pages import safe_next
from citykpi.web.render import PageRoute, page, translate
from citykpi.web.session import Current, check_csrf

router = APIRouter(route_class=PageRoute)
PAGE_SIZE = 50


@dataclass(frozen=True)
class Line:
    notification: Notification
    title: str
    text: str


def said(request: Request, notice: Notification) -> Line:
    """The kind's sentence in the reader's language, filled with what the event recorded."""
    kind = rules().kinds.get(notice.kind)
    if kind is None:  # a kind since removed from the rules: still listed, in the words it had
        return Line(notice, notice.kind, notice.action)
    values: dict[str, Any] = {name: notice.params.get(name, "") for name in SUMMARY_FIELDS}
    if values["state"]:
        values["state"] = translate(request, str(values["state"]))
    return Line(notice, translate(request, kind.title), translate(request, kind.sentence(values)) % values)


@router.get("/notifications", response_class=HTMLResponse)
def inbox(
    request: Request, current: Current, session: Reader, start: Annotated[int, Query(ge=0, le=10**9)] = 0
) -> HTMLResponse:
    total, rows = notifications.inbox(session, current.who, start, PAGE_SIZE)
    lines = [said(request, n) for n in rows]
    return page(request, "notifications.html", lines=lines, total=total, start=start, size=PAGE_SIZE)


@router.post("/notifications/{notification_id}/open")
def open_one(notification_id: Id, current: Current, db: Db, csrf_token: Annotated[str, Form()] = "") -> Response:
    check_csrf(current, csrf_token)
    with db.write() as session:
        link = notifications.open_notification(session, current.who, notification_id)
    return RedirectResponse(safe_next(link), status_code=303)


@router.post("/notifications/read")
async def read_all(request: Request, current: Current, db: Db) -> Response:
    form = await request.form()
    check_csrf(current, str(form.get("csrf_token", "")))
    ids = [int(v) for v in form.getlist("id") if isinstance(v, str) and v.isdigit() and len(v) < 10]
    with db.write() as session:
        notifications.mark_read(session, current.who, ids or None)
    return RedirectResponse("/notifications?ok=read", status_code=303)


@router.get("/notifications/settings", response_class=HTMLResponse)
def settings_form(request: Request, current: Current, session: Reader) -> HTMLResponse:
    choices = notifications.choices(session, current.who)
    return _settings_page(request, choices, notifications.address(session, current.who))


def _settings_page(
    request: Request, choices: list[Choice], address: str, status: int = 200, error: Invalid | None = None
) -> HTMLResponse:
    return page(
        request,
        "notification_settings.html",
        status,
        choices=choices,
        titles={name: kind.title for name, kind in rules().kinds.items()},
        address=address,
        mail_configured=request.app.state.settings.mail.configured,
        problem=error,
    )


@router.post("/notifications/settings", response_class=HTMLResponse)
async def save_settings(request: Request, current: Current, db: Db) -> Response:
    form = await request.form()
    check_csrf(current, str(form.get("csrf_token", "")))
    wanted = _wanted(form)
    address = str(form.get("address", ""))[:1000]
    try:
        with db.write() as session:
            notifications.choose(session, current.who, wanted, address)
    except Invalid as exc:
        return _settings_page(request, list(wanted.values()), address, 422, exc)
    return RedirectResponse("/notifications/settings?ok=notifications-saved", status_code=303)


def _wanted(form: FormData) -> dict[str, Choice]:
    """A checkbox sends its name only when ticked: every kind of the rules gets both answers."""
    ticked = {str(v) for v in form.getlist("in_app")}, {str(v) for v in form.getlist("email")}
    return {name: Choice(name, name in ticked[0], name in ticked[1]) for name in rules().kinds}
