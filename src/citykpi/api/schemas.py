"""Response and request bodies of the API, as they appear in /openapi.json."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from citykpi.model.completion import CertificateDecision, Completion
from citykpi.model.diagnostics import Diagnostic, ValidationReport
from citykpi.platform.roles import Role
from citykpi.platform.values import EntryEdit, Overwritten
from citykpi.platform.workflow import PeriodState, ReviewAction
from citykpi.scoring.scorecard import Coverage, GroupScore

T = TypeVar("T")
# JSON as Python reads it takes NaN, Infinity and 1e309 (too large, so infinite) for numbers; no
# stored figure may be one of them (the database export would not be standard JSON): 422 instead.
FINITE = ConfigDict(allow_inf_nan=False)


class ErrorBody(BaseModel):
    type: str = Field(description="What went wrong, e.g. 'not-found', 'conflict', 'invalid', 'invalid-request'")
    message: str
    report: ValidationReport | None = Field(default=None, description="Each problem with its location")


class ErrorOut(BaseModel):
    """Every answer of status 400 or more has this body (citykpi.api.errors)."""

    error: ErrorBody


ERRORS = {
    401: "Not signed in, or the API token is unknown, revoked or expired",
    403: "The caller's role may not do this, or a cookie session sent no CSRF token",
    404: "No such city, period, value or review (or one the caller may not see)",
    409: "A stale version or a state that does not allow the change; nothing was written",
    422: "The request is not valid; the report locates each problem (field, row, cell)",
}


def error_answer(description: str) -> dict[str, Any]:
    """An error answer in the OpenAPI document; the content is spelled out as well, because routes
    answering files (CSV, HTML, PDF) answer their errors as JSON."""
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
    return {"model": ErrorOut, "description": description, "content": content}


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {status: error_answer(text) for status, text in ERRORS.items()}


class PageOut(BaseModel, Generic[T]):
    total: int
    limit: int
    offset: int
    items: list[T]


class Orm(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class CityOut(Orm):
    slug: str
    name: str
    country: str
    population: float | None
    area_km2: float | None
    hub: str
    peer_group: str
    latitude: float | None
    longitude: float | None


class CityIn(BaseModel):
    model_config = FINITE

    name: str = Field(min_length=1, max_length=200)
    slug: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9-]{0,99}$")
    country: str = Field(default="", max_length=100)
    population: float | None = Field(default=None, ge=0)
    area_km2: float | None = Field(default=None, ge=0)
    hub: str = Field(default="", max_length=100)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)


class PeriodOut(Orm):
    id: int
    year: int
    status: str
    version: int
    profile: dict[str, Any]
    published_at: datetime | None


class PeriodSummary(PeriodOut):
    completion: Completion


class CityDetail(CityOut):
    periods: list[PeriodSummary]


class PeriodDetail(PeriodOut):
    city: CityOut
    framework: str
    completion: Completion
    certificate: CertificateDecision


class PeriodIn(BaseModel):
    year: int = Field(ge=1900, le=2200)


class ValueOut(BaseModel):
    id: int
    period_id: int
    kpi: str
    kind: str
    name: str
    value: float | bool | str | None
    status: str
    quality: int | None
    origin: str
    source: str
    notes: str
    version: int
    updated_at: datetime
    updated_by: str


class ValueIn(EntryEdit):
    model_config = FINITE

    @field_validator("value", "quality", mode="before")
    @classmethod
    def _finite(cls, found: object) -> object:
        # Before the union is tried: otherwise each of its types reports its own error for one value.
        if isinstance(found, float) and not math.isfinite(found):
            raise ValueError("a number must be finite, not NaN or infinite")
        return found

    version: int = Field(ge=0, description="The version you edited; 0 to create a value that does not exist yet")
    reason: str = Field(default="", max_length=2000)


class AuditOut(Orm):
    id: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: int | None
    period_id: int | None
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    reason: str


class ImportOut(BaseModel):
    report: ValidationReport
    created: int
    updated: int
    unchanged: int
    overwritten: list[Overwritten] = Field(
        default_factory=list, description="Values edited (form or PUT) since last imported, which this file replaced"
    )


class ResultOut(BaseModel):
    code: str
    data_point: str
    dimension: str
    level: str
    status: str
    value: float | None
    value_text: str | None
    record: dict[str, Any]


class ScoreOut(BaseModel):
    """A group's score (city, dimension, sub-dimension, category) with what it covers: the percentage
    counts only the scored data points (the U4SSC rule), `coverage` says how many those are."""

    level: str
    path: list[str]
    percent: float | None
    band: int | None
    points: int
    max_points: int
    coverage: Coverage

    @classmethod
    def of(cls, group: GroupScore) -> ScoreOut:
        return cls(
            level=group.level,
            path=list(group.path),
            percent=group.percent,
            band=None if group.band is None else int(group.band),
            points=group.points,
            max_points=group.max_points,
            coverage=group.coverage,
        )


class CommonBasisOut(BaseModel):
    """The city's score on the data points that every ranked city of its peer group and year scored."""

    percent: float | None
    scored: int = Field(description="Data points of the common basis this city scored (all of them when ranked)")
    basis: int = Field(description="Data points in the common basis")


class CompareOut(BaseModel):
    """One city's latest visible period in a comparison. Ranks are within its peer group and year, on
    the common basis; a city that scored less than `rank_min_share` of its benchmarked data points
    is listed with `rank` null."""

    city: str = Field(description="The city's slug")
    name: str
    country: str
    peer_group: str
    period_id: int
    year: int
    status: PeriodState
    rank: int | None
    share_scored: float = Field(description="Scored of the benchmarked data points, 0 to 1")
    rank_min_share: float
    score: ScoreOut = Field(description="The city's own score (the U4SSC rule) with what it covers")
    common_basis: CommonBasisOut


class MessageOut(Orm):
    id: int
    author: str
    action: str
    body: str
    created_at: datetime


class ReviewOut(Orm):
    id: int
    period_id: int
    kpi: str
    state: str
    version: int
    screening: list[Diagnostic]


class ReviewDetail(ReviewOut):
    messages: list[MessageOut]


class ReviewActionIn(BaseModel):
    action: ReviewAction
    version: int = Field(ge=0)
    message: str = Field(default="", max_length=10_000)


class TransitionIn(BaseModel):
    to: PeriodState
    version: int = Field(ge=0)
    reason: str = Field(default="", max_length=2000)


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1000)


class Me(BaseModel):
    username: str
    role: Role
    cities: list[int]
    hubs: list[str]
    csrf_token: str | None = None


class TokenIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)


class TokenOut(BaseModel):
    id: int
    name: str
    created_at: datetime
    revoked: bool
    token: str | None = Field(default=None, description="Shown once, when the token is created")


class UserIn(BaseModel):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1000)
    role: Role
    display_name: str = Field(default="", max_length=200)
    cities: list[str] = Field(default_factory=list, description="City slugs (city editor, verifier)")
    hubs: list[str] = Field(default_factory=list, description="Hubs (hub manager)")


class UserOut(Orm):
    id: int
    username: str
    display_name: str
    role: str
    active: bool


class KpiOut(BaseModel):
    code: str
    name: str
    dimension: str
    subdimension: str
    category: str
    level: str
    unit: str


class Health(BaseModel):
    status: str
    database: str


class CertificateOut(BaseModel):
    city: str
    year: int
    period_status: str
    issued: bool = Field(description="Eligible under the rule and the period verified or published")
    reference: str | None = Field(
        default=None, description="What an issued certificate prints (period id and digest), to check a printed copy"
    )
    decision: CertificateDecision
    completion: Completion


class InputUsedOut(BaseModel):
    name: str
    label: str
    unit: str
    value: float | str | None


class ResultRowOut(BaseModel):
    """One KPI data point of one city and year (columns described in `platform.columns.RESULT_COLUMNS`)."""

    city: str
    city_name: str
    country: str
    hub: str
    peer_group: str
    year: int
    period_id: int
    period_status: str
    framework: str
    code: str
    data_point: str
    name: str
    dimension: str
    subdimension: str
    category: str
    level: str
    unit: str
    value: float | None
    value_text: str | None
    status: str
    quality: int | None
    source: str
    verified: bool | None
    percent: float | None
    band: str | None
    points: int | None
    inputs: list[InputUsedOut] | None = Field(default=None, description="With inputs=true: what the formula read")


class ResultPageOut(BaseModel):
    limit: int
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page")
    items: list[ResultRowOut]
