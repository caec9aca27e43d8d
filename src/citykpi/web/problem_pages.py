"""Report a problem ("this value looks wrong"): the public form, the reporter's private page, and the
team's answer or dismissal from the work queue.

The form needs no account; its CSRF token is the sign-in form's double submit (`signin_csrf`), which
works before anyone has a session. After sending, the browser is sent to the report's private
address, which is the only way back to it: the page says to keep it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from citykpi.framework.names import names
from citykpi.http.deps import Db, Id, Reader
from citykpi.platform import cities, problem_reports
from citykpi.platform.catalogues import catalogue_of
from citykpi.platform.errors import Invalid, RateLimited
from citykpi.store.schema import City
from citykpi.web import problems, signin_csrf
from citykpi.web.i18n import language
from citykpi.web.render import PageRoute, page, translate
from citykpi.web.session import Current, check_csrf

router = APIRouter(route_class=PageRoute)
ECHO = 20_000  # a refused text is shown back up to this length, so that nothing typed is lost to a typo
PRIVATE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}


def _kpi_name(session: Reader, city: City, code: str, lang: str) -> str:
    periods = sorted(city.periods, key=lambda p: p.year)
    framework = periods[-1].framework if periods else cities.latest_framework(session)
    kpi = catalogue_of(framework).kpis.get(code)
    return f"{kpi.code} · {names(lang).of(kpi)}" if kpi else ""


def _year(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) == 4 else None


@router.get("/cities/{slug}/report-problem", response_class=HTMLResponse)
def report_form(
    request: Request, slug: str, current: Current, session: Reader, kpi: str = "", year: str = ""
) -> HTMLResponse:
    city = cities.get_city(session, slug)
    return _form(request, session, city, kpi[:40], _year(year[:4]), "", 200, None)


def _form(
    request: Request,
    session: Reader,
    city: City,
    kpi: str,
    year: int | None,
    message: str,
    status: int,
    problem: str | None,
) -> HTMLResponse:
    token = signin_csrf.token(request)
    shown = page(
        request,
        "report_problem.html",
        status,
        city=city,
        kpi=kpi,
        kpi_name=_kpi_name(session, city, kpi, language(request)) if kpi else "",
        year=year,
        message=message[:ECHO],
        problem=problem,
        csrf=token,
        limit=problem_reports.MAX_TEXT,
    )
    signin_csrf.attach(request, shown, token)
    return shown


@router.post("/cities/{slug}/report-problem", response_class=HTMLResponse)
def send_report(
    request: Request,
    slug: str,
    current: Current,
    db: Db,
    session: Reader,
    message: Annotated[str, Form()] = "",
    kpi: Annotated[str, Form()] = "",
    year: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    signin_csrf.check(request, csrf_token)
    city = cities.get_city(session, slug)
    kpi, chosen = kpi[:40], _year(year[:4])
    client = request.client.host if request.client else "unknown"
    try:
        with db.write() as writing:
            target = cities.get_city(writing, slug)
            token = problem_reports.submit(writing, current.who, target, message, client, kpi=kpi, year=chosen)
    except Invalid as exc:
        lang = language(request)
        said = "; ".join(problems.diagnostic_text(d, lang) for d in exc.report.errors) if exc.report else exc.message
        return _form(request, session, city, kpi, chosen, message, 422, said)
    except RateLimited as exc:
        wait = translate(request, "Too many reports were sent from here; try again in %(seconds)s s.")
        return _form(
            request, session, city, kpi, chosen, message, 429, wait % {"seconds": exc.params.get("seconds", "")}
        )
    return RedirectResponse(f"/problems/{token}?ok=reported", status_code=303, headers=PRIVATE)


@router.get("/problems/{token}", response_class=HTMLResponse)
def report_status(request: Request, token: str, current: Current, session: Reader) -> HTMLResponse:
    report = problem_reports.by_token(session, token)
    address = request.app.state.settings.public_address(request, "report_status", token=token)
    shown = page(request, "problem.html", report=report, address=address)
    shown.headers.update(PRIVATE)
    return shown


@router.post("/problem-reports/{report_id}/answer")
def answer(
    report_id: Id,
    current: Current,
    db: Db,
    answer: Annotated[str, Form()] = "",
    settle: Annotated[str, Form()] = problem_reports.ANSWERED,
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """`settle` is `answered` (the reporter reads the answer) or `dismissed` (the text is the reason)."""
    check_csrf(current, csrf_token)
    state = problem_reports.DISMISSED if settle == problem_reports.DISMISSED else problem_reports.ANSWERED
    with db.write() as session:
        problem_reports.settle(session, current.who, report_id, state, answer)
    return RedirectResponse("/queue?ok=report-settled", status_code=303)
