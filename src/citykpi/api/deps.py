"""Request dependencies: the database, the caller, and CSRF protection for cookie sessions.

Scripts authenticate with `Authorization: Bearer <token>`; pages with the session cookie. A request
that changes something with the cookie must echo the session's CSRF token in `X-CSRF-Token`
(synchroniser token): another site can make the browser send the cookie, but cannot read the token.
Bearer requests need no CSRF token because browsers never attach them on their own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated, TypeVar

import anyio
import anyio.to_thread
from fastapi import Depends, Path, Request, Response
from sqlalchemy.orm import Session

from citykpi.api.cache import CallerCache
from citykpi.platform import accounts
from citykpi.platform.errors import Forbidden, Unauthenticated
from citykpi.platform.roles import PUBLIC, Principal
from citykpi.store.db import Database

SESSION_COOKIE = "citykpi_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
T = TypeVar("T")


async def database(request: Request) -> Database:
    # async: no I/O here, and a sync dependency would cost a hop to the thread pool on every request.
    db: Database = request.app.state.db
    return db


def reader(db: Annotated[Database, Depends(database)]) -> Iterator[Session]:
    with db.read() as session:
        yield session


def caller(request: Request, session: Annotated[Session, Depends(reader)]) -> Principal:
    """Shares the request's read session (FastAPI caches dependencies per request): one connection each."""
    return resolve_caller(request, session)


async def read_in_thread(request: Request, work: Callable[[Session], T]) -> T:
    """`work(session)` in one worker thread with a read session, for the most read pages and endpoints.

    Each sync dependency or endpoint costs FastAPI a trip to the thread pool and back; `Reader` plus
    `Caller` plus a sync endpoint make four per request, which on a cached answer cost more than the
    answer itself (measured: one trip serves ~40 % more cached requests per second). These reads run
    on a few threads of their own (`Settings.read_threads`): building uncached answers is Python work
    that holds the GIL, and the default pool's 40 threads taking turns at it served fewer requests
    than 4 did, while
    slow work elsewhere (PDFs, imports) keeps the default pool and cannot hold these reads up.
    `work` resolves the caller itself (`resolve_caller`); what it raises is mapped as usual.
    """

    def run() -> T:
        with request.app.state.db.read() as session:
            return work(session)

    limiter: anyio.CapacityLimiter = request.app.state.read_limiter
    return await anyio.to_thread.run_sync(run, limiter=limiter)


def resolve_caller(request: Request, session: Session) -> Principal:
    callers: CallerCache = request.app.state.callers
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        found = callers.resolve(session, header[7:].strip(), "token")
        if found is None:
            raise Unauthenticated("the API token is unknown, revoked or expired")
        return found.principal
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return PUBLIC
    found = callers.resolve(session, cookie, "session")
    if found is None:
        return PUBLIC
    if request.method not in SAFE_METHODS and request.headers.get(CSRF_HEADER) != found.csrf:
        raise Forbidden(f"missing or wrong {CSRF_HEADER} header for a cookie session")
    return found.principal


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


def signed_in(who: Annotated[Principal, Depends(caller)]) -> Principal:
    if who.is_public:
        raise Unauthenticated("sign in (session cookie) or send an API token (Authorization: Bearer ...)")
    return who


Reader = Annotated[Session, Depends(reader)]
Caller = Annotated[Principal, Depends(caller)]
SignedIn = Annotated[Principal, Depends(signed_in)]
Db = Annotated[Database, Depends(database)]

# Row ids are 32-bit integers in both databases; larger path values are refused as invalid (422)
# rather than reaching the driver, which cannot bind them.
Id = Annotated[int, Path(ge=1, le=2_147_483_647)]
