"""Score one assessment: points per KPI data point, pooled points per category, sub-dimension,
dimension and city.

Groups pool the points of their data points directly (the reports say points are "added" for
categories, sub-dimensions and dimensions), so a dimension is not the mean of its categories.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel

from citykpi.model.assessment import Assessment, KpiResult, ResultStatus
from citykpi.model.submission import CityProfile
from citykpi.scoring.rules import Band, band_of, group_percent, percent_of_target
from citykpi.scoring.targets import Target, TargetBook, usable


class Standing(StrEnum):
    """Why a data point has, or has no, points."""

    SCORED = "scored"
    NOT_REPORTED = "not reported"  # no usable value (not reported, not available, error)
    NOT_APPLICABLE = "not applicable"  # the city declared the data point irrelevant to it
    NO_BENCHMARK = "no benchmark"  # reported, but no target applies
    UNSCORABLE = "unscorable"  # reported and benchmarked, but the answer does not fit the target


class ItemScore(BaseModel):
    result: KpiResult
    targets: list[Target]
    benchmark: Target | None
    percent: float | None
    band: Band | None
    standing: Standing

    @property
    def points(self) -> int | None:
        return None if self.band is None else int(self.band)

    @property
    def key(self) -> tuple[str, str]:
        return (self.result.code, self.result.data_point)


class GroupLevel(StrEnum):
    CITY = "city"
    DIMENSION = "dimension"
    SUBDIMENSION = "subdimension"
    CATEGORY = "category"


class Coverage(BaseModel):
    """What a score covers. The U4SSC percentage counts only scored data points (unreported and
    unbenchmarked ones leave the denominator), so a score is never shown without these counts."""

    scored: int  # reported and benchmarked: these carry the points
    reported: int  # with a usable value, scored or not
    framework: int  # all data points of the framework in the group

    @property
    def share_scored(self) -> float:
        """Scored data points as a share of the framework's, 0 to 1."""
        return self.scored / self.framework if self.framework else 0.0


def coverage(items: list[ItemScore]) -> Coverage:
    return Coverage(
        scored=sum(1 for i in items if i.points is not None),
        reported=sum(1 for i in items if i.result.has_value),
        framework=len(items),
    )


class GroupScore(BaseModel):
    level: GroupLevel
    path: tuple[str, ...]  # (dimension, sub-dimension, category) down to this group's level
    items: int  # data points in the group
    reported: int
    scored: int
    points: int
    percent: float | None
    band: Band | None

    @property
    def name(self) -> str:
        return self.path[-1] if self.path else ""

    @property
    def max_points(self) -> int:
        return 4 * self.scored

    @property
    def coverage(self) -> Coverage:
        return Coverage(scored=self.scored, reported=self.reported, framework=self.items)


class Scorecard(BaseModel):
    profile: CityProfile
    items: list[ItemScore]
    groups: list[GroupScore]

    def group(self, level: GroupLevel, *path: str) -> GroupScore | None:
        return next((g for g in self.groups if g.level == level and g.path == path), None)

    def level(self, level: GroupLevel) -> list[GroupScore]:
        return [g for g in self.groups if g.level == level]

    @property
    def city(self) -> GroupScore:
        found = self.group(GroupLevel.CITY)
        assert found is not None  # score() always adds the city group
        return found


def score_item(result: KpiResult, book: TargetBook) -> ItemScore:
    targets = book.targets(result.code, result.data_point)
    benchmark = usable(targets)
    percent: float | None = None
    if result.status is ResultStatus.NOT_APPLICABLE:
        standing = Standing.NOT_APPLICABLE
    elif not result.has_value:
        standing = Standing.NOT_REPORTED
    elif benchmark is None:
        standing = Standing.NO_BENCHMARK
    else:
        percent = percent_of_target(result.value, result.value_text, benchmark)
        standing = Standing.UNSCORABLE if percent is None else Standing.SCORED
    band = None if percent is None else band_of(percent)
    return ItemScore(result=result, targets=targets, benchmark=benchmark, percent=percent, band=band, standing=standing)


def _group(level: GroupLevel, path: tuple[str, ...], items: list[ItemScore]) -> GroupScore:
    points = [i.points for i in items if i.points is not None]
    percent = group_percent(points)
    counts = coverage(items)
    return GroupScore(
        level=level,
        path=path,
        items=counts.framework,
        reported=counts.reported,
        scored=counts.scored,
        points=sum(points),
        percent=percent,
        band=None if percent is None else band_of(percent),
    )


def _path(item: ItemScore, depth: int) -> tuple[str, ...]:
    r = item.result
    return (r.dimension, r.subdimension, r.category)[:depth]


def score(assessment: Assessment, book: TargetBook) -> Scorecard:
    """Scorecard of one city-year; groups keep the order in which the assessment lists KPIs."""
    items = [score_item(r, book) for r in assessment.results]
    groups = [_group(GroupLevel.CITY, (), items)]
    for depth, level in enumerate((GroupLevel.DIMENSION, GroupLevel.SUBDIMENSION, GroupLevel.CATEGORY), start=1):
        members: dict[tuple[str, ...], list[ItemScore]] = {}
        for item in items:
            members.setdefault(_path(item, depth), []).append(item)
        groups.extend(_group(level, path, found) for path, found in members.items())
    return Scorecard(profile=assessment.profile, items=items, groups=groups)
