"""Verification: KPI reviews with their question threads, period transitions, certificate data."""

from __future__ import annotations

import tempfile
from enum import StrEnum
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from citykpi.api.routes.cities import period_detail
from citykpi.api.schemas import (
    CertificateOut,
    PeriodDetail,
    ReviewActionIn,
    ReviewDetail,
    ReviewOut,
    TransitionIn,
    error_answer,
)
from citykpi.http.callers import Caller, SignedIn
from citykpi.http.deps import Db, Id, Reader
from citykpi.http.security_headers import CSP, document_policy
from citykpi.platform import certificates, cities, reports, verification
from citykpi.platform.benchmarks import ReferenceSet as Reference
from citykpi.platform.roles import Action
from citykpi.store.schema import Review

router = APIRouter(tags=["verification"])


@router.get("/periods/{period_id}/reviews", response_model=list[ReviewOut])
def reviews(period_id: Id, who: SignedIn, session: Reader) -> list[Review]:
    period = cities.get_period(session, who, period_id)
    cities.require(who, Action.READ, period)
    return verification.reviews(session, period)


@router.get("/reviews/{review_id}", response_model=ReviewDetail)
def review(review_id: Id, who: SignedIn, session: Reader) -> Review:
    found, period = verification.get_review(session, who, review_id)
    cities.require(who, Action.READ, period)
    return found


@router.post("/reviews/{review_id}/actions", response_model=ReviewDetail)
def review_action(review_id: Id, body: ReviewActionIn, who: SignedIn, db: Db) -> ReviewDetail:
    """query / answer / accept / reject, with the review version you saw; each adds to the thread."""
    with db.write() as session:
        found, period = verification.get_review(session, who, review_id)
        cities.require(who, Action.READ, period)
        verification.act(session, who, found, period, body.action, body.version, body.message)
        session.refresh(found)
        return ReviewDetail.model_validate(found)


@router.post("/periods/{period_id}/transitions", response_model=PeriodDetail)
def transition(period_id: Id, body: TransitionIn, who: SignedIn, db: Db, request: Request) -> PeriodDetail:
    """Move a period: submitted (city), under_verification and verified (verifier), published (hub/admin)."""
    with db.write() as session:
        period = cities.get_period(session, who, period_id)
        verification.transition(session, who, period, body.to, body.version, body.reason)
    with db.read() as session:
        return period_detail(session, who, period_id, request)


class ReportKind(StrEnum):
    SNAPSHOT = "snapshot"
    VERIFICATION = "verification"


class Lang(StrEnum):
    EN = "en"
    FR = "fr"


@router.get(
    "/periods/{period_id}/reports/{kind}",
    response_class=Response,  # errors answer JSON; the document's types are declared here
    responses={200: {"content": {"text/html": {}, "application/pdf": {}}, "description": "The report"}},
)
def report(
    period_id: Id,
    kind: ReportKind,
    who: Caller,
    session: Reader,
    lang: Lang = Lang.EN,
    pdf: bool = False,
    reference: Reference = Reference.NONE,
    min_cities: Annotated[int, Query(ge=1, le=10_000)] = 10,
) -> Response:
    """City Snapshot or Verification Report of the period (HTML, or PDF with ?pdf=true).

    `reference=hub|all` adds leading-city targets from the published cities of the period's hub or of
    the whole platform (latest published year each, at least `min_cities` cities per data point).
    """
    period = cities.get_period(session, who, period_id)
    page = reports.city_report_html(session, who, period, kind.value, lang.value, reference.value, min_cities)
    return _pdf(page, f"{period.city.slug}-{period.year}-{kind.value}.pdf") if pdf else _document(page)


def _document(page: str) -> HTMLResponse:
    """A report or certificate as one HTML file: its inline CSS and script allowed by hash, nothing else."""
    return HTMLResponse(page, headers={CSP: document_policy(page)})


def _pdf(page: str, name: str) -> Response:
    from citykpi.report.render import pdf as write_pdf

    with tempfile.TemporaryDirectory(prefix="citykpi-report-") as tmp:
        out = Path(tmp) / name
        write_pdf(page, out)
        content = out.read_bytes()
    headers = {"Content-Disposition": f'attachment; filename="{out.name}"'}
    return Response(content, media_type="application/pdf", headers=headers)


class CertificateFormat(StrEnum):
    JSON = "json"
    HTML = "html"
    PDF = "pdf"


@router.get(
    "/periods/{period_id}/certificate",
    response_model=CertificateOut,
    responses={
        200: {"content": {"text/html": {}, "application/pdf": {}}},
        409: error_answer("html or pdf asked while no certificate is issued; the body lists the missing KPIs"),
    },
)
def certificate(
    period_id: Id,
    who: Caller,
    session: Reader,
    request: Request,
    format: CertificateFormat = CertificateFormat.JSON,
    lang: Lang = Lang.EN,
) -> CertificateOut | Response:
    """Whether the period earns the certificate of completion under the configured rule, and why not;
    with ?format=html or pdf the certificate document itself, only once it is issued (409 before)."""
    period = cities.get_period(session, who, period_id)
    rule = request.app.state.settings.certificate_rule
    if format is not CertificateFormat.JSON:
        from citykpi.report.certificate import certificate_html

        check_url = request.app.state.settings.public_address(request, "certificate", period_id=period.id)
        page = certificate_html(certificates.facts(session, period, rule, check_url), lang.value)
        name = f"{period.city.slug}-{period.year}-certificate.pdf"
        return _pdf(page, name) if format is CertificateFormat.PDF else _document(page)
    standing = verification.standing(session, period, rule)
    return CertificateOut(
        city=period.city.name,
        year=period.year,
        period_status=period.status,
        issued=certificates.issued(period, standing.certificate),
        reference=certificates.issued_reference(session, period, rule, standing),
        decision=standing.certificate,
        completion=standing.completion,
    )
