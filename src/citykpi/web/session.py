"""Who is browsing, and the CSRF check of page forms.

Pages share the API's session cookie and its per-session CSRF secret (`citykpi.http`); every page
form carries the secret in a hidden `csrf_token` field, which `check_csrf` compares.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from citykpi.http import csrf
from citykpi.http.callers import session_identity
from citykpi.http.deps import Reader
from citykpi.platform import notifications
from citykpi.platform.roles import PUBLIC, Principal, read_scope


@dataclass(frozen=True)
class Visitor:
    who: Principal
    csrf: str = ""


def visitor(request: Request, session: Session) -> Visitor:
    found = session_identity(request, session)
    if found is None:
        return Visitor(PUBLIC)
    return Visitor(found.principal, found.csrf)


def check_csrf(current: Visitor, sent: str) -> None:
    csrf.check_form("" if current.who.is_public else current.csrf, sent)


def current(request: Request, session: Reader) -> Visitor:
    """The visitor, kept on the request so that every template can show who is signed in, with their
    unread notifications counted for the navigation (`citykpi.web.render.with_unread`)."""
    found = visitor(request, session)
    request.state.visitor = found
    if not found.who.is_public and found.who.user_id is not None:
        request.state.unread = notifications.unread_count(session, found.who.user_id)
    return found


def seen_by(visitor: Visitor) -> tuple[object, ...]:
    """What a kept page depends on about its visitor: a page lists what the visitor's read scope
    shows, names the visitor, and carries the session's CSRF secret in its forms."""
    return (read_scope(visitor.who), visitor.who.username, visitor.csrf)


Current = Annotated[Visitor, Depends(current)]
