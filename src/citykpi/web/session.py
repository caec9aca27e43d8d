"""Who is browsing, and the CSRF check of page forms.

Pages share the API's session cookie and its per-session CSRF secret. The API expects the secret in a
header (scripts); HTML forms cannot send headers, so every page form carries it in a hidden
`csrf_token` field and `check_csrf` compares it: another site can make the browser send the cookie
but cannot read the secret.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from citykpi.api.deps import SESSION_COOKIE, Reader
from citykpi.platform.errors import Forbidden
from citykpi.platform.roles import PUBLIC, Principal


@dataclass(frozen=True)
class Visitor:
    who: Principal
    csrf: str = ""


def visitor(request: Request, session: Session) -> Visitor:
    cookie = request.cookies.get(SESSION_COOKIE)
    found = request.app.state.callers.resolve(session, cookie, "session") if cookie else None
    if found is None:
        return Visitor(PUBLIC)
    return Visitor(found.principal, found.csrf)


def check_csrf(current: Visitor, sent: str) -> None:
    if current.who.is_public or not hmac.compare_digest(current.csrf.encode(), sent.encode()):
        raise Forbidden.said(
            "csrf", "the form has expired or did not come from this site; reload the page and try again"
        )


def current(request: Request, session: Reader) -> Visitor:
    """The visitor, kept on the request so that every template can show who is signed in."""
    found = visitor(request, session)
    request.state.visitor = found
    return found


Current = Annotated[Visitor, Depends(current)]
