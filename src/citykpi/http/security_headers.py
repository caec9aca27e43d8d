"""Browser security headers on every answer, and the Content-Security-Policy of self-contained documents.

Pages load their script and styles from /static only, so their policy allows no inline script or
style at all: text that escaped the templates' escaping could still not run. Reports and
certificates are single files meant to be saved, mailed and printed (so their CSS is inline; their
charts' tooltips are SVG titles, no script): their policy allows exactly the inline blocks and style
attributes the template wrote, by hash (`document_policy`); a page that sets its own policy keeps it.
`frame-ancestors 'none'` and X-Frame-Options forbid framing (clickjacking), except for the
embeddable charts, whose own policy allows any ancestor (`EMBED_POLICY`; they carry no form and
read no session); nosniff stops a browser
from running an upload or an export as script; HSTS is sent when the session cookie is Secure,
i.e. the site is served over HTTPS.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections.abc import Iterable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = "Content-Security-Policy"
_COMMON = "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
PAGE_POLICY = f"default-src 'self'; img-src 'self' data:; {_COMMON}"
# The embeddable charts (/embed/...) are the only pages another site may frame: same policy otherwise.
EMBED_POLICY = PAGE_POLICY.replace("frame-ancestors 'none'", "frame-ancestors *")
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
HSTS = "max-age=31536000; includeSubDomains"

_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE)
_STYLE = re.compile(r"<style[^>]*>(.*?)</style>", re.DOTALL | re.IGNORECASE)
_STYLE_ATTRIBUTE = re.compile(r"""\sstyle=(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)


def _hashes(texts: Iterable[str]) -> str:
    found = sorted({base64.b64encode(hashlib.sha256(t.encode()).digest()).decode() for t in texts})
    return " ".join(f"'sha256-{h}'" for h in found)


def _sources(*parts: str) -> str:
    return " ".join(p for p in parts if p) or "'none'"


def document_policy(page: str, scripts: str = "", styles: str = "", images: str = "") -> str:
    """The policy of a document rendered by our own templates (all user text escaped): its inline
    `<script>` and `<style>` blocks and `style` attributes by hash, plus the extra sources named."""
    attributes = _hashes(html.unescape(a or b) for a, b in _STYLE_ATTRIBUTE.findall(page))
    script_src = _sources(scripts, _hashes(_SCRIPT.findall(page)))
    style_src = _sources(styles, _hashes(_STYLE.findall(page)), f"'unsafe-hashes' {attributes}" if attributes else "")
    img_src = _sources("'self' data:", images)
    return f"default-src 'self'; script-src {script_src}; style-src {style_src}; img-src {img_src}; {_COMMON}"


class SecurityHeaders:
    """Pure ASGI middleware (no per-request task, unlike BaseHTTPMiddleware) adding the headers above."""

    def __init__(self, app: ASGIApp, hsts: bool) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                framable = "frame-ancestors *" in headers.get(CSP, "")
                for name, value in HEADERS.items():
                    if not (framable and name == "X-Frame-Options"):
                        headers.setdefault(name, value)
                headers.setdefault(CSP, PAGE_POLICY)
                if self.hsts:
                    headers.setdefault("Strict-Transport-Security", HSTS)
            await send(message)

        await self.app(scope, receive, with_headers)
