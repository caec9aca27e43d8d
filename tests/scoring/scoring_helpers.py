"""Hand-built results and assessments: the scoring core is tested without the catalogue or the readers.

A plain module (not conftest.py) so that `from scoring_helpers import ...` is unambiguous when the
whole suite is collected.
"""

from __future__ import annotations

from citykpi.model.assessment import Assessment, KpiResult, ResultStatus
from citykpi.model.submission import CityProfile


def make_result(
    code: str,
    value: float | None = None,
    *,
    data_point: str = "value",
    text: str | None = None,
    category: str = "Education",
    subdimension: str = "Education, Health and Culture",
    dimension: str = "Society and Culture",
    status: ResultStatus | None = None,
) -> KpiResult:
    if status is None:
        status = ResultStatus.COMPUTED if (value is not None or text is not None) else ResultStatus.NOT_REPORTED
    return KpiResult(
        code=code,
        data_point=data_point,
        name=f"KPI {code}",
        dimension=dimension,
        subdimension=subdimension,
        category=category,
        level="core",
        unit="%",
        value=value,
        value_text=text,
        status=status,
    )


def make_assessment(results: list[KpiResult], year: int = 2022, city: str = "Testville") -> Assessment:
    return Assessment(profile=CityProfile(city=city, year=year), frameworks=["u4ssc"], results=results)
