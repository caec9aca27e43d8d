"""The sign-in form's CSRF token (login CSRF), for a visitor who has no session yet.

Without it another site could sign the browser in to an account of the attacker's (a victim then
types their city's figures into it). The page sets a random token in a cookie and the same token
in the form (double submit): another site can make the browser post the form, but cannot read the
cookie to fill the field, nor set a cookie for this site.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request, Response

from citykpi.platform.errors import Forbidden

COOKIE = "citykpi_signin"
FIELD = "csrf_token"


def token(request: Request) -> str:
    """The visitor's token: the cookie's if it has one that could be ours, a new one otherwise."""
    sent = request.cookies.get(COOKIE, "")
    return sent if 30 <= len(sent) <= 64 and sent.isascii() else secrets.token_urlsafe(32)


def attach(request: Request, response: Response, value: str) -> None:
    response.set_cookie(
        COOKIE, value, httponly=True, samesite="strict", secure=request.app.state.settings.secure_cookies
    )


def check(request: Request, sent: str) -> None:
    cookie = request.cookies.get(COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie.encode(), sent.encode()):
        raise Forbidden.said(
            "csrf", "the form has expired or did not come from this site; reload the page and try again"
        )
