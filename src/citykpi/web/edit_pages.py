"""A period's workspace: its values, the data-entry form, workbook upload and the period's transitions.

The form goes through `platform.values.set_value`, which validates with the importer's own parser,
so a value typed here gets exactly the message the same value gets in a workbook.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from citykpi.http.deps import Db, Id, Reader
from citykpi.model.diagnostics import ValidationReport
from citykpi.model.submission import DataQuality, Status
from citykpi.platform import certificates, cities, uploads, values, verification
from citykpi.platform.catalogues import catalogue_of
from citykpi.platform.errors import Conflict, Invalid
from citykpi.platform.roles import Action, Principal, can
from citykpi.platform.workflow import PERIOD_STEPS, PeriodState, value_editable
from citykpi.store.schema import Entry, Period, Review
from citykpi.web.i18n import language
from citykpi.web.problems import diagnostic_text, error_text
from citykpi.web.render import PageRoute, page
from citykpi.web.session import Current, Visitor, check_csrf

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


def _workspace(
    request: Request, session: Session, current: Visitor, period_id: int, report: ValidationReport | None = None
) -> HTMLResponse:
    period = cities.get_period(session, current.who, period_id)
    cities.require(current.who, Action.READ, period)
    standing = verification.standing(session, period, request.app.state.settings.certificate_rule)
    states = {r.kpi: r for r in verification.reviews(session, period)}
    rows = values.entries(session, period)
    editable = can(current.who, Action.EDIT, period.city_id, period.city.hub)
    return page(
        request,
        "period.html",
        status=422 if report is not None and not report.valid else 200,
        period=period,
        kpis=catalogue_of(period.framework).kpis,
        entries=rows,
        reviews=states,
        standing=standing,
        certificate_issued=certificates.issued(period, standing.certificate),
        may_edit={r.id: editable and _editable(period, states.get(r.kpi)) for r in rows},
        may_upload=editable and period.status == PeriodState.DRAFT,
        steps=next_steps(current.who, period),
        step_words=STEP_WORDS,
        report=report,
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
    session: Reader,
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(current, csrf_token)
    limit = request.app.state.settings.max_upload_bytes
    content = file.file.read(limit + 1)
    try:
        seconds = request.app.state.settings.upload_seconds
        outcome = uploads.import_upload(db, current.who, period_id, file.filename or "upload", content, limit, seconds)
    except Invalid as exc:
        return _workspace(request, session, current, period_id, exc.report)
    if outcome.report.warnings:  # imported; the page lists the warnings `citykpi validate` gives for the file
        return _workspace(request, session, current, period_id, outcome.report)
    return RedirectResponse(f"/periods/{period_id}?ok=imported", status_code=303)


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


def _entry_form(
    request: Request,
    session: Session,
    current: Visitor,
    entry_id: int,
    typed: dict[str, str] | None = None,
    problems: ValidationReport | None = None,
    conflict: Conflict | None = None,
) -> HTMLResponse:
    row, period = values.get_entry(session, current.who, entry_id)
    cities.require(current.who, Action.EDIT, period)
    kpi = catalogue_of(period.framework).kpis[row.kpi]
    shown = typed or _as_form(row)
    lang = language(request)
    by_field: dict[str, list[str]] = {}
    for d in problems.errors if problems else []:
        by_field.setdefault(d.location.field if d.location.field in shown else "", []).append(diagnostic_text(d, lang))
    return page(
        request,
        "entry.html",
        status=409 if conflict else 422 if problems else 200,
        entry=row,
        period=period,
        kpi=kpi,
        form=shown,
        errors=by_field,
        conflict=error_text(conflict, lang) if conflict else None,
        statuses=[s.value for s in Status if s is not Status.NOT_REPORTED] + [Status.NOT_REPORTED.value],
        qualities=list(DataQuality),
    )


@router.post("/values/{entry_id}/check")
def check_entry(
    request: Request,
    entry_id: Id,
    current: Current,
    session: Reader,
    value: Text = "",
    status: Text = "",
    quality: Text = "",
    csrf_token: Annotated[str, Form()] = "",
) -> JSONResponse:
    """Inline validation while typing: the importer's messages per field, nothing saved."""
    check_csrf(current, csrf_token)
    row, period = values.get_entry(session, current.who, entry_id)
    cities.require(current.who, Action.EDIT, period)
    edit = values.EntryEdit(
        kpi=row.kpi,
        kind=row.kind,
        name=row.name,
        value=value.strip() or None,
        status=status or None,
        quality=quality or None,
    )
    try:
        values.parse_edit(edit, catalogue_of(period.framework))
    except Invalid as exc:
        found: dict[str, list[str]] = {}
        lang = language(request)
        for d in exc.report.errors if exc.report else []:
            found.setdefault(d.location.field or "value", []).append(diagnostic_text(d, lang))
        return JSONResponse(found)
    return JSONResponse({})


def _as_form(row: Entry) -> dict[str, str]:
    value = values.row_snapshot(row)["value"]
    return {
        "value": "" if value is None else str(value),
        "status": row.status,
        "quality": "" if row.quality is None else str(row.quality),
        "source": row.source,
        "origin": row.origin,
        "notes": row.notes,
        "reason": "",
        "version": str(row.version),
    }


@router.get("/values/{entry_id}/edit", response_class=HTMLResponse)
def entry_form(request: Request, entry_id: Id, current: Current, session: Reader) -> HTMLResponse:
    return _entry_form(request, session, current, entry_id)


@router.post("/values/{entry_id}/edit", response_class=HTMLResponse)
def save_entry(
    request: Request,
    entry_id: Id,
    current: Current,
    db: Db,
    session: Reader,
    version: Annotated[int, Form()],
    value: Text = "",
    status: Text = "",
    quality: Text = "",
    source: Text = "",
    origin: Text = "",
    notes: Text = "",
    reason: Text = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(current, csrf_token)
    typed = {"value": value, "status": status, "quality": quality, "source": source, "origin": origin}
    typed |= {"notes": notes, "reason": reason, "version": str(version)}
    try:
        with db.write() as writing:
            row, period = values.get_entry(writing, current.who, entry_id)
            edit = values.EntryEdit(
                kpi=row.kpi,
                kind=row.kind,
                name=row.name,
                value=value.strip() or None,
                status=status or None,
                quality=quality or None,
                source=source,
                origin=origin,
                notes=notes,
            )
            values.set_value(writing, current.who, period, edit, version, reason)
            period_id = period.id
    except Invalid as exc:
        return _entry_form(request, session, current, entry_id, typed, exc.report)
    except Conflict as exc:
        return _entry_form(request, session, current, entry_id, typed, conflict=exc)
    return RedirectResponse(f"/periods/{period_id}?ok=saved#kpi-{row.kpi}", status_code=303)
