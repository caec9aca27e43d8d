"""The schema of a KPI framework.

One schema per concept: the catalogue files are validated against these models, the CLI prints
them, and the API returns them. A framework (U4SSC, a national set, a city's local set) is a data
file that parses into `Framework`; nothing about a particular KPI lives in code.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from citykpi.framework.levels import Level

IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")

# Names a formula may use without declaring them: the city profile on the workbook's cover sheet,
# shared by many KPIs as denominators.
PROFILE_FIELDS: dict[str, str] = {
    "population": "City population (inhabitants)",
    "households": "Number of households in the city",
    "area_km2": "City land area (km²)",
    "gdp": "City GDP (local currency, current prices)",
}


class KpiType(StrEnum):
    """The second type flag of the U4SSC KPI sheets (Verification Manual p.14)."""

    SMART = "smart"
    SUSTAINABLE = "sustainable"
    STRUCTURAL = "structural"


class Direction(StrEnum):
    HIGHER = "higher"  # higher is better
    LOWER = "lower"  # lower is better
    TARGET = "target"  # closest to a reference value is best (e.g. gender income ratio 1.0)
    YES = "yes"  # qualitative: "yes" (or the best level) is the desirable answer
    NONE = "none"  # no desirable direction is defined (context only)


class ValueKind(StrEnum):
    NUMBER = "number"
    INTEGER = "integer"
    BOOLEAN = "boolean"  # yes/no
    LEVEL = "level"  # one of an ordered list of `levels`, worst first


class Confidence(StrEnum):
    """How sure the catalogue is of a KPI's formula and unit (carried from the reference CSV)."""

    HIGH = "high"  # read from the official KPI sheet
    MEDIUM_CODE = "medium-code"  # a public implementation agrees with the secondary-source wording
    MEDIUM = "medium"  # secondary sources only
    LOW = "low"  # formula not settled
    LOCAL = "local"  # defined by the framework's own author (national/local KPIs)


class Provenance(BaseModel):
    model_config = ConfigDict(extra="forbid")

    confidence: Confidence
    basis: str = Field(description="Plain-language statement of where the formula and unit come from")
    sources: list[str] = Field(default_factory=list)
    open_questions: list[str] = Field(
        default_factory=list, description="What the reference could not settle (unit, code, denominator, ...)"
    )


class Input(BaseModel):
    """A raw input component a city reports (a numerator, a denominator, a count)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="Identifier used in formulas, unique within the framework")
    label: str
    definition: str = ""
    unit: str
    kind: ValueKind = ValueKind.NUMBER
    minimum: float | None = 0
    maximum: float | None = None

    @field_validator("name")
    @classmethod
    def _identifier(cls, v: str) -> str:
        if not IDENTIFIER.match(v):
            raise ValueError(f"input name {v!r} must be lower_snake_case (letters, digits, underscores)")
        return v


class DataPoint(BaseModel):
    """One reported value of a KPI. Single-valued KPIs have exactly one data point keyed 'value'."""

    model_config = ConfigDict(extra="forbid")

    key: str = "value"
    label: str = ""
    unit: str
    kind: ValueKind = ValueKind.NUMBER
    levels: list[str] | None = Field(default=None, description="For kind=level: allowed answers, worst first")
    formula: str | None = Field(
        default=None,
        description="Safe expression over input names and profile fields; None = reported directly only",
    )
    direction: Direction = Direction.HIGHER
    target: float | None = Field(
        default=None, description="For direction=target: the reference value that is best (e.g. 1.0)"
    )
    minimum: float | None = None
    maximum: float | None = None

    @field_validator("key")
    @classmethod
    def _key(cls, v: str) -> str:
        if not IDENTIFIER.match(v):
            raise ValueError(f"data point key {v!r} must be lower_snake_case")
        return v

    @model_validator(mode="after")
    def _levels(self) -> DataPoint:
        if self.kind is ValueKind.LEVEL and not self.levels:
            raise ValueError(f"data point {self.key!r} is of kind 'level' but lists no levels")
        if self.direction is Direction.TARGET and self.target is None:
            raise ValueError(f"data point {self.key!r} has direction 'target' but no target value")
        return self


class Check(BaseModel):
    """A plausibility rule from the KPI sheets' verification guidance; failing it is a warning.

    `expression` is a safe expression that must be true; it may call `kpi(code)` or
    `kpi(code, data_point)` for computed KPI values, and use profile fields and input names.
    """

    model_config = ConfigDict(extra="forbid")

    id: str
    expression: str
    message: str
    severity: Literal["warning", "error"] = "warning"


class Kpi(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str
    aliases: list[str] = Field(
        default_factory=list, description="Other codes under which sources print this KPI (e.g. an older edition)"
    )
    name: str
    dimension: str
    subdimension: str
    category: str
    level: Level
    type: KpiType | None = None
    unit: str
    definition: str = ""
    formula_text: str = Field(default="", description="The methodology in words, as on the KPI sheet")
    sdg_targets: list[str] = Field(default_factory=list)
    sdg_goals: list[int] = Field(default_factory=list)
    inputs: list[Input] = Field(default_factory=list)
    data_points: list[DataPoint] = Field(min_length=1)
    checks: list[Check] = Field(default_factory=list)
    guidance: str = Field(default="", description="Collection guidance shown to the city team")
    provenance: Provenance

    @property
    def is_multi(self) -> bool:
        return len(self.data_points) > 1

    @model_validator(mode="after")
    def _unique_keys(self) -> Kpi:
        keys = [d.key for d in self.data_points]
        if len(keys) != len(set(keys)):
            raise ValueError(f"KPI {self.code}: duplicate data point keys {keys}")
        return self


class Framework(BaseModel):
    """A versioned KPI framework file. `extends` names frameworks whose inputs it may reuse."""

    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    version: str
    description: str = ""
    publisher: str = ""
    licence: str = ""
    extends: list[str] = Field(default_factory=list)
    kpis: list[Kpi]

    @model_validator(mode="after")
    def _unique(self) -> Framework:
        codes = [k.code for k in self.kpis]
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        if dupes:
            raise ValueError(f"framework {self.id}: duplicate KPI codes {dupes}")
        owners: dict[str, str] = {}
        for k in self.kpis:
            for i in k.inputs:
                if i.name in PROFILE_FIELDS:
                    raise ValueError(f"KPI {k.code}: input {i.name!r} shadows the city profile field")
                if i.name in owners and owners[i.name] != k.code:
                    raise ValueError(
                        f"input {i.name!r} declared by both {owners[i.name]} and {k.code}; "
                        "declare it once and reuse the name in the other formula"
                    )
                owners[i.name] = k.code
        return self
