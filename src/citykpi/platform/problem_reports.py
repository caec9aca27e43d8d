"""Problem reports ("this value looks wrong") from anyone, answered or dismissed by the city's team.

A report needs no account. It is rate-limited per client (kept in the database, so the limit holds
across server processes and restarts), audited as `report-problem` (which notifies the city's
editors and verifiers, see store/data/notifications.yaml) and listed in their work queue. The
reporter gets a private link with an unguessable token to read the answer; only its SHA-256 and
that of the client's address are stored.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from citykpi.model.diagnostics import error
from citykpi.platform import cities
from citykpi.platform.catalogues import catalogue_of
from citykpi.platform.errors import Conflict, Forbidden, Invalid, NotFound, RateLimited
from citykpi.platform.roles import Action, Principal, can
from citykpi.platform.texts import check_texts
from citykpi.store import audit
from citykpi.store.schema import City, Framework, Period, ProblemReport, utcnow

MAX_TEXT = 4000
WINDOW = timedelta(hours=1)
PER_CLIENT = 5  # reports per client and WINDOW
OPEN, ANSWERED, DISMISSED = "open", "answered", "dismissed"


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _text(field: str, text: str) -> str:
    check_texts({field: text}, multiline={field})
    text = text.strip()
    if not text:
        raise Invalid.of([error("invalid-report", f"the {field} is empty", field=field)], "nothing to send")
    if len(text) > MAX_TEXT:
        message = f"the {field} has {len(text)} characters; at most {MAX_TEXT} are kept"
        raise Invalid.of([error("invalid-report", message, field=field)], "too long")
    return text


def submit(
    session: Session, who: Principal, city: City, body: str, client: str, *, kpi: str = "", year: int | None = None
) -> str:
    """Stores a report and answers the token of its private link (shown once to the reporter)."""
    body = _text("message", body)
    check_texts({"kpi": kpi})
    period = None
    if year is not None:
        period = session.scalar(select(Period).where(Period.city_id == city.id, Period.year == year))
    if kpi and kpi not in catalogue_of(_framework(session, city, period)).kpis:
        raise Invalid.of([error("invalid-report", f"no KPI {kpi[:40]!r}", field="kpi")], "unknown KPI")
    client_hash = _hash(client)
    wait = _wait(session, client_hash, utcnow())
    if wait is not None:
        seconds = max(1, int(wait.total_seconds()))
        raise RateLimited.said(
            "problem-reports", "too many reports from here; try again in {seconds} s", seconds=seconds
        )
    token = secrets.token_urlsafe(24)
    report = ProblemReport(
        token_hash=_hash(token),
        city_id=city.id,
        period_id=period.id if period else None,
        kpi=kpi,
        body=body,
        client_hash=client_hash,
    )
    session.add(report)
    session.flush()
    new = {"city_id": city.id, "kpi": kpi, "year": year}
    # Shown on no cached page (the queue and the private link are built for each request).
    audit.record(
        session, who.username, "report-problem", "problem-report", report.id, new=new, reason=body, shown=False
    )
    return token


def _framework(session: Session, city: City, period: Period | None) -> Framework:
    """The framework whose KPIs a report may name: its year's, else the city's latest year's, else the newest."""
    if period is not None:
        return period.framework
    latest = session.scalars(select(Period).where(Period.city_id == city.id).order_by(Period.year.desc())).first()
    return latest.framework if latest else cities.latest_framework(session)


def _wait(session: Session, client_hash: str, now: datetime) -> timedelta | None:
    recent = select(func.count(), func.min(ProblemReport.created_at)).where(
        ProblemReport.client_hash == client_hash, ProblemReport.created_at > now - WINDOW
    )
    count, oldest = session.execute(recent).one()
    if count < PER_CLIENT or oldest is None:
        return None
    return oldest + WINDOW - now


def by_token(session: Session, token: str) -> ProblemReport:
    found = (
        session.scalar(
            select(ProblemReport)
            .where(ProblemReport.token_hash == _hash(token))
            .options(joinedload(ProblemReport.city))
        )
        if 16 <= len(token) <= 64
        else None
    )
    if found is None:
        raise NotFound.said("problem-report", "no problem report at this address; check the link")
    return found


def _team(who: Principal, city: City) -> bool:
    return can(who, Action.EDIT, city.id, city.hub) or can(who, Action.VERIFY, city.id, city.hub)


def waiting_for(session: Session, who: Principal) -> list[ProblemReport]:
    """The open reports on the cities whose values `who` edits or verifies, oldest first."""
    if who.is_public:
        return []
    rows = session.scalars(
        select(ProblemReport)
        .where(ProblemReport.state == OPEN)
        .options(joinedload(ProblemReport.city))
        .order_by(ProblemReport.id)
    ).all()
    return [r for r in rows if _team(who, r.city)]


def settle(session: Session, who: Principal, report_id: int, state: str, text: str) -> ProblemReport:
    """Answers (the reporter reads `text` at their link) or dismisses (with `text` as the reason) an open report."""
    report = session.get(ProblemReport, report_id)
    if report is None:
        raise NotFound.said("problem-report-id", "no problem report {id}", id=report_id)
    if not _team(who, report.city):
        template = "{role} {user!r} may not answer reports on {city}"
        raise Forbidden.said(
            "may-not-answer-report", template, role=who.role.value, user=who.username, city=report.city.name
        )
    if report.state != OPEN:
        raise Conflict.said(
            "report-settled", "the report was already {state} by {user}", state=report.state, user=report.answered_by
        )
    text = _text("answer", text) if state == ANSWERED else text.strip()[:MAX_TEXT]
    check_texts({"answer": text}, multiline={"answer"})
    report.state, report.answer, report.answered_by, report.answered_at = state, text, who.username, utcnow()
    action = "answer-problem" if state == ANSWERED else "dismiss-problem"
    new = {"state": state, "city_id": report.city_id}
    audit.record(
        session,
        who.username,
        action,
        "problem-report",
        report.id,
        old={"state": OPEN},
        new=new,
        reason=text,
        shown=False,
    )
    return report
