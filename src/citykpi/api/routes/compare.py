"""Comparing cities: each city's latest visible period, ranked fairly within its peer group and year."""

from __future__ import annotations

from fastapi import APIRouter

from citykpi.api.schemas import CommonBasisOut, CompareOut, ScoreOut
from citykpi.http.callers import Caller
from citykpi.http.deps import Reader
from citykpi.http.scorecards import scorecard
from citykpi.platform.comparison import compare_cities
from citykpi.platform.workflow import PeriodState
from citykpi.scoring.comparison import RANK_MIN_SHARE

router = APIRouter(tags=["cities"])


@router.get("/compare", response_model=list[CompareOut])
def compare(who: Caller, session: Reader, peer_group: str = "") -> list[CompareOut]:
    """The rows of the compare page: by peer group, newest year first, ranked cities first."""
    out = []
    for group in compare_cities(session, who, lambda p: scorecard(session, p), peer_group):
        for table in group.years:
            for row in table.rows:
                whole = row.card.city
                out.append(
                    CompareOut(
                        city=row.city.slug,
                        name=row.city.name,
                        country=row.city.country,
                        peer_group=group.peer_group,
                        period_id=row.period.id,
                        year=row.period.year,
                        status=PeriodState(row.period.status),
                        rank=row.placing.rank,
                        share_scored=row.placing.share,
                        rank_min_share=RANK_MIN_SHARE,
                        score=ScoreOut.of(whole),
                        common_basis=CommonBasisOut(
                            percent=row.placing.percent, scored=row.placing.scored, basis=table.cohort.basis
                        ),
                    )
                )
    return out
