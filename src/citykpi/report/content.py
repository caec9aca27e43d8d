"""What a report shows, computed once from the assessments and shared by every report kind.

Building this is pure (no files, no rendering): the templates only lay it out, so the numbers
of the snapshot, the verification report and the profile can never disagree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import groupby

from citykpi.assess.summary import Summary, summary
from citykpi.framework.model import Direction, Kpi
from citykpi.model.assessment import Assessment, KpiResult, ResultStatus
from citykpi.model.diagnostics import Diagnostic
from citykpi.report.labels import progress_legend
from citykpi.report.maturity import Criterion, criteria
from citykpi.report.record import VerificationRecord
from citykpi.scoring.peers import screen
from citykpi.scoring.progress import GroupProgress, ItemProgress, Progress, ProgressStatus, progress
from citykpi.scoring.rules import group_percent
from citykpi.scoring.scorecard import GroupLevel, GroupScore, ItemScore, Scorecard, score
from citykpi.scoring.targets import TargetBook, TargetKind

STRENGTHS = 3  # categories shown as strengths and as weakest areas
STRONG_FROM = 66.0  # a strength reaches at least the 66-95 % band: a category at 25 % is no strength


@dataclass(frozen=True)
class KpiGroup:
    """One KPI with its data points' scores, as the tables list them."""

    kpi: Kpi | None
    items: list[ItemScore]

    @property
    def code(self) -> str:
        return self.items[0].result.code

    @property
    def reported(self) -> list[KpiResult]:
        return [i.result for i in self.items if i.result.has_value]

    @property
    def verified(self) -> bool | None:
        """True when every reported data point is verified YES, False if any is NO, else None."""
        flags = [r.verified for r in self.reported]
        if not flags:
            return None
        if any(f is False for f in flags):
            return False
        return True if all(f is True for f in flags) else None


@dataclass(frozen=True)
class VerificationTally:
    """Counts of one dimension (or the whole city) for the verification summaries."""

    name: str
    kpis: int
    kpis_reported: int
    kpis_verified: int
    data_points: int
    data_points_reported: int
    data_points_verified: int
    data_points_rejected: int  # verifier said NO
    kpis_not_applicable: int = 0  # every data point justified not applicable: neither reported nor missing
    data_points_not_applicable: int = 0

    @property
    def kpis_not_reported(self) -> int:
        return self.kpis - self.kpis_reported - self.kpis_not_applicable

    @property
    def data_points_not_reported(self) -> int:
        return self.data_points - self.data_points_reported - self.data_points_not_applicable

    @classmethod
    def of(cls, name: str, groups: Sequence[KpiGroup]) -> VerificationTally:
        reported = [r for g in groups for r in g.reported]
        return cls(
            name=name,
            kpis=len(groups),
            kpis_reported=sum(1 for g in groups if g.reported),
            kpis_verified=sum(1 for g in groups if g.verified is True),
            data_points=sum(len(g.items) for g in groups),
            data_points_reported=len(reported),
            data_points_verified=sum(1 for r in reported if r.verified is True),
            data_points_rejected=sum(1 for r in reported if r.verified is False),
            kpis_not_applicable=sum(1 for g in groups if _all_not_applicable(g)),
            data_points_not_applicable=sum(
                1 for g in groups for i in g.items if i.result.status is ResultStatus.NOT_APPLICABLE
            ),
        )


@dataclass(frozen=True)
class SdgGoal:
    goal: int
    targets: list[str]
    kpis: list[KpiGroup]
    percent: float | None


@dataclass(frozen=True)
class CityReport:
    history: list[Assessment]  # one per year, oldest first
    card: Scorecard  # of the latest year
    progress: Progress | None  # None with a single year
    kpis: list[KpiGroup]
    summary: Summary
    target_sets: list[str]
    sdg: list[SdgGoal] = field(default_factory=list)
    screening: list[Diagnostic] = field(default_factory=list)  # values unusual among the reference cities
    peer_sets: list[str] = field(default_factory=list)  # the target sets whose peer figures screened them
    maturity: list[Criterion] = field(default_factory=list)  # criteria of maturity self-assessments, latest year
    record: VerificationRecord | None = None  # the platform's reviews, when the report is made there

    @property
    def latest(self) -> Assessment:
        return self.history[-1]

    @property
    def years(self) -> list[int]:
        return [a.profile.year for a in self.history]

    def item_progress(self, item: ItemScore) -> ItemProgress | None:
        if self.progress is None:
            return None
        return self.progress.item(item.result.code, item.result.data_point)

    def group_progress(self, group: GroupScore) -> GroupProgress | None:
        return None if self.progress is None else self.progress.group(*group.path)

    def item_legend(self, groups: Sequence[KpiGroup]) -> list[tuple[ProgressStatus, str, str]]:
        """The status words the rows of `groups` show, each with what it means."""
        found = [self.item_progress(item) for group in groups for item in group.items]
        return progress_legend((p.status, p.with_target) for p in found if p is not None)

    def group_legend(self, level: str) -> list[tuple[ProgressStatus, str, str]]:
        found = [self.group_progress(g) for g in self.card.level(GroupLevel(level))]
        return progress_legend((p.status, p.with_target) for p in found if p is not None)

    def projects(self, groups: Sequence[KpiGroup]) -> bool:
        """Whether a row of `groups` shows a projected year (and the legend must say what it is)."""
        return any((p := self.item_progress(i)) is not None and p.projected_year for g in groups for i in g.items)

    def trend(self, item: ItemScore) -> list[tuple[int, float]]:
        """(year, value) of the item's data point in every year of the history that has a value."""
        return self._values.get(item.key, [])

    @cached_property
    def _values(self) -> dict[tuple[str, str], list[tuple[int, float]]]:
        found: dict[tuple[str, str], list[tuple[int, float]]] = {}
        for a in self.history:
            for r in a.results:
                if r.has_value and r.value is not None:
                    found.setdefault((r.code, r.data_point), []).append((a.profile.year, r.value))
        return found

    def ranked_categories(self) -> list[GroupScore]:
        scored = [g for g in self.card.level(GroupLevel.CATEGORY) if g.percent is not None]
        return sorted(scored, key=lambda g: (-(g.percent or 0), g.path))

    @property
    def strengths(self) -> list[GroupScore]:
        return [g for g in self.ranked_categories() if (g.percent or 0) >= STRONG_FROM][:STRENGTHS]

    @property
    def weakest(self) -> list[GroupScore]:
        ranked = self.ranked_categories()
        return list(reversed(ranked[-STRENGTHS:])) if len(ranked) > STRENGTHS else []

    def weakest_subdimensions(self, count: int) -> list[GroupScore]:
        scored = [g for g in self.card.level(GroupLevel.SUBDIMENSION) if g.percent is not None]
        return sorted(scored, key=lambda g: (g.percent or 0, g.path))[:count]

    @property
    def sources(self) -> list[str]:
        """Documents of the targets shown, numbered in order of first use (footnotes of the tables)."""
        found: dict[str, None] = {}
        for item in self.card.items:
            if item.benchmark is not None:
                found.setdefault(item.benchmark.source)
        return list(found)

    @property
    def target_kinds(self) -> dict[TargetKind, int]:
        """How many data points are scored against a target of each kind (page 1 says which were used)."""
        return kinds_of(self.card)

    def by_dimension(self) -> list[tuple[str, list[KpiGroup]]]:
        found: dict[str, list[KpiGroup]] = {}
        for g in self.kpis:
            found.setdefault(g.items[0].result.dimension, []).append(g)
        return list(found.items())

    def verification(self) -> list[VerificationTally]:
        """One row per dimension, then the city total."""
        rows = [VerificationTally.of(name, groups) for name, groups in self.by_dimension()]
        return [*rows, VerificationTally.of("Total", self.kpis)]

    @property
    def not_reported(self) -> list[KpiGroup]:
        return [k for k in self.kpis if not k.reported and not _all_not_applicable(k)]

    @property
    def not_verified(self) -> list[KpiGroup]:
        return [k for k in self.kpis if k.reported and k.verified is not True]


def kinds_of(card: Scorecard) -> dict[TargetKind, int]:
    """How many of the card's data points are scored against a target of each kind."""
    return kinds_counted([Counter(i.benchmark.source_kind for i in card.items if i.benchmark is not None)])


def kinds_counted(counts: Iterable[Mapping[TargetKind, int]]) -> dict[TargetKind, int]:
    """Benchmarked data points per target kind summed over several cities, in the kinds' order."""
    total: Counter[TargetKind] = Counter()
    for found in counts:
        total.update(found)
    return {kind: total[kind] for kind in TargetKind if total[kind]}


def dp_label(group: KpiGroup, key: str) -> str:
    if group.kpi is not None:
        for dp in group.kpi.data_points:
            if dp.key == key and dp.label:
                return dp.label
    return key


def _all_not_applicable(group: KpiGroup) -> bool:
    return all(i.result.status is ResultStatus.NOT_APPLICABLE for i in group.items)


def _sdg_view(groups: list[KpiGroup]) -> list[SdgGoal]:
    """Results grouped by the SDG goals each KPI informs (a KPI may inform several)."""
    by_goal: dict[int, list[KpiGroup]] = {}
    for g in groups:
        for goal in g.kpi.sdg_goals if g.kpi else []:
            by_goal.setdefault(goal, []).append(g)
    goals = []
    for goal in sorted(by_goal):
        members = by_goal[goal]
        targets = sorted({t for m in members if m.kpi for t in m.kpi.sdg_targets if t.split(".")[0] == str(goal)})
        points = [i.points for m in members for i in m.items if i.points is not None]
        goals.append(SdgGoal(goal=goal, targets=targets, kpis=members, percent=group_percent(points)))
    return goals


def directions(kpis: dict[str, Kpi]) -> dict[tuple[str, str], Direction]:
    return {(code, dp.key): dp.direction for code, kpi in kpis.items() for dp in kpi.data_points}


def build(history: Sequence[Assessment], kpis: dict[str, Kpi], book: TargetBook) -> CityReport:
    """The report of one city from its assessments (one per year, any order)."""
    ordered = sorted(history, key=lambda a: a.profile.year)
    card = score(ordered[-1], book)
    groups = [
        KpiGroup(kpi=kpis.get(code), items=list(items)) for code, items in groupby(card.items, lambda i: i.result.code)
    ]
    trend = progress(ordered, book, directions(kpis)) if len(ordered) > 1 else None
    return CityReport(
        history=ordered,
        card=card,
        progress=trend,
        kpis=groups,
        summary=summary(ordered[-1]),
        target_sets=book.names,
        sdg=_sdg_view(groups),
        screening=[d for s in book.sets if s.screening for d in screen(ordered, s.peers, s.screening)],
        peer_sets=[s.name for s in book.sets if s.peers],
        maturity=criteria(ordered[-1].results, kpis),
    )
