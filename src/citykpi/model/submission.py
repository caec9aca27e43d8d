"""What a city submits, whatever the file format it came in.

Every reader (workbook, tidy CSV, data package) produces a `Submission`; everything downstream
(assessment, storage, exchange) consumes only this model.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum

from pydantic import BaseModel, ConfigDict, Field

from citykpi.model.diagnostics import Location


class Status(StrEnum):
    REPORTED = "reported"
    NOT_AVAILABLE = "not available"
    NOT_APPLICABLE = "not applicable"
    NOT_REPORTED = "not reported"  # the cell was left empty


class DataQuality(IntEnum):
    """The six data-quality levels of the U4SSC collection template (Verification Manual p.163)."""

    ACCURATE_MEASUREMENT = 1
    SURVEY_EXTRAPOLATION = 2
    HIGHER_LEVEL_EXTRAPOLATION = 3
    ASSUMPTION_ESTIMATE = 4
    PERSONAL_ESTIMATE = 5
    UNKNOWN = 6

    @property
    def label(self) -> str:
        return DATA_QUALITY_LABELS[self]


DATA_QUALITY_LABELS: dict[DataQuality, str] = {
    DataQuality.ACCURATE_MEASUREMENT: "Based on accurate measurements",
    DataQuality.SURVEY_EXTRAPOLATION: "Extrapolated based on survey of inhabitants",
    DataQuality.HIGHER_LEVEL_EXTRAPOLATION: "Extrapolated based on higher-level data",
    DataQuality.ASSUMPTION_ESTIMATE: "Estimation based on certain assumptions",
    DataQuality.PERSONAL_ESTIMATE: "Personal estimation",
    DataQuality.UNKNOWN: "Unknown methodology, not traceable",
}


class EntryKind(StrEnum):
    INPUT = "input"  # a raw input component; `name` is the input's name
    VALUE = "value"  # a KPI data point reported directly (overrides the formula); `name` is its key


class CityProfile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    city: str
    country: str = ""
    year: int
    population: float | None = None
    households: float | None = None
    area_km2: float | None = None
    gdp: float | None = None
    currency: str = ""

    @property
    def place(self) -> tuple[str, str]:
        """Name and country: two cities named London are two cities, so nothing groups by the name alone."""
        return (self.city, self.country)

    @property
    def place_label(self) -> str:
        """`London, Canada`, or the name alone when the country is not given."""
        return f"{self.city}, {self.country}" if self.country else self.city


class Entry(BaseModel):
    """One reported cell or row: a value with its status, source and data quality."""

    model_config = ConfigDict(extra="forbid")

    kpi: str
    kind: EntryKind
    name: str
    value: float | bool | str | None = None
    status: Status = Status.NOT_REPORTED
    quality: DataQuality | None = None
    origin: str = ""
    source: str = ""
    notes: str = ""
    verified: bool | None = Field(default=None, description="Verifier's YES/NO, where the file carries it")
    location: Location = Field(default_factory=Location)


class Submission(BaseModel):
    """One city's data for one year, with the frameworks it answers."""

    profile: CityProfile
    entries: list[Entry] = Field(default_factory=list)
    frameworks: list[str] = Field(default_factory=lambda: ["u4ssc"])
    source_file: str = ""
    places: dict[str, Location] = Field(
        default_factory=dict,
        exclude=True,
        description="Where each profile field and input row of the file is, filled or left empty, so that a "
        "problem about an empty input can point at the cell to fill; not part of the data",
    )
