"""A period's workspace: its values and kept warnings, the workbook's download and upload, transitions.

Data entry (the form of one value, the list of every KPI) is `entry_pages`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from citykpi.http.deps import Db, Id, Reader
from citykpi.model.diagnostics import ValidationReport
from citykpi.platform import certificates, cities, reports, uploads, values, verification, warnings
from citykpi.platform.catalogues import catalogue_of
from citykpi.platform.errors import Invalid
from citykpi.platform.roles import Action, Principal, can
from citykpi.platform.workflow import PERIOD_STEPS, PeriodState, ReviewState, value_editable
from citykpi.store.schema import Entry, Period, Review
from citykpi.web import upload_view
from citykpi.web.i18n import language
from citykpi.web.problems import diagnostic_text, error_text
from citykpi.web.render import PageRoute, page
from citykpi.web.session import Current, Visitor, check_csrf
from citykpi.web.upload_view import UploadAnswer

router = APIRouter(route_class=PageRoute)
Text = Annotated[str, Form(max_length=4000)]


@dataclass(frozen=True)
class StepWords:
    button: str
    confirm: str  # asked in a dialog before the step is taken: no step of a period can be undone


STEP_WORDS = {
    PeriodState.SUBMITTED: StepWords(
        "Submit for verification",
        "Submit this year for verification? Screening runs now; afterwards values can be changed only on KPIs "
        "the verifier queries.",
    ),
    PeriodState.UNDER_VERIFICATION: StepWords(
        "Start verification",
        "Start the verification of this year? Its KPIs can then be accepted, queried or rejected.",
    ),
    PeriodState.VERIFIED: StepWords(
        "Mark as verified", "Mark this year as verified? Every KPI has been decided; this cannot be undone."
    ),
    PeriodState.PUBLISHED: StepWords(
        "Publish", "Publish this year? The public will see its values and reports; this cannot be undone."
    ),
}


def next_steps(who: Principal, period: Period) -> list[PeriodState]:
    """The transitions this visitor may offer now (the service re-checks everything on submit)."""
    return [
        target
        for target, step in PERIOD_STEPS.items()
        if period.status in step.sources and can(who, step.needs, period.city_id, period.city.hub)
    ]


@dataclass(frozen=True)
class Refused:
    """An explanation the service refused: shown again in its form, with the messages at the field."""

    warning_id: int
    typed: str
    messages: list[str]


def _workspace(
    request: Request,
    session: Session,
    current: Visitor,
    period_id: int,
    upload: UploadAnswer | None = None,
    refused: Refused | None = None,
) -> HTMLResponse:
    period = cities.get_period(session, current.who, period_id)
    cities.require(current.who, Action.READ, period)
    standing = verification.standing(session, period, request.app.state.settings.certificate_rule)
    states = {r.kpi: r for r in verification.reviews(session, period)}
    rows = values.entries(session, period)
    editable = can(current.who, Action.EDIT, period.city_id, period.city.hub)
    kept = warnings.period_warnings(session, period)
    return page(
        request,
        "period.html",
        status=422 if refused is not None or (upload is not None and upload.outcome is None) else 200,
        period=period,
        kpis=catalogue_of(period.framework).kpis,
        entries=rows,
        reviews=states,
        standing=standing,
        certificate_issued=certificates.issued(period, standing.certificate),
        may_edit={r.id: editable and _editable(period, states.get(r.kpi)) for r in rows},
        may_upload=editable and period.status == PeriodState.DRAFT,
        may_enter=editable and any(value_editable(period.status, s) for s in (None, ReviewState.QUERIED)),
        kept_warnings=kept,
        warned=Counter(w.kpi for w in kept if w.kpi),
        may_explain={w.id: editable and _editable(period, states.get(w.kpi or "")) for w in kept},
        edited_since={w.id: _edited_since(w, rows) for w in kept},
        steps=next_steps(current.who, period),
        upload=upload,
        step_words=STEP_WORDS,
        refused=refused,
    )


def _edited_since(warning: warnings.WarningRecord, rows: Sequence[Entry]) -> bool:
    """A value of the warning's KPI was edited after the file that gave it: the checks have not seen it."""
    return any(
        e.kpi == warning.kpi and e.changed_through == values.THROUGH_EDIT and e.updated_at > warning.kept_at
        for e in rows
    )


def _editable(period: Period, review: Review | None) -> bool:
    return value_editable(period.status, review.state if review else None)


@router.get("/periods/{period_id}", response_class=HTMLResponse)
def workspace(request: Request, period_id: Id, current: Current, session: Reader) -> HTMLResponse:
    return _workspace(request, session, current, period_id)


@router.post("/periods/{period_id}/upload", response_class=HTMLResponse)
def upload(
    request: Request,
    period_id: Id,
    file: UploadFile,
    current: Current,
    db: Db,
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(current, csrf_token)
    limit = request.app.state.settings.max_upload_bytes
    seconds = request.app.state.settings.upload_seconds
    content = file.file.read(limit + 1)
    name = uploads.base_name(file.filename or "upload")
    outcome = None
    try:
        outcome = uploads.import_upload(db, current.who, period_id, name, content, limit, seconds)
        report = outcome.report
    except Invalid as exc:
        report = exc.report or ValidationReport.from_diagnostics([])
    marked = uploads.annotated(name, content, report, seconds) if len(content) <= limit else None
    answer = upload_view.answer(name, report, outcome, marked)
    with db.read() as fresh:  # the request's own read session may predate the import's commit (SQLite WAL)
        return _workspace(request, fresh, current, period_id, answer)


@router.get("/periods/{period_id}/workbook")
def workbook(period_id: Id, current: Current, session: Reader) -> Response:
    """The city's own collection workbook filled with what is stored, to fill in and upload back."""
    period = cities.get_period(session, current.who, period_id)
    cities.require(current.who, Action.READ, period)
    name, content = reports.workbook(session, period)
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(content, media_type=upload_view.XLSX, headers=headers)


@router.post("/periods/{period_id}/warnings/{warning_id}/explain")
def explain_warning(
    request: Request,
    period_id: Id,
    warning_id: Id,
    current: Current,
    db: Db,
    version: Annotated[int, Form()],
    explanation: Text = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(current, csrf_token)
    try:
        with db.write() as session:
            period = cities.get_period(session, current.who, period_id)
            warnings.explain(session, current.who, period, warning_id, explanation, version)
    except Invalid as exc:  # shown at the explanation's own field, with what was typed
        said = [diagnostic_text(d, language(request)) for d in exc.report.errors] if exc.report else []
        refused = Refused(warning_id, explanation, said or [error_text(exc, language(request))])
        with db.read() as fresh:
            return _workspace(request, fresh, current, period_id, refused=refused)
    return RedirectResponse(f"/periods/{period_id}?ok=explained#warning-{warning_id}", status_code=303)


@router.post("/periods/{period_id}/transition")
def transition(
    period_id: Id,
    current: Current,
    db: Db,
    target: Annotated[PeriodState, Form()],
    version: Annotated[int, Form()],
    csrf_token: Annotated[str, Form()] = "",
    reason: Text = "",
) -> Response:
    check_csrf(current, csrf_token)
    with db.write() as session:
        period = cities.get_period(session, current.who, period_id)
        verification.transition(session, current.who, period, target, version, reason)
    return RedirectResponse(f"/periods/{period_id}?ok=moved", status_code=303)
