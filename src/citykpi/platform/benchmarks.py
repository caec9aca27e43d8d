"""Leading-city benchmarks from the platform's published cities: the reference set a hub reports against.

Only published periods count (they are public, so any caller may be compared with them): each city's
latest published year, derived by the same rule as `citykpi targets derive` (citykpi.scoring.derive).
The reference set is chosen per request (`hub`: the cities of the period's own hub; `all`: every
published city); nothing is stored, so a new publication changes the benchmarks at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from citykpi.framework.model import Kpi
from citykpi.platform.reports import assessment_of
from citykpi.platform.workflow import PeriodState
from citykpi.scoring.derive import DEFAULT_MIN_CITIES, derive
from citykpi.scoring.peers import screening_rule
from citykpi.scoring.targets import TargetBook, TargetSet
from citykpi.store.schema import City, Period


class ReferenceSet(StrEnum):
    NONE = "none"  # the public reference targets only
    HUB = "hub"  # leading cities among the published cities of the period's hub
    ALL = "all"  # leading cities among all published cities


def leading_targets(
    session: Session,
    reference: ReferenceSet,
    hub: str,
    kpis: Mapping[str, Kpi],
    better: TargetBook,
    min_cities: int = DEFAULT_MIN_CITIES,
) -> TargetSet | None:
    """The derived target set of the reference set, or None for `none`."""
    if reference is ReferenceSet.NONE:
        return None
    query = select(Period).join(City).where(Period.status == PeriodState.PUBLISHED.value)
    if reference is ReferenceSet.HUB:
        query = query.where(City.hub == hub)
    periods = session.scalars(query.order_by(Period.city_id, Period.year)).all()
    latest = {p.city_id: p for p in periods}  # the last year of each city
    name = f"published cities of hub {hub or '(none)'}" if reference is ReferenceSet.HUB else "all published cities"
    assessments = [assessment_of(session, p) for p in latest.values()]
    derived = derive(
        assessments, kpis, better, name=name, set_id=f"platform-{reference.value}", rule=screening_rule(),
        min_cities=min_cities,
    )  # fmt: skip
    return derived.targets
