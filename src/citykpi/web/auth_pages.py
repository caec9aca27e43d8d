"""Sign-in, sign-out and the language switch."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from citykpi.http.callers import end_session, set_session_cookie
from citykpi.http.deps import Db
from citykpi.platform import accounts
from citykpi.platform.errors import RateLimited
from citykpi.web import signin_csrf
from citykpi.web.i18n import LANG_COOKIE, LANGUAGES
from citykpi.web.render import PageRoute, page, translate
from citykpi.web.session import Current, check_csrf

router = APIRouter(route_class=PageRoute)


def safe_next(target: str) -> str:
    """Only a path on this site: an open redirect would let a phishing link borrow our sign-in page."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


@router.get("/signin", response_class=HTMLResponse)
def signin_form(request: Request, current: Current, next: str = "/") -> HTMLResponse:
    return _signin_page(request, 200, next, None, "")


def _signin_page(request: Request, status: int, next: str, error: str | None, username: str) -> HTMLResponse:
    """The form with the sign-in CSRF token in its field and cookie (`signin_csrf`)."""
    token = signin_csrf.token(request)
    shown = page(request, "signin.html", status, next=safe_next(next), error=error, username=username, csrf=token)
    signin_csrf.attach(request, shown, token)
    return shown


@router.post("/signin", response_class=HTMLResponse)
def signin(
    request: Request,
    db: Db,
    current: Current,
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form(max_length=500)] = "/",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    signin_csrf.check(request, csrf_token)
    client = request.client.host if request.client else "unknown"
    try:
        with db.write() as session:
            user = accounts.sign_in(session, username, password, client)
            secret = accounts.issue(session, user, "session", ttl=accounts.SESSION_TTL)[0] if user else None
    except RateLimited as exc:
        wait = translate(request, "Too many failed sign-ins for this user from here; try again in %(seconds)s s.")
        message = wait % {"seconds": exc.params.get("seconds", "")}
        return _signin_page(request, 429, next, message, username)
    if secret is None:
        return _signin_page(request, 401, next, translate(request, "Wrong user name or password."), username)
    response = RedirectResponse(safe_next(next), status_code=303)
    set_session_cookie(request, response, secret)
    return response


@router.post("/signout")
def signout(request: Request, db: Db, current: Current, csrf_token: Annotated[str, Form()] = "") -> Response:
    check_csrf(current, csrf_token)
    response = RedirectResponse("/?ok=signed-out", status_code=303)
    end_session(request, response, db)
    return response


@router.get("/lang/{code}")
def switch_language(code: str, next: str = "/") -> Response:
    response = RedirectResponse(safe_next(next), status_code=303)
    if code in LANGUAGES:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="lax")
    return response
