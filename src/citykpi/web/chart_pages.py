"""Chart addresses: the spec a page's chart draws, and the chart alone for other sites to embed.

`/charts/{kind}.json` answers for the visitor (a signed-in team sees its drafts). `/embed/{kind}`
and its spec `/embed/{kind}.json` read as the public whatever cookies the browser sends, set none,
and are the only pages another site may frame (`EMBED_POLICY`); everything else keeps
`frame-ancestors 'none'`.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy.orm import Session

from citykpi.http.cache import Memo
from citykpi.http.deps import read_in_thread
from citykpi.http.security_headers import CSP, EMBED_POLICY
from citykpi.platform.roles import PUBLIC, Principal
from citykpi.web.charts import Asked, Chart, build
from citykpi.web.i18n import language
from citykpi.web.render import PageRoute, page
from citykpi.web.session import Visitor, current, seen_by
from citykpi.web.views import site_stamp

router = APIRouter(route_class=PageRoute)
JSON = "application/json"


def chart_for(request: Request, session: Session, kind: str, who: Principal, **params: str) -> Chart:
    """The chart of `kind` with `params`, or the request's own query when none are given."""
    return build(kind, Asked(session, who, params or dict(request.query_params), language(request)))


def _spec(request: Request, session: Session, kind: str, who: Principal) -> bytes:
    """The spec's JSON, kept per chart address, language, reader and data revision."""
    key = ("spec", kind, str(request.query_params), language(request), *seen_by(Visitor(who)), *site_stamp(session))
    pages: Memo[bytes] = request.app.state.pages
    return pages.get(key, lambda: bytes(JSONResponse(chart_for(request, session, kind, who).spec).body))


@router.get("/charts/{kind}.json")
async def chart_spec(request: Request, kind: str) -> Response:
    def answer(session: Session) -> Response:
        return Response(_spec(request, session, kind, current(request, session).who), media_type=JSON)

    return await read_in_thread(request, answer)


@router.get("/embed/{kind}.json")
async def embed_spec(request: Request, kind: str) -> Response:
    def answer(session: Session) -> Response:
        body = _spec(request, session, kind, PUBLIC)
        return Response(body, media_type=JSON, headers={"Cache-Control": "public, max-age=60"})

    return await read_in_thread(request, answer)


@router.get("/embed/{kind}", response_class=HTMLResponse)
async def embed(request: Request, kind: str) -> HTMLResponse:
    def answer(session: Session) -> HTMLResponse:
        chart = chart_for(request, session, kind, PUBLIC)
        found = page(request, "embed.html", chart=chart, visitor=None)
        found.headers[CSP] = EMBED_POLICY
        return found

    return await read_in_thread(request, answer)
