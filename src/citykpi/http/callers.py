"""Who is calling: an API token (`Authorization: Bearer <token>`) or the session cookie of a sign-in.

Scripts authenticate with a token, pages and the browser with the cookie; both front ends resolve
the cookie through `session_identity`, so the API and the pages always agree on who is signed in.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Response
from sqlalchemy.orm import Session

from citykpi.http import csrf
from citykpi.http.cache import CallerCache, Identity
from citykpi.http.deps import Reader
from citykpi.platform import accounts
from citykpi.platform.errors import Unauthenticated
from citykpi.platform.roles import PUBLIC, Principal
from citykpi.store.db import Database

SESSION_COOKIE = "citykpi_session"


def _callers(request: Request) -> CallerCache:
    callers: CallerCache = request.app.state.callers
    return callers


def session_identity(request: Request, session: Session) -> Identity | None:
    """The signed-in user of the request's session cookie; None without a cookie or for an ended session."""
    cookie = request.cookies.get(SESSION_COOKIE)
    return _callers(request).resolve(session, cookie, "session") if cookie else None


def resolve_caller(request: Request, session: Session) -> Principal:
    """A token must be valid (401 otherwise); a stale cookie is the public; cookie writes need the CSRF header."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        found = _callers(request).resolve(session, header[7:].strip(), "token")
        if found is None:
            raise Unauthenticated("the API token is unknown, revoked or expired")
        return found.principal
    found = session_identity(request, session)
    if found is None:
        return PUBLIC
    csrf.check_header(request, found.csrf)
    return found.principal


def caller(request: Request, session: Reader) -> Principal:
    """Shares the request's read session (FastAPI caches dependencies per request): one connection each."""
    return resolve_caller(request, session)


def signed_in(who: Annotated[Principal, Depends(caller)]) -> Principal:
    if who.is_public:
        raise Unauthenticated("sign in (session cookie) or send an API token (Authorization: Bearer ...)")
    return who


def set_session_cookie(request: Request, response: Response, secret: str) -> None:
    """The session cookie of a sign-in, the same for the API's login and the sign-in page."""
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.secure_cookies,
        max_age=int(accounts.SESSION_TTL.total_seconds()),
    )


def end_session(request: Request, response: Response, db: Database) -> None:
    """Sign-out, for the API's logout and the page's: the session ends in the database and the cookie goes."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        with db.write() as session:
            accounts.sign_out(session, cookie)
    response.delete_cookie(SESSION_COOKIE)


Caller = Annotated[Principal, Depends(caller)]
SignedIn = Annotated[Principal, Depends(signed_in)]
