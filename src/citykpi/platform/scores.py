"""Scores of stored periods, kept in the database beside the results they come from.

Scoring a period reads each of its results and their targets (~6 ms a period): a hub overview of
150 cities scored them all on its first view (over 1 s, and 12 s when 20 first views came at
once). So a period's scores are computed when its results are written, in the same transaction
(`reassess` hands its rows to `result_columns` and calls `store_groups`): each result gets its
standing, percent and points, each group of data points (the city, its dimensions, sub-dimensions
and categories) a `Score` row with what it covers. Pages and the API read those rows.

Scores depend on the results and on the public reference targets and scoring rules only. The
fingerprint of the latter is stored with the period (`Period.scored_with`), so that a release that
changes them is noticed: `backfill` (run by `citykpi db upgrade` and at server start, like the
completion figures) scores again every period whose fingerprint differs or is missing, which
includes every period stored before migration 0010. A period read before it was scored (one just
created, without results) is scored on the spot.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, delete, or_, select, update
from sqlalchemy.orm import Session

from citykpi.model.assessment import Assessment, KpiResult
from citykpi.model.submission import CityProfile
from citykpi.scoring import rules
from citykpi.scoring.rules import Band
from citykpi.scoring.scorecard import GroupLevel, GroupScore, ItemScore, Scorecard, Standing, score, score_item
from citykpi.scoring.targets import TargetBook, usable
from citykpi.store.bulk import insert_rows
from citykpi.store.schema import Period, Result, Score

DEPTH = {GroupLevel.CITY: 0, GroupLevel.DIMENSION: 1, GroupLevel.SUBDIMENSION: 2, GroupLevel.CATEGORY: 3}


def book() -> TargetBook:
    """The public reference targets every stored score is computed against."""
    from citykpi.scoring.targetfiles import default_book

    return default_book()


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """Of the targets and of the declared version of the rules that turn a value into points and
    points into scores: a stored score computed under another fingerprint is out of date."""
    digest = hashlib.sha256(f"rules {rules.RULES_VERSION}\n".encode())
    for target_set in book().sets:
        digest.update(json.dumps(target_set.model_dump(mode="json"), sort_keys=True).encode())
    return digest.hexdigest()


def _scored(session: Session, period: Period) -> Scorecard:
    """The period's stored results scored now (who verified them, which `reports.assessment_of` adds,
    changes no score)."""
    records = session.scalars(select(Result.record).where(Result.period_id == period.id).order_by(Result.id))
    assessment = Assessment(
        profile=CityProfile.model_validate(period.profile),
        frameworks=[period.framework.key],
        results=[KpiResult.model_validate(r) for r in records],
    )
    return score(assessment, book())


def card_of(session: Session, period: Period, verified: Mapping[str, bool]) -> Scorecard:
    """The period's scorecard: from its stored scores, or scored now when it has none (yet); its
    results carry the verifier's decisions `verified` (KPI code -> accepted), as
    `reports.assessment_of` gives them."""
    if period.scored_with != fingerprint():
        card = _scored(session, period)
        items = [i.model_copy(update={"result": _verified(i.result, verified)}) for i in card.items]
        return card.model_copy(update={"items": items})
    records = session.execute(
        select(Result.record, Result.standing, Result.percent, Result.band)
        .where(Result.period_id == period.id)
        .order_by(Result.id)
    ).all()
    items = [
        _item(_verified(KpiResult.model_validate(record), verified), standing or "", percent, band)
        for record, standing, percent, band in records
    ]
    stored = session.scalars(select(Score).where(Score.period_id == period.id).order_by(Score.position))
    groups = [_group(row) for row in stored]
    return Scorecard(profile=CityProfile.model_validate(period.profile), items=items, groups=groups)


def point_items(session: Session, period_ids: Sequence[int], code: str, point: str) -> dict[int, ItemScore]:
    """One data point's value and score in each period, read alone: a page about one KPI need not
    read every data point of each period."""
    return kpi_items(session, period_ids, code, point).get(point, {})


def kpi_items(
    session: Session, period_ids: Sequence[int], code: str, point: str | None = None
) -> dict[str, dict[int, ItemScore]]:
    """Each data point of one KPI (or only `point`) with its value and score in each period, in one
    query: a city's KPI page draws a chart for each of the KPI's data points."""
    query = select(Result.period_id, Result.data_point, Result.record, Result.standing, Result.percent, Result.band)
    query = query.where(Result.period_id.in_(list(period_ids)), Result.code == code)
    if point is not None:
        query = query.where(Result.data_point == point)
    out: dict[str, dict[int, ItemScore]] = {}
    for period_id, data_point, record, standing, percent, band in session.execute(query).all():
        result = KpiResult.model_validate(record)
        scored = score_item(result, book()) if standing is None else _item(result, standing, percent, band)
        out.setdefault(data_point, {})[period_id] = scored
    return out


def _item(result: KpiResult, standing: str, percent: float | None, band: int | None) -> ItemScore:
    """A result with its stored score; its targets are looked up (the book is in memory)."""
    targets = book().targets(result.code, result.data_point)
    return ItemScore(
        result=result,
        targets=targets,
        benchmark=usable(targets),
        percent=percent,
        band=None if band is None else Band(band),
        standing=Standing(standing),
    )


def _verified(result: KpiResult, verified: Mapping[str, bool]) -> KpiResult:
    return result.model_copy(update={"verified": verified.get(result.code)})


def groups_of(
    session: Session, periods: Sequence[Period], level: GroupLevel | None = None, dimension: str = ""
) -> dict[int, list[GroupScore]]:
    """The scores of each period's groups of one level (every level when None; of one dimension
    when it is named), in scorecard order; one query for all the periods that have stored scores."""
    fresh = [p.id for p in periods if p.scored_with == fingerprint()]
    out: dict[int, list[GroupScore]] = {pid: [] for pid in fresh}
    query = select(Score).where(Score.period_id.in_(fresh))
    if level is not None:
        query = query.where(Score.level == level.value)
    if dimension:
        query = query.where(Score.dimension == dimension)
    for row in session.scalars(query.order_by(Score.period_id, Score.position)):
        out[row.period_id].append(_group(row))
    for period in periods:
        if period.id not in out:
            card = _scored(session, period)
            found = card.groups if level is None else card.level(level)
            out[period.id] = [g for g in found if not dimension or g.path[:1] == (dimension,)]
    return out


def group_of(session: Session, periods: Sequence[Period], dimension: str = "") -> dict[int, GroupScore | None]:
    """Each period's score for the whole city, or for one dimension (None: its framework has no such
    dimension)."""
    level = GroupLevel.DIMENSION if dimension else GroupLevel.CITY
    return {pid: found[0] if found else None for pid, found in groups_of(session, periods, level, dimension).items()}


def _group(row: Score) -> GroupScore:
    level = GroupLevel(row.level)
    return GroupScore(
        level=level,
        path=(row.dimension, row.subdimension, row.category)[: DEPTH[level]],
        items=row.items,
        reported=row.reported,
        scored=row.scored,
        points=row.points,
        percent=row.percent,
        band=None if row.band is None else Band(row.band),
    )


def result_columns(item: ItemScore) -> dict[str, Any]:
    """The score columns of a result's row."""
    return {
        "standing": item.standing.value,
        "benchmarked": item.benchmark is not None,
        "percent": item.percent,
        "band": item.points,
    }


def store_groups(session: Session, period: Period, card: Scorecard) -> None:
    """Replace the period's group scores by `card`'s, within the caller's transaction; the results'
    own columns are written by the caller (`result_columns`)."""
    session.execute(delete(Score).where(Score.period_id == period.id))
    rows = [
        {
            "period_id": period.id,
            "position": position,
            "level": g.level.value,
            "dimension": g.path[0] if len(g.path) > 0 else "",
            "subdimension": g.path[1] if len(g.path) > 1 else "",
            "category": g.path[2] if len(g.path) > 2 else "",
            "items": g.items,
            "reported": g.reported,
            "scored": g.scored,
            "points": g.points,
            "percent": g.percent,
            "band": None if g.band is None else int(g.band),
        }
        for position, g in enumerate(card.groups)
    ]
    if rows:
        session.execute(insert_rows(Score), rows)
    period.scored_with = fingerprint()


def rescore(session: Session, period: Period) -> None:
    """Score the period's stored results again and store the figures (results unchanged)."""
    card = _scored(session, period)
    rows = [{"key_code": i.result.code, "key_point": i.result.data_point, **result_columns(i)} for i in card.items]
    if rows:  # one executemany UPDATE; through the connection, as the ORM's bulk UPDATE wants primary keys
        statement = (
            update(Result)
            .where(
                Result.period_id == period.id,
                Result.code == bindparam("key_code"),
                Result.data_point == bindparam("key_point"),
            )
            .values({name: bindparam(name) for name in ("standing", "benchmarked", "percent", "band")})
        )
        session.connection().execute(statement, rows)
    store_groups(session, period, card)


def backfill(session: Session) -> int:
    """Score the periods that have no stored scores or scores of other targets or rules; how many.

    The periods are locked while scored (PostgreSQL), so that two servers starting together do not
    both write a period's rows; the second finds them scored.
    """
    stale = or_(Period.scored_with.is_(None), Period.scored_with != fingerprint())
    periods = list(session.scalars(select(Period).where(stale).order_by(Period.id).with_for_update()).all())
    for period in periods:
        rescore(session, period)
    session.flush()
    return len(periods)
