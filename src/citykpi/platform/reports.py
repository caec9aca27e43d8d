"""Reports of a period from the workflow's state, rendered by `citykpi.report`.

The report package works on `Assessment`s; the platform rebuilds them from the stored results of the
city's periods up to the requested one (so progress uses the history), and marks each result
verified YES/NO from the KPI's review (accepted / rejected), which is what the Verification Report
counts. Periods the caller may not see are left out of the history. The Verification Report made
here also carries the verification record (`verification_record`): the verifiers, who declared the
period verified and when, and every KPI's query thread with its dates and authors.
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from citykpi.model.assessment import Assessment, KpiResult
from citykpi.model.submission import CityProfile, Submission
from citykpi.platform import scores
from citykpi.platform.catalogues import catalogue_of
from citykpi.platform.certificates import decided, display_names, utc
from citykpi.platform.cities import list_periods
from citykpi.platform.roles import Principal
from citykpi.platform.values import submission_of
from citykpi.platform.workflow import ReviewState
from citykpi.report.record import Post, Thread, VerificationRecord
from citykpi.store.schema import Period, Result, Review

VERDICT = {ReviewState.ACCEPTED.value: True, ReviewState.REJECTED.value: False}


def verdicts(session: Session, period: Period) -> dict[str, bool]:
    """KPI code -> verified YES (accepted) or NO (rejected); KPIs not decided yet are absent."""
    states = session.execute(select(Review.kpi, Review.state).where(Review.period_id == period.id)).all()
    return {kpi: VERDICT[state] for kpi, state in states if state in VERDICT}


def verified_submission(session: Session, period: Period) -> Submission:
    """The stored submission, each entry with the verifier's YES/NO of its KPI (a workbook's Verified column)."""
    verified = verdicts(session, period)
    stored = submission_of(session, period)
    entries = [e.model_copy(update={"verified": verified.get(e.kpi)}) for e in stored.entries]
    return stored.model_copy(update={"entries": entries})


def workbook(session: Session, period: Period) -> tuple[str, bytes]:
    """The period's collection workbook filled with what is stored (name, content): what the city
    downloads to fill in and upload back, and the API's `xlsx` export.

    Stored entries come from this framework's importer, so each has a row; one that has not (a
    catalogue changed under the period) is listed on the workbook's Problems sheet.
    """
    from citykpi.collect.fill import write_filled

    name = f"{period.city.slug}-{period.year}.xlsx"
    with tempfile.TemporaryDirectory(prefix="citykpi-export-") as tmp:
        path = Path(tmp) / name
        write_filled(catalogue_of(period.framework), verified_submission(session, period), path)
        return name, path.read_bytes()


def assessment_of(session: Session, period: Period) -> Assessment:
    verified = verdicts(session, period)
    results = []
    for row in session.scalars(select(Result).where(Result.period_id == period.id).order_by(Result.id)):
        result = KpiResult.model_validate(row.record)
        results.append(result.model_copy(update={"verified": verified.get(result.code)}))
    return Assessment(
        profile=CityProfile.model_validate(period.profile), frameworks=[period.framework.key], results=results
    )


def verification_record(session: Session, period: Period) -> VerificationRecord:
    """Who decided and when, and the query threads, from the reviews and the audit log."""
    by = decided(session, period)
    reviews = session.scalars(
        select(Review).where(Review.period_id == period.id).options(selectinload(Review.messages)).order_by(Review.kpi)
    ).all()
    names = display_names(session, {m.author for r in reviews for m in r.messages})
    threads = [
        Thread(r.kpi, r.state, [Post(utc(m.created_at), names[m.author], m.action, m.body) for m in r.messages])
        for r in reviews
        if r.messages
    ]
    return VerificationRecord(by.verifiers, by.verified_by, by.verified_at, threads)


def city_report_html(
    session: Session,
    who: Principal,
    period: Period,
    kind: str,
    lang: str,
    reference: str = "none",
    min_cities: int = 10,
) -> str:
    """The report of a period; `reference` adds leading-city targets of a reference set (platform.benchmarks)."""
    from citykpi.platform.benchmarks import ReferenceSet, leading_targets
    from citykpi.report.content import build
    from citykpi.report.pages import city_html
    from citykpi.scoring.targets import TargetBook

    history = [p for p in list_periods(session, who, period.city) if p.year <= period.year]
    assessments = [assessment_of(session, p) for p in history]
    kpis = dict(catalogue_of(period.framework).kpis)
    public = scores.book()
    leading = leading_targets(session, ReferenceSet(reference), period.city.hub, kpis, public, min_cities)
    book = TargetBook([*public.sets, *([leading] if leading else [])])
    report = build(assessments, kpis, book)
    if kind == "verification":
        report = replace(report, record=verification_record(session, period))
    return city_html(report, kind, lang)
