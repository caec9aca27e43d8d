"""The certificate of completion of a period: whether it is issued, and the facts its document states.

A certificate is issued only when the period is eligible under the configured rule *and* verified
or published: the rule alone would let a draft whose KPIs happen to be complete look certified.
Everything the document says comes from the records (review threads for who decided, the audit
log for when the period was declared verified), and its reference digests the certified state, so
the same period shows the same reference until its values or decisions change.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from citykpi.model.completion import CertificateDecision, CertificateRule
from citykpi.model.diagnostics import Diagnostic, Location, ValidationReport, said
from citykpi.platform.errors import Conflict
from citykpi.platform.standing import Standing, standing
from citykpi.platform.workflow import OLD_PERIOD_AUDIT, PERIOD_STEPS, PeriodState, ReviewAction, ReviewState
from citykpi.store.schema import Audit, Message, Period, Result, Review, User

if TYPE_CHECKING:
    from citykpi.report.certificate import CertificateFacts

ISSUING_STATES = frozenset({PeriodState.VERIFIED.value, PeriodState.PUBLISHED.value})
DECISIONS = (ReviewAction.ACCEPT.value, ReviewAction.REJECT.value)
VERIFIED_AUDIT = (PERIOD_STEPS[PeriodState.VERIFIED].audit, OLD_PERIOD_AUDIT)


def issued(period: Period, decision: CertificateDecision) -> bool:
    return decision.eligible and period.status in ISSUING_STATES


@dataclass(frozen=True)
class Decided:
    """Who decided on the KPIs, and who declared the period verified and when (None if never)."""

    verifiers: list[str]
    verified_by: str
    verified_at: datetime | None


def decided(session: Session, period: Period) -> Decided:
    authors = session.scalars(
        select(Message.author)
        .join(Review, Review.id == Message.review_id)
        .where(Review.period_id == period.id, Message.action.in_(DECISIONS))
        .distinct()
    ).all()
    transitions = session.scalars(
        select(Audit)
        .where(Audit.entity == "period", Audit.entity_id == period.id, Audit.action.in_(VERIFIED_AUDIT))
        .order_by(Audit.id)
    ).all()
    verified = [a for a in transitions if (a.new or {}).get("status") == PeriodState.VERIFIED.value]
    last = verified[-1] if verified else None
    names = display_names(session, {*authors, *([last.actor] if last else [])})
    return Decided(
        verifiers=sorted(names[a] for a in authors),
        verified_by=names[last.actor] if last else "",
        verified_at=utc(last.at) if last else None,
    )


def display_names(session: Session, usernames: set[str]) -> dict[str, str]:
    """A user's display name where the account has one; loaders and deleted accounts keep their user name."""
    found = dict(session.execute(select(User.username, User.display_name).where(User.username.in_(usernames))).all())
    return {name: found.get(name) or name for name in usernames}


def utc(moment: datetime) -> datetime:
    # SQLite hands timestamps back without their zone; the store writes them in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def reference(session: Session, period: Period, rule: CertificateRule, by: Decided) -> str:
    """Period id and 48 bits of a SHA-256 over what the document states: city, framework, values,
    decisions, rule and verification record."""
    results = session.execute(
        select(Result.code, Result.data_point, Result.status, Result.value, Result.value_text).where(
            Result.period_id == period.id
        )
    ).all()
    reviews = session.execute(select(Review.kpi, Review.state).where(Review.period_id == period.id)).all()
    state = {
        "period": period.id,
        "city": [period.city.slug, period.city.name, period.city.country],
        "year": period.year,
        "framework": [period.framework.key, period.framework.version, period.framework.name],
        "rule": rule.model_dump(mode="json"),
        "results": sorted([list(r) for r in results], key=lambda r: (r[0], r[1])),
        "reviews": sorted([list(r) for r in reviews]),
        "verified": [by.verified_by, by.verified_at.isoformat() if by.verified_at else None],
    }
    digest = hashlib.sha256(json.dumps(state, sort_keys=True, separators=(",", ":")).encode()).hexdigest().upper()
    return f"{period.id}-{digest[:4]}-{digest[4:8]}-{digest[8:12]}"


def issued_reference(session: Session, period: Period, rule: CertificateRule, found: Standing) -> str | None:
    """The reference a printed certificate of the period shows, or None while none is issued."""
    if not issued(period, found.certificate):
        return None
    by = decided(session, period)
    return reference(session, period, rule, by) if by.verified_at is not None else None


def facts(session: Session, period: Period, rule: CertificateRule, check_url: str = "") -> CertificateFacts:
    """What the certificate states; `Conflict` with the missing KPIs when the period has none."""
    from citykpi.report.certificate import CertificateFacts

    found = standing(session, period, rule)
    by = decided(session, period)
    if not issued(period, found.certificate) or by.verified_at is None:
        raise _refusal(session, period, found.certificate)
    framework = period.framework
    return CertificateFacts(
        city=period.city.name,
        country=period.city.country,
        year=period.year,
        framework=framework.name,
        framework_version=framework.version,
        decision=found.certificate,
        completion=found.completion,
        verifiers=by.verifiers,
        verified_by=by.verified_by,
        verified_at=by.verified_at,
        reference=reference(session, period, rule, by),
        check_url=check_url,
    )


def _refusal(session: Session, period: Period, decision: CertificateDecision) -> Conflict:
    reasons = []
    if period.status not in ISSUING_STATES:
        reasons.append(f"the period is {period.status}; a certificate is issued once it is verified or published")
    if not decision.eligible:
        reasons.append(
            f"{decision.complete} of {decision.considered} KPIs ({', '.join(decision.rule.levels)}) meet the"
            f" certificate rule, {len(decision.missing)} do not"
        )
    if not reasons:
        reasons.append("the audit log has no record of the period being declared verified")
    message = f"no certificate of completion for {period.city.name} {period.year}: " + "; ".join(reasons)
    return Conflict(message, ValidationReport.from_diagnostics(_missing(session, period, decision)))


def _missing(session: Session, period: Period, decision: CertificateDecision) -> list[Diagnostic]:
    states = dict(session.execute(select(Review.kpi, Review.state).where(Review.period_id == period.id)).all())
    out = []
    for code in decision.missing:
        state = states.get(code, ReviewState.DRAFT.value)
        if decision.rule.require_verified and state != ReviewState.ACCEPTED.value:
            variant, template = "not-accepted", "{kpi} is not complete: not accepted by a verifier (review {state})"
        else:
            variant = "not-counted"
            template = "{kpi} is not complete: no value the rule counts (reported, or justified not applicable)"
        params = {"kpi": code, "state": state}
        out.append(said("certificate-missing-kpi", template, params, variant=variant, location=Location(kpi=code)))
    return out
