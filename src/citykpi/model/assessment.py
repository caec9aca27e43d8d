"""The outcome of assessing one submission: a value (or the reason for none) per KPI data point.

`KpiResult` is the row of `kpis.csv`/`kpis.json`, the record the store keeps, the object the API
returns and what reports, scoring and exports read.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field

from citykpi.model.diagnostics import Location
from citykpi.model.submission import CityProfile, DataQuality


class ResultStatus(StrEnum):
    COMPUTED = "computed"  # calculated from input components with the KPI's formula
    REPORTED = "reported"  # reported directly as a final value (override of the formula)
    NOT_AVAILABLE = "not available"
    NOT_APPLICABLE = "not applicable"
    NOT_REPORTED = "not reported"
    ERROR = "error"  # inputs present but unusable (zero denominator, out of range, ...)


class InputUse(BaseModel):
    """One value a formula read, and where it came from (a workbook cell, a CSV row, a stored edit)."""

    name: str
    value: float
    location: Location = Field(default_factory=Location)


class KpiResult(BaseModel):
    code: str
    data_point: str = Field(description="Data point key; 'value' for single-valued KPIs")
    name: str
    dimension: str
    subdimension: str
    category: str
    level: str
    unit: str
    value: float | None = None
    value_text: str | None = Field(default=None, description="Answer of a qualitative KPI (yes/no, level)")
    status: ResultStatus
    quality: DataQuality | None = None
    source: str = ""
    origin: str = ""
    verified: bool | None = None
    reason: str = ""
    # The trace below is what the checks read to point at input cells; it is not serialised, so kpis.json,
    # the store and the exchange formats carry values and reasons, not where each input was typed.
    problem: str = Field(
        default="",
        exclude=True,
        description="Why there is no value, as the key of the diagnostic a check reports it under "
        "('zero-denominator', 'missing-input', 'constraint-error.computed'); empty when there is a value",
    )
    inputs: list[InputUse] = Field(
        default_factory=list, exclude=True, description="What the formula read, and from where"
    )
    missing: list[str] = Field(
        default_factory=list,
        exclude=True,
        description="Inputs and profile fields left empty while the formula's others were given",
    )

    @property
    def has_value(self) -> bool:
        return self.status in (ResultStatus.COMPUTED, ResultStatus.REPORTED)


class Assessment(BaseModel):
    profile: CityProfile
    frameworks: list[str]
    results: list[KpiResult]
