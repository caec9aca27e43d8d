"""A city's own targets per KPI data point and year (read by anyone, set by its editor or hub manager)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from citykpi.api.schemas import FINITE
from citykpi.http.callers import SignedIn
from citykpi.http.deps import Db, Reader
from citykpi.platform import cities, targets
from citykpi.platform.catalogues import catalogue_of
from citykpi.store.schema import Target

router = APIRouter(tags=["targets"])


class TargetIn(BaseModel):
    model_config = FINITE

    kpi: str = Field(min_length=1, max_length=40)
    data_point: str = Field(default="value", min_length=1, max_length=100)
    year: int = Field(ge=1900, le=2200)
    value: float
    note: str = Field(default="", max_length=2000)


class TargetOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kpi: str
    data_point: str
    year: int
    value: float
    note: str


@router.get("/cities/{slug}/targets", response_model=list[TargetOut])
def list_targets(slug: str, session: Reader) -> list[Target]:
    return targets.list_targets(session, cities.get_city(session, slug))


@router.put("/cities/{slug}/targets", response_model=TargetOut)
def set_target(slug: str, body: TargetIn, who: SignedIn, db: Db) -> Target:
    with db.write() as session:
        city = cities.get_city(session, slug)
        catalogue = catalogue_of(cities.latest_framework(session))
        return targets.set_target(
            session, who, city, catalogue, body.kpi, body.data_point, body.year, body.value, body.note
        )
