"""What waits for whom: the work queue of every role, from the period and review states.

An editor has drafts to submit and queries to answer; a verifier submitted years to start and KPIs
to decide once verification has started; a hub manager verified years to publish; an administrator
all of it. "Waits for" means the visitor may take the step now: the same rule tables the services
enforce (`workflow.PERIOD_STEPS`, `workflow.REVIEW_STEPS`), so the queue never lists what a click
would refuse.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from citykpi.platform.catalogues import catalogue_of
from citykpi.platform.roles import Principal, can
from citykpi.platform.workflow import PERIOD_STEPS, REVIEW_STEPS, PeriodState, ReviewState, review_actions
from citykpi.store.schema import Period, Review

IN_REVIEW = (PeriodState.SUBMITTED.value, PeriodState.UNDER_VERIFICATION.value)


class Sort(StrEnum):
    KPI = "kpi"  # period, then framework order
    STATE = "state"
    FINDINGS = "findings"  # most findings first


@dataclass(frozen=True)
class Waiting:
    review: Review
    period: Period
    name: str  # the KPI's name
    order: int  # the KPI's place in its framework


@dataclass
class Work:
    to_submit: list[Period] = field(default_factory=list)
    to_start: list[Period] = field(default_factory=list)
    to_publish: list[Period] = field(default_factory=list)
    in_review: list[Period] = field(default_factory=list)
    counts: dict[int, dict[str, int]] = field(default_factory=dict)
    waiting: list[Waiting] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.to_submit or self.to_start or self.to_publish or self.in_review or self.waiting)


def _may_step(who: Principal, period: Period, target: PeriodState) -> bool:
    step = PERIOD_STEPS[target]
    return period.status in step.sources and can(who, step.needs, period.city_id, period.city.hub)


def work_for(session: Session, who: Principal) -> Work:
    periods = session.scalars(
        select(Period)
        .where(Period.status != PeriodState.PUBLISHED.value)
        .options(joinedload(Period.city))  # the framework row (with its document) is loaded once per framework
        .order_by(Period.id)
    ).all()
    work = Work(
        to_submit=[p for p in periods if _may_step(who, p, PeriodState.SUBMITTED)],
        to_start=[p for p in periods if _may_step(who, p, PeriodState.UNDER_VERIFICATION)],
        to_publish=[p for p in periods if _may_step(who, p, PeriodState.PUBLISHED)],
    )
    work.in_review = [
        p
        for p in periods
        if p.status in IN_REVIEW and any(can(who, REVIEW_STEPS[a].needs, p.city_id, p.city.hub) for a in REVIEW_STEPS)
    ]
    by_id = {p.id: p for p in work.in_review}
    work.counts = {pid: {} for pid in by_id}
    for pid, state, count in session.execute(
        select(Review.period_id, Review.state, func.count())
        .where(Review.period_id.in_(list(by_id)))
        .group_by(Review.period_id, Review.state)
        .order_by(Review.period_id, Review.state)
    ):
        work.counts[pid][state] = count
    open_states = [ReviewState.SUBMITTED.value, ReviewState.QUERIED.value, ReviewState.ANSWERED.value]
    reviews = session.scalars(
        select(Review).where(Review.period_id.in_(list(by_id)), Review.state.in_(open_states))
    ).all()
    places: dict[int, dict[str, int]] = {}
    for review in reviews:
        period = by_id[review.period_id]
        actions = review_actions(review.state, period.status)
        if any(can(who, REVIEW_STEPS[a].needs, period.city_id, period.city.hub) for a in actions):
            kpis = catalogue_of(period.framework).kpis
            place = places.setdefault(period.framework_id, {code: n for n, code in enumerate(kpis)})
            kpi = kpis.get(review.kpi)
            name = kpi.name if kpi is not None else ""
            work.waiting.append(Waiting(review, period, name, place.get(review.kpi, len(place))))
    work.waiting = sorted(work.waiting, key=lambda w: (w.period.id, w.order))
    return work


def chosen(waiting: Sequence[Waiting], state: str = "", findings: str = "", sort: Sort = Sort.KPI) -> list[Waiting]:
    """The waiting KPIs a queue's filters keep (`state` a review state, `findings` "yes" or "no"), sorted."""
    kept = [
        w
        for w in waiting
        if (not state or w.review.state == state) and (not findings or bool(w.review.screening) == (findings == "yes"))
    ]
    if sort is Sort.STATE:
        return sorted(kept, key=lambda w: (w.review.state, w.period.id, w.order))
    if sort is Sort.FINDINGS:
        return sorted(kept, key=lambda w: (-len(w.review.screening or []), w.period.id, w.order))
    return kept
