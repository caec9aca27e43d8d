"""Verification: KPI reviews with their question threads, period transitions, certificate data."""

from __future__ import annotations

import tempfile
from enum import StrEnum
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from citykpi.api.deps import Caller, Db, Id, Reader, SignedIn
from citykpi.api.routes.cities import period_detail
from citykpi.api.schemas import CertificateOut, PeriodDetail, ReviewActionIn, ReviewDetail, ReviewOut, TransitionIn
from citykpi.platform import cities, reports, verification
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


@router.post("/reviews/{review_id}/actions", response_model=ReviewDetail, responses={409: {}})
def review_action(review_id: Id, body: ReviewActionIn, who: SignedIn, db: Db) -> ReviewDetail:
    """query / answer / accept / reject, with the review version you saw; each adds to the thread."""
    with db.write() as session:
        found, period = verification.get_review(session, who, review_id)
        cities.require(who, Action.READ, period)
        verification.act(session, who, found, period, body.action, body.version, body.message)
        session.refresh(found)
        return ReviewDetail.model_validate(found)


@router.post("/periods/{period_id}/transitions", response_model=PeriodDetail, responses={409: {}})
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


@router.get("/periods/{period_id}/reports/{kind}", response_class=HTMLResponse)
def report(
    period_id: Id, kind: ReportKind, who: Caller, session: Reader, lang: Lang = Lang.EN, pdf: bool = False
) -> Response:
    """City Snapshot or Verification Report of the period (HTML, or PDF with ?pdf=true)."""
    period = cities.get_period(session, who, period_id)
    page = reports.city_report_html(session, who, period, kind.value, lang.value)
    if not pdf:
        return HTMLResponse(page)
    from citykpi.report.render import pdf as write_pdf

    with tempfile.TemporaryDirectory(prefix="citykpi-report-") as tmp:
        out = Path(tmp) / f"{period.city.slug}-{period.year}-{kind.value}.pdf"
        write_pdf(page, out)
        content = out.read_bytes()
    headers = {"Content-Disposition": f'attachment; filename="{out.name}"'}
    return Response(content, media_type="application/pdf", headers=headers)


@router.get("/periods/{period_id}/certificate", response_model=CertificateOut)
def certificate(period_id: Id, who: Caller, session: Reader, request: Request) -> CertificateOut:
    """Whether the period earns the certificate of completion under the configured rule, and why not."""
    period = cities.get_period(session, who, period_id)
    standing = verification.standing(session, period, request.app.state.settings.certificate_rule)
    return CertificateOut(
        city=period.city.name,
        year=period.year,
        period_status=period.status,
        issued=standing.certificate.eligible and period.status in ("verified", "published"),
        decision=standing.certificate,
        completion=standing.completion,
    )
