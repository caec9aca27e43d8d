"""Completion figures and certificate decision of periods, and their copy kept on each period row.

Pages list every year of a city with its completion, so the figures are computed when results or
reviews change and stored on the period (`periods.completion`, derived data, not audited); the
certificate depends on the configured rule and is computed when asked.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from citykpi.model.completion import (
    CertificateDecision,
    CertificateRule,
    Completion,
    certificate,
    completion,
    kpi_states,
)
from citykpi.platform.catalogues import catalogue_of
from citykpi.platform.workflow import ReviewState
from citykpi.store.schema import Period, Result, Review


class Standing(BaseModel):
    completion: Completion
    certificate: CertificateDecision


def standing(session: Session, period: Period, rule: CertificateRule) -> Standing:
    return standings(session, [period], rule)[period.id]


def standings(session: Session, periods: Sequence[Period], rule: CertificateRule) -> dict[int, Standing]:
    """Completion and certificate of several periods with two queries in all (the city page shows every year)."""
    ids = [p.id for p in periods]
    statuses: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for period_id, code, status in session.execute(
        select(Result.period_id, Result.code, Result.status).where(Result.period_id.in_(ids))
    ):
        statuses[period_id][code].append(status)
    accepted: dict[int, list[str]] = defaultdict(list)
    for period_id, code in session.execute(
        select(Review.period_id, Review.kpi).where(
            Review.period_id.in_(ids), Review.state == ReviewState.ACCEPTED.value
        )
    ):
        accepted[period_id].append(code)
    out = {}
    for period in periods:
        kpis = [(k.code, k.dimension, k.level.value) for k in catalogue_of(period.framework).kpis.values()]
        states = kpi_states(kpis, statuses[period.id], accepted[period.id])
        out[period.id] = Standing(completion=completion(states), certificate=certificate(states, rule))
    return out


def refresh(session: Session, period: Period) -> None:
    """Store the period's completion after its results or reviews changed (in the same transaction)."""
    session.flush()
    period.completion = standing(session, period, CertificateRule()).completion.model_dump(mode="json")


def completions(session: Session, periods: Sequence[Period]) -> dict[int, Completion]:
    """Stored figures where present, computed for periods stored before the column existed."""
    out = {p.id: Completion.model_validate(p.completion) for p in periods if p.completion is not None}
    missing = [p for p in periods if p.completion is None]
    if missing:
        out |= {pid: s.completion for pid, s in standings(session, missing, CertificateRule()).items()}
    return out


def backfill(session: Session) -> int:
    """Compute the stored figures of periods that have none (after the migration that added them)."""
    periods = list(session.scalars(select(Period).where(Period.completion.is_(None))).all())
    for period in periods:
        refresh(session, period)
    return len(periods)
