"""Templates (autoescaped, translated) and the page route that turns platform errors into pages.

A `PlatformError` raised by a service becomes a page with the error's status and message instead
of the API's JSON, so a reader never sees a traceback or raw JSON for something they caused. A
visitor who is not signed in is told in plain words why a page is closed to them (`CLOSED`), not
the service's sentence, which names their role ("public 'public' may not read ...").
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable, Sequence
from functools import lru_cache
from importlib import resources
from typing import Any
from urllib.parse import quote

import jinja2
from fastapi import Request, Response
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from markupsafe import Markup, escape

from citykpi.framework.names import names
from citykpi.platform import notifications
from citykpi.platform.errors import PlatformError, Unauthenticated
from citykpi.report import style
from citykpi.report.i18n import number
from citykpi.report.i18n import translations as report_translations
from citykpi.store.schema import City
from citykpi.web import problems
from citykpi.web.i18n import language, translations

# Short notices shown after a redirect (?ok=code); the text is translated in the template.
NOTICES = {
    "saved": "The value was saved.",
    "moved": "The period moved to its next state.",
    "acted": "Your action on the KPI was recorded.",
    "explained": "Your explanation of the warning was saved.",
    "threshold": "The screening threshold was saved.",
    "signed-out": "You are signed out.",
    "admin-saved": "Saved. The change is written in the audit trail.",
    "revoked": "The token was revoked; it no longer works.",
    "welcome": "Your password is set and you are signed in.",
    "read": "Marked as read.",
    "notifications-saved": "Your notification settings are saved.",
    "webhook-off": "The webhook is turned off; nothing more is sent to it.",
    "report-settled": "The report is answered; the reporter reads it at their private link.",
}

# The public's answer per error key: a reporting year it cannot find is one not published (every
# published one is open to it), and a page of a published year it may not read is the team's.
CLOSED = {
    "not-found.period": "unpublished",
    "not-found.visible-period": "unpublished",
    "forbidden.may-not-read": "team-only",
}


@lru_cache(maxsize=2)
def environment(lang: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(resources.files("citykpi.web") / "data" / "templates")),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    found = translations(lang)
    env.install_gettext_translations(found, newstyle=True)  # type: ignore[attr-defined]
    env.filters["num"] = lambda v, digits=1: number(v, lang, digits)
    env.filters["pct"] = lambda v: "–" if v is None else number(100 * v, lang, 0) + " %"
    env.filters["band_colour"] = style.band_colour
    env.filters["chart_rows"] = lambda rows: chart_rows(rows, lang)
    # Dimension and category names, band words: the reports' catalogue holds them (report.labels).
    env.filters["structure"] = report_translations(lang).gettext
    env.filters["place"] = place
    env.filters["said"] = lambda d: problems.diagnostic_text(problems.as_diagnostic(d), lang)
    env.filters["failure"] = lambda exc: problems.error_text(exc, lang)
    env.filters["cell_of"] = lambda where: problems.cell_text(where, lang)
    words = names(lang)  # KPI, data-point and unit names, as the reports show them (framework/names.py)
    env.filters["kpi_name"] = words.of
    env.filters["unit"] = words.unit
    env.globals.update(lang=lang, notices=NOTICES, kpi_url=kpi_url, names=words)
    return env


# The pages the public reads most and what they extend or import (which Jinja loads only when a page
# is rendered), compiled by a fresh server before it answers.
READ_MOST = (
    *("base.html", "_chart.html", "_coverage.html", "_filters.html"),
    *("home.html", "hub.html", "city.html", "kpi.html", "kpi_about.html", "compare.html", "compare_kpi.html"),
)


def warm() -> None:
    """Compile the most read pages' templates in both languages and load the locales' number formats
    when the server starts, not in its first requests: each first view waited for them (~0.05 s a
    page's templates, compiled once per thread that met them first; ~0.25 s a locale's number data).
    The other templates (~0.6 s more) are compiled when first used."""
    for lang in ("en", "fr"):
        for name in READ_MOST:
            environment(lang).get_template(name)
        number(1234.5, lang)


def chart_rows(rows: Iterable[Sequence[object]], lang: str) -> Markup:
    """The rows of a chart's table (`citykpi.web.charts.Chart.rows`), one `<tr>` a line. Written here
    rather than by a loop in _chart.html, and each row kept once written: a KPI page's charts list the
    whole peer group's values, the same rows on the page of every city of the group, and Jinja's loop
    over them took about a third of a fresh KPI page's time (bench/hub_profile.py)."""
    return Markup("".join(_row(tuple(row), tuple(map(type, row)), lang) for row in rows))


@lru_cache(maxsize=32768)
def _row(row: tuple[object, ...], types: tuple[type, ...], lang: str) -> str:
    """A floating value written as the pages write numbers (two decimals at most), none as a dash,
    the rest as text. `types` is part of the key: 1000 and 1000.0 are equal but written apart."""

    def cell(value: object) -> str:
        if value is None:
            return "–"
        if isinstance(value, float):
            return number(value, lang, 2)  # digits, signs and separators: nothing to escape
        if isinstance(value, int):
            return str(value)
        return escape(value)

    return "<tr>" + "".join(f"<td>{cell(v)}</td>" for v in row) + "</tr>\n"


def kpi_url(code: str, framework: str = "u4ssc") -> str:
    """The address of a KPI's public page (codes hold spaces and colons: 'EC: ICT: ICT: 1C')."""
    return f"/kpis/{quote(framework, safe='')}/{quote(code, safe='')}"


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    lang = language(request)
    context.setdefault("visitor", getattr(request.state, "visitor", None))
    ok = request.query_params.get("ok")
    body = environment(lang).get_template(template).render(request=request, ok=ok, **context)
    return HTMLResponse(body, status_code=status)


def translate(request: Request, text: str) -> str:
    return translations(language(request)).gettext(text)


class PageRoute(APIRoute):
    """Renders `PlatformError`s as an error page; an anonymous visitor is sent to sign in instead of a 401."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            return with_unread(request, await answered(request))

        async def answered(request: Request) -> Response:
            try:
                return await handler(request)
            except Unauthenticated:
                return Response(status_code=303, headers={"Location": f"/signin?next={request.url.path}"})
            except PlatformError as exc:
                visitor = getattr(request.state, "visitor", None)
                if exc.key in CLOSED and (visitor is None or visitor.who.is_public):
                    return page(request, "closed.html", status=exc.status, reason=CLOSED[exc.key], back=_here(request))
                return page(request, "error.html", status=exc.status, error=exc)

        return guarded


# Where base.html's navigation shows the unread count. Filled per request, after any page cache: a
# cached page is kept per visitor and data revision, and a notification from another city changes
# neither. Autoescaping turns a "<" in any text a user wrote into "&lt;", so no user text can hold it.
UNREAD_MARK = b"<!--unread-->"


def with_unread(request: Request, response: Response) -> Response:
    """The page with the visitor's unread count (counted by `session.current`) where base.html marks it."""
    body = getattr(response, "body", b"")
    if UNREAD_MARK not in body:
        return response
    count = getattr(request.state, "unread", 0)
    badge = ""
    if count:
        lang = language(request)
        shown = number(count, lang, 0) if count < notifications.UNREAD_CAP else f"{notifications.UNREAD_CAP - 1}+"
        words = translations(lang).ngettext("%(count)s unread", "%(count)s unread", count) % {"count": shown}
        badge = f' <span class="count" aria-hidden="true">{shown}</span><span class="sr-only"> ({words})</span>'
    response.body = body.replace(UNREAD_MARK, badge.encode(), 1)
    response.headers["content-length"] = str(len(response.body))
    return response


def _here(request: Request) -> str:
    """The address to come back to after signing in, query included (/cities/x?year=2024)."""
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


def place(city: City) -> str:
    """A city as pages name it: its name and its country ('London, Canada'), two Londons being two cities."""
    return f"{city.name}, {city.country}" if city.country else city.name
