"""CSRF protection for cookie sessions (synchroniser token): one secret per session, two ways to echo it.

Another site can make the browser send the session cookie, but cannot read the session's CSRF
secret. Scripts echo it in the `X-CSRF-Token` header of a request that changes something; HTML
forms cannot send headers, so every page form carries it in a hidden `csrf_token` field. Bearer
requests need no CSRF token because browsers never attach them on their own.
"""

from __future__ import annotations

import hmac

from fastapi import Request

from citykpi.platform.errors import Forbidden

CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _same(expected: str, sent: str) -> bool:
    return bool(expected) and hmac.compare_digest(expected.encode(), sent.encode())


def check_header(request: Request, expected: str) -> None:
    """A cookie request that changes something must carry the session's secret in the header."""
    if request.method not in SAFE_METHODS and not _same(expected, request.headers.get(CSRF_HEADER, "")):
        raise Forbidden(f"missing or wrong {CSRF_HEADER} header for a cookie session")


def check_form(expected: str, sent: str) -> None:
    """A page form's hidden field; `expected` is empty when nobody is signed in, which always fails."""
    if not _same(expected, sent):
        raise Forbidden.said(
            "csrf", "the form has expired or did not come from this site; reload the page and try again"
        )
