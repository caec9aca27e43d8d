"""How many KPIs and data points a city reported, counted the way a U4SSC verifier counts them.

Verification reports list "KPIs Not Reported" and mark a KPI "Partial" when only some of its data
points were given (Rana 2020: SO2 and O3 missing for air pollution). So a KPI is counted once, by
the state of its data points; data points are also counted one by one, because the U4SSC scoring
rule scores every data point separately.

A data point the city declared not applicable (a waste disposal method the city does not use) does
not make its KPI partial. That reading is ours: the U4SSC pages read do not say how verifiers
treat it. A value in error counts as not reported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import StrEnum
from itertools import groupby

from pydantic import BaseModel, Field

from citykpi.model.assessment import Assessment, KpiResult, ResultStatus


class KpiState(StrEnum):
    REPORTED = "reported"
    PARTIAL = "partial"
    NOT_REPORTED = "not reported"
    NOT_APPLICABLE = "not applicable"


class Tally(BaseModel):
    kpis: int = 0
    kpis_reported: int = 0
    kpis_partial: int = 0
    kpis_not_reported: int = 0
    kpis_not_applicable: int = 0
    data_points: int = 0
    data_points_reported: int = Field(default=0, description="Data points with a value (computed or reported)")
    data_points_not_applicable: int = 0
    data_points_error: int = 0


class DimensionTally(Tally):
    dimension: str


class SubdimensionTally(Tally):
    dimension: str
    subdimension: str


class LevelTally(Tally):
    level: str


class PartialKpi(BaseModel):
    code: str
    missing: list[str] = Field(description="Keys of the applicable data points without a value")


class Summary(BaseModel):
    city: str
    country: str
    year: int
    frameworks: list[str]
    total: Tally
    by_dimension: list[DimensionTally]
    by_subdimension: list[SubdimensionTally]
    by_level: list[LevelTally]
    not_reported: list[str] = Field(description="Codes of the KPIs without any value")
    partial: list[PartialKpi]


def kpi_state(results: Iterable[KpiResult]) -> KpiState:
    """The state of one KPI from the results of all its data points."""
    applicable = [r for r in results if r.status is not ResultStatus.NOT_APPLICABLE]
    if not applicable:
        return KpiState.NOT_APPLICABLE
    with_value = sum(r.has_value for r in applicable)
    if with_value == len(applicable):
        return KpiState.REPORTED
    return KpiState.PARTIAL if with_value else KpiState.NOT_REPORTED


def _kpis(assessment: Assessment) -> list[list[KpiResult]]:
    return [list(rows) for _, rows in groupby(assessment.results, key=lambda r: r.code)]


def total(assessment: Assessment) -> Tally:
    """The whole assessment's counts alone (a comparison of thousands of cities needs no more)."""
    return _tally(_kpis(assessment))


def summary(assessment: Assessment) -> Summary:
    kpis = _kpis(assessment)
    profile = assessment.profile
    return Summary(
        city=profile.city,
        country=profile.country,
        year=profile.year,
        frameworks=assessment.frameworks,
        total=_tally(kpis),
        by_dimension=[
            DimensionTally(dimension=d, **_tally(group).model_dump())
            for d, group in _grouped(kpis, lambda r: r.dimension)
        ],
        by_subdimension=[
            SubdimensionTally(dimension=group[0][0].dimension, subdimension=s, **_tally(group).model_dump())
            for s, group in _grouped(kpis, lambda r: r.subdimension)
        ],
        by_level=[
            LevelTally(level=lv, **_tally(group).model_dump()) for lv, group in _grouped(kpis, lambda r: r.level)
        ],
        not_reported=[rows[0].code for rows in kpis if kpi_state(rows) is KpiState.NOT_REPORTED],
        partial=[
            PartialKpi(
                code=rows[0].code,
                missing=[r.data_point for r in rows if not r.has_value and r.status is not ResultStatus.NOT_APPLICABLE],
            )
            for rows in kpis
            if kpi_state(rows) is KpiState.PARTIAL
        ],
    )


def _grouped(kpis: list[list[KpiResult]], key: Callable[[KpiResult], str]) -> list[tuple[str, list[list[KpiResult]]]]:
    """Groups in order of first appearance, which is the catalogue's order."""
    groups: dict[str, list[list[KpiResult]]] = {}
    for rows in kpis:
        groups.setdefault(key(rows[0]), []).append(rows)
    return list(groups.items())


def _tally(kpis: list[list[KpiResult]]) -> Tally:
    tally = Tally()
    field = {
        KpiState.REPORTED: "kpis_reported",
        KpiState.PARTIAL: "kpis_partial",
        KpiState.NOT_REPORTED: "kpis_not_reported",
        KpiState.NOT_APPLICABLE: "kpis_not_applicable",
    }
    for rows in kpis:
        tally.kpis += 1
        name = field[kpi_state(rows)]
        setattr(tally, name, getattr(tally, name) + 1)
        tally.data_points += len(rows)
        tally.data_points_reported += sum(r.has_value for r in rows)
        tally.data_points_not_applicable += sum(r.status is ResultStatus.NOT_APPLICABLE for r in rows)
        tally.data_points_error += sum(r.status is ResultStatus.ERROR for r in rows)
    return tally
