"""Progress over the years: the Statistics Canada / Open SDG progress measure and the projected
year in which the target is reached at the current pace.

The measure follows open-sdg/sdg-build `ProgressMeasure.py` (methods.md C2): compound annual
growth from a base year (2015, or the first later year with data) to the latest year, compared
with the growth the target requires (thresholds 0.95 / 0.60 / 0), or, without a target, judged
on its own (1.5 % / 0.5 % / 0). Groups take the mean of the Open SDG progress scores of their
members, as Open SDG does for an indicator with several series. The projection is the Trondheim
GDC formula (methods.md C5). Choices beyond the sources are in docs/methodology.md.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from enum import StrEnum

from pydantic import BaseModel

from citykpi.framework.model import Direction
from citykpi.model.assessment import Assessment, KpiResult
from citykpi.scoring.rules import as_answer
from citykpi.scoring.targets import Target, TargetBook, TargetDirection

BASE_YEAR = 2015
DEFAULT_TARGET_YEAR = 2030
ZERO_REPLACEMENT = 0.001  # Open SDG replaces a zero target or base value by this
WITH_TARGET = (0.95, 0.60, 0.0)
WITHOUT_TARGET = (0.015, 0.005, 0.0)


class ProgressStatus(StrEnum):
    """Open SDG 2.4 status keys."""

    TARGET_ACHIEVED = "target_achieved"
    SUBSTANTIAL = "substantial_progress"
    MODERATE = "moderate_progress"
    LIMITED = "limited_progress"
    DETERIORATION = "deterioration"
    NOT_AVAILABLE = "not_available"


class ItemProgress(BaseModel):
    code: str
    data_point: str
    status: ProgressStatus
    score: float | None = None  # Open SDG progress score in [-5, 5], 5 when the target is achieved
    progress_value: float | None = None  # growth ratio (with target) or signed CAGR (without)
    base_year: int | None = None
    base_value: float | None = None
    current_year: int | None = None
    current_value: float | None = None
    target: float | None = None
    target_year: int | None = None
    projected_year: float | None = None
    note: str = ""

    @property
    def with_target(self) -> bool:
        """Judged against a target: only then do the status words speak of being on track."""
        return self.target is not None


class GroupProgress(BaseModel):
    path: tuple[str, ...]
    status: ProgressStatus
    score: float | None
    counted: int
    with_target: bool = False  # every member counted was judged against a target


class Progress(BaseModel):
    years: list[int]
    items: dict[str, ItemProgress]  # key: "code|data_point"
    groups: list[GroupProgress]

    def item(self, code: str, data_point: str) -> ItemProgress | None:
        return self.items.get(f"{code}|{data_point}")

    def group(self, *path: str) -> GroupProgress | None:
        return next((g for g in self.groups if g.path == path), None)


def status_for(value: float, thresholds: tuple[float, float, float]) -> ProgressStatus:
    high, med, low = thresholds
    if value >= high:
        return ProgressStatus.SUBSTANTIAL
    if value >= med:
        return ProgressStatus.MODERATE
    if value >= low:
        return ProgressStatus.LIMITED
    return ProgressStatus.DETERIORATION


def score_for(value: float, with_target: bool) -> float:
    """Open SDG's piecewise-linear progress score; its breakpoints map the thresholds to 2.5/0/-2.5."""
    if with_target:
        if value >= WITH_TARGET[1]:
            return min(7.1429 * value - 4.2857, 5.0)
        return max(4.1667 * value - 2.5, -5.0)
    if value < WITHOUT_TARGET[2]:
        return max(125 * value - 2.5, -5.0)
    if value >= WITHOUT_TARGET[0]:
        return min(500 * value - 5, 5.0)
    if value >= WITHOUT_TARGET[1]:
        return 250 * value - 1.25
    return 500 * value - 2.5


def status_from_score(score: float) -> ProgressStatus:
    if score >= 2.5:
        return ProgressStatus.SUBSTANTIAL
    if score >= 0:
        return ProgressStatus.MODERATE
    if score >= -2.5:
        return ProgressStatus.LIMITED
    return ProgressStatus.DETERIORATION


# The last year a projection is given for: the horizon of the long-range UN population and climate
# scenarios; beyond it a constant pace says nothing a city can plan by.
PROJECTION_HORIZON = 2100


def cagr(current: float, base: float, years: float) -> float:
    return float((current / base) ** (1 / years) - 1)


def projected_year(base_year: int, base: float, current_year: int, current: float, target: float) -> float | None:
    """Year in which the target is reached if the observed compound growth goes on (methods.md C5).

    None unless the value moves towards a target it has not reached yet: a projection that lands on
    or before the latest year (the target lies between the base and the latest value, as when a
    value met its target and then moved past it the wrong way) is no projection. None too when a
    constant rate never reaches the target (zero or sign-changing targets), and when it reaches it
    only after `PROJECTION_HORIZON`: a slow pace extrapolated gives years such as 20401346, which a
    reader would take for a forecast.
    """
    if base <= 0 or current <= 0 or target <= 0 or current == base:
        return None
    ratio = math.log(target / base) / math.log(current / base)
    if ratio <= 1:  # moving away (ratio <= 0), or the target is already behind the latest value
        return None
    year = base_year + (current_year - base_year) * ratio
    return year if year <= PROJECTION_HORIZON else None


def _series(results: Iterable[tuple[int, KpiResult]]) -> list[tuple[int, KpiResult]]:
    return sorted(((y, r) for y, r in results if r.has_value), key=lambda yr: yr[0])


def _answer_progress(code: str, dp: str, series: list[tuple[int, KpiResult]], target: Target) -> ItemProgress:
    """Yes/no KPIs have no growth rate: met now, lost since an earlier year, or still unmet."""
    answers = [(y, as_answer(r.value, r.value_text)) for y, r in series]
    met = [a == float(target.value) for _, a in answers if a is not None]
    if len(met) < 2:
        return ItemProgress(code=code, data_point=dp, status=ProgressStatus.NOT_AVAILABLE, note="needs two years")
    if met[-1]:
        status, score = ProgressStatus.TARGET_ACHIEVED, 5.0
    elif any(met[:-1]):
        status, score = ProgressStatus.DETERIORATION, -5.0
    else:
        status, score = ProgressStatus.LIMITED, -2.5
    return ItemProgress(
        code=code,
        data_point=dp,
        status=status,
        score=score,
        base_year=answers[0][0],
        current_year=answers[-1][0],
        target=float(target.value),
    )


def _meets(value: float, goal: float, direction: int) -> bool:
    return value >= goal if direction == 1 else value <= goal


def _pick_base(points: list[tuple[int, float]], base_year: int) -> tuple[int, float]:
    later = [p for p in points if p[0] >= base_year]
    return later[0] if later else points[0]


def _direction(target: Target | None, fallback: Direction | None, base: float) -> int | None:
    """+1 when higher is better, -1 when lower is better, None when no direction is defined."""
    if target is not None:
        goal = target.numeric
        if target.direction is TargetDirection.TARGET and goal is not None:
            return 1 if base < goal else -1
        return {TargetDirection.HIGHER: 1, TargetDirection.LOWER: -1}.get(target.direction)
    return {Direction.HIGHER: 1, Direction.LOWER: -1}.get(fallback) if fallback else None


def item_progress(
    code: str,
    dp: str,
    yearly: Iterable[tuple[int, KpiResult]],
    target: Target | None,
    fallback: Direction | None = None,
    base_year: int = BASE_YEAR,
) -> ItemProgress:
    """Progress of one data point from its values over the years."""
    series = _series(yearly)
    if target is not None and target.direction is TargetDirection.YES:
        return _answer_progress(code, dp, series, target)
    points = [(y, r.value) for y, r in series if r.value is not None]
    unavailable = ItemProgress(code=code, data_point=dp, status=ProgressStatus.NOT_AVAILABLE)
    if not points:
        return unavailable.model_copy(update={"note": "no values"})
    (y0, v0), (yt, vt) = _pick_base(points, base_year), points[-1]
    known = {"base_year": y0, "base_value": v0, "current_year": yt, "current_value": vt}
    if yt <= y0:
        return unavailable.model_copy(update={**known, "note": "needs two years"})
    direction = _direction(target, fallback, v0)
    if direction is None:
        return unavailable.model_copy(update={**known, "note": "no desirable direction"})
    goal = target.numeric if target is not None else None
    if goal is not None and _meets(vt, goal, direction):
        return ItemProgress(
            code=code, data_point=dp, status=ProgressStatus.TARGET_ACHIEVED, score=5.0, target=goal, **known
        )
    met_before = [y for y, v in points if y >= y0 and goal is not None and _meets(v, goal, direction)]
    if goal is not None and met_before:
        return ItemProgress(
            code=code,
            data_point=dp,
            status=ProgressStatus.DETERIORATION,
            score=-5.0,
            target=goal,
            note=f"met the target in {met_before[-1]}, misses it in {yt}",
            **known,
        )
    base = ZERO_REPLACEMENT if v0 == 0 else v0
    if (base > 0) != (vt > 0) and vt != 0:
        return unavailable.model_copy(update={**known, "note": "base and current values differ in sign"})
    sign = -1 if base < 0 else 1
    observed = cagr(vt if vt != 0 else ZERO_REPLACEMENT * sign, base, yt - y0)
    if goal is None:
        value = sign * direction * observed
        return ItemProgress(
            code=code,
            data_point=dp,
            status=status_for(value, WITHOUT_TARGET),
            score=score_for(value, with_target=False),
            progress_value=value,
            **known,
        )
    # A target year already behind the latest data (a missed deadline, or a guideline's publication
    # year) gives no required pace for the years ahead: Open SDG's default deadline is used instead.
    year_t = target.year if target is not None and target.year and target.year > yt else DEFAULT_TARGET_YEAR
    required = cagr(goal if goal != 0 else ZERO_REPLACEMENT, base, year_t - y0)
    if required == 0:  # a zero target and a base of exactly the zero replacement: no pace to compare
        return unavailable.model_copy(update={**known, "target": goal, "note": "the base value equals the target"})
    value = sign * direction * observed / abs(required)
    return ItemProgress(
        code=code,
        data_point=dp,
        status=status_for(value, WITH_TARGET),
        score=score_for(value, with_target=True),
        progress_value=value,
        target=goal,
        target_year=year_t,
        projected_year=projected_year(y0, v0, yt, vt, goal),
        **known,
    )


def _ahead_of(item: ItemProgress, latest: int) -> ItemProgress:
    """A data point whose last value is older than the latest year keeps no projection that is not
    ahead of that year: a target "reached in" a year already passed without a value is no forecast."""
    if item.projected_year is None or item.projected_year > latest:
        return item
    return item.model_copy(update={"projected_year": None})


def group_progress(path: tuple[str, ...], members: list[ItemProgress]) -> GroupProgress:
    scored = [m for m in members if m.score is not None]
    if not scored:
        return GroupProgress(path=path, status=ProgressStatus.NOT_AVAILABLE, score=None, counted=0)
    mean = sum(m.score for m in scored if m.score is not None) / len(scored)
    achieved = all(m.status is ProgressStatus.TARGET_ACHIEVED for m in scored)
    status = ProgressStatus.TARGET_ACHIEVED if achieved else status_from_score(mean)
    with_target = all(m.with_target for m in scored)
    return GroupProgress(path=path, status=status, score=mean, counted=len(scored), with_target=with_target)


def progress(
    assessments: Iterable[Assessment],
    book: TargetBook,
    directions: Mapping[tuple[str, str], Direction] | None = None,
    base_year: int = BASE_YEAR,
) -> Progress:
    """Progress of one city over the years of its assessments (one assessment per year).

    `directions` (KPI code, data point) -> catalogue direction, used where no target applies.
    """
    by_year = sorted(assessments, key=lambda a: a.profile.year)
    yearly: dict[tuple[str, str], list[tuple[int, KpiResult]]] = {}
    placement: dict[tuple[str, str], tuple[str, str, str]] = {}
    for a in by_year:
        for r in a.results:
            yearly.setdefault((r.code, r.data_point), []).append((a.profile.year, r))
            placement[(r.code, r.data_point)] = (r.dimension, r.subdimension, r.category)
    fallback = directions or {}
    latest = by_year[-1].profile.year if by_year else 0
    items = {
        f"{code}|{dp}": _ahead_of(
            item_progress(code, dp, rows, book.benchmark(code, dp), fallback.get((code, dp)), base_year), latest
        )
        for (code, dp), rows in yearly.items()
    }
    groups: list[GroupProgress] = []
    for depth in range(4):
        members: dict[tuple[str, ...], list[ItemProgress]] = {}
        for key, place in placement.items():
            members.setdefault(place[:depth], []).append(items[f"{key[0]}|{key[1]}"])
        groups.extend(group_progress(path, found) for path, found in members.items())
    return Progress(years=[a.profile.year for a in by_year], items=items, groups=groups)
