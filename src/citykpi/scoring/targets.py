"""What a target is, and which of several targets a KPI data point is scored against.

Targets are data, like frameworks: a city, a country or a verifier ships a file of them. A data
point may carry several targets at once (an SDG value, a national law, a city policy); all are
shown in reports, one is used for the points (see `TargetBook.benchmark`).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum, StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from citykpi.scoring.peers import PeerFigures, ScreeningRule


class TargetLevel(IntEnum):
    """Scope of a target; a higher number is closer to the city and wins when several exist."""

    INTERNATIONAL = 1
    NATIONAL = 2
    LOCAL = 3

    @property
    def label(self) -> str:
        return self.name.lower()


class TargetDirection(StrEnum):
    HIGHER = "higher"  # the value should reach or exceed the target
    LOWER = "lower"  # the value should stay at or below the target
    TARGET = "target"  # the value should be as close to the target as possible (e.g. a 1.0 ratio)
    YES = "yes"  # the answer should equal the target answer (yes/no KPIs)


class TargetKind(StrEnum):
    """Where a target comes from, as reports name it; within one level a leading-cities target yields."""

    PUBLIC = "public"  # a cited public source (SDG, WHO, EU, ...): the shipped reference set
    LEADING_CITIES = "leading-cities"  # what the leading cities of a reference set reach (`targets derive`)
    OFFICIAL = "official"  # an official table or a national law or programme
    LOCAL = "local"  # the city's own target


class Derivation(BaseModel):
    """How a leading-cities target was computed, so that a report can say what it stands on."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    reference_set: str = Field(min_length=1, description="Name of the cities' set the target was derived from")
    quantile: float = Field(gt=0, lt=1, description="Quantile of the direction-adjusted values, e.g. 0.9")
    cities: int = Field(ge=1, description="Number of cities whose latest value was used")
    years: dict[int, int] = Field(description="Year -> number of cities whose latest value is of that year")
    rule: str = Field(default="", description="Which rule of docs/methodology.md applied (two-sided, yes/no)")


class Target(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kpi: str = Field(description="KPI code, e.g. 'EN: EN: AQ: 1C'")
    data_point: str | None = Field(default=None, description="Data point key; None = every data point of the KPI")
    level: TargetLevel = TargetLevel.INTERNATIONAL
    value: float | bool
    year: int | None = Field(default=None, description="Year by which the target should be met")
    direction: TargetDirection
    worst: float | None = Field(default=None, description="Worst plausible value: 0 % of target (goalposts)")
    source: str = Field(min_length=1, description="The document the target comes from")
    source_type: str = ""
    note: str = ""
    confidence: str = ""
    kind: TargetKind | None = Field(default=None, description="None = by level: local, official (national), public")
    derivation: Derivation | None = None
    averaging: str | None = Field(
        default=None, description="Averaging period the value is defined for: 'annual mean', '24-hour', ..."
    )
    mismatch: str = Field(
        default="",
        description="Why the target does not fit the KPI (another averaging period or unit); such a target is "
        "shown beside the data point but never used for points",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Target:
        if isinstance(self.value, bool) != (self.direction is TargetDirection.YES):
            raise ValueError("a yes/no target needs direction 'yes', and direction 'yes' needs a yes/no value")
        if self.worst is not None and not isinstance(self.value, bool):
            if self.worst == self.value:
                raise ValueError("the worst bound must differ from the target value")
            wrong_side = {
                TargetDirection.HIGHER: self.worst > self.value,
                TargetDirection.LOWER: self.worst < self.value,
            }.get(self.direction, False)
            if wrong_side:
                raise ValueError(f"worst bound {self.worst} lies on the good side of the target {self.value}")
        if (self.kind is TargetKind.LEADING_CITIES) != (self.derivation is not None):
            raise ValueError("a leading-cities target needs its derivation, and only such a target has one")
        return self

    @property
    def source_kind(self) -> TargetKind:
        """The kind given, else the one its level implies (a national target is an official one)."""
        if self.kind is not None:
            return self.kind
        return {TargetLevel.LOCAL: TargetKind.LOCAL, TargetLevel.NATIONAL: TargetKind.OFFICIAL}.get(
            self.level, TargetKind.PUBLIC
        )

    @property
    def numeric(self) -> float | None:
        return None if isinstance(self.value, bool) else self.value


class TargetSet(BaseModel):
    """One target file."""

    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    description: str = ""
    publisher: str = ""
    licence: str = ""
    targets: list[Target]
    peers: list[PeerFigures] = Field(
        default_factory=list, description="The reference set's figures per data point, for screening (derived files)"
    )
    screening: ScreeningRule | None = Field(default=None, description="The quantiles the peer figures stand for")

    @model_validator(mode="after")
    def _peers_with_rule(self) -> TargetSet:
        if self.peers and self.screening is None:
            raise ValueError("peer figures need the screening rule they were computed with ('screening')")
        return self


class TargetBook:
    """The targets of several files, looked up per KPI data point.

    The benchmark used for points is the target of the most local level; within a level a
    leading-cities target yields to any other (a computed peer value never overrides a cited one),
    then a target naming a data point beats a KPI-wide one, then the file loaded last wins, so that
    a city's or verifier's own file given after the default set overrides it.
    """

    def __init__(self, sets: Iterable[TargetSet]) -> None:
        self.sets = list(sets)
        self._by_kpi: dict[str, list[tuple[int, Target]]] = {}
        order = 0
        for target_set in self.sets:
            for target in target_set.targets:
                self._by_kpi.setdefault(target.kpi, []).append((order, target))
                order += 1

    def targets(self, kpi: str, data_point: str) -> list[Target]:
        """Every target that applies, most authoritative first."""
        found = [(o, t) for o, t in self._by_kpi.get(kpi, []) if t.data_point in (None, data_point)]
        found.sort(key=lambda ot: (ot[1].level, _cited(ot[1]), ot[1].data_point is not None, ot[0]), reverse=True)
        return [t for _, t in found]

    def benchmark(self, kpi: str, data_point: str) -> Target | None:
        return usable(self.targets(kpi, data_point))

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.sets]


def usable(targets: Iterable[Target]) -> Target | None:
    """The first target that fits the KPI: an annual mean is not scored against a 24-hour guideline."""
    return next((t for t in targets if not t.mismatch), None)


def _cited(target: Target) -> bool:
    return target.source_kind is not TargetKind.LEADING_CITIES
