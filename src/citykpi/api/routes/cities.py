"""Cities, their assessment periods and the catalogue they are assessed against."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from citykpi.api.schemas import (
    CityDetail,
    CityIn,
    CityOut,
    KpiOut,
    PageOut,
    PeriodDetail,
    PeriodIn,
    PeriodOut,
    PeriodSummary,
)
from citykpi.framework.model import Kpi
from citykpi.http.callers import Caller, SignedIn, resolve_caller
from citykpi.http.deps import Db, Id, Reader, read_in_thread
from citykpi.http.similar import similar_cities as kept_similar
from citykpi.platform import cities, similar, standing, verification
from citykpi.platform.catalogues import catalogue_of
from citykpi.platform.errors import NotFound
from citykpi.platform.roles import Principal, read_scope
from citykpi.store.schema import Framework, Period
from citykpi.store.stamps import city_stamp

router = APIRouter(tags=["cities"])

Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]


@router.get("/catalogue", response_model=list[KpiOut])
def catalogue(session: Reader, framework: str = "u4ssc") -> list[KpiOut]:
    row = cities.latest_framework(session, framework)
    return [
        KpiOut(
            code=k.code,
            name=k.name,
            dimension=k.dimension,
            subdimension=k.subdimension,
            category=k.category,
            level=k.level.value,
            unit=k.unit,
        )
        for k in catalogue_of(row).kpis.values()
    ]


@router.get("/catalogue/{framework}/kpis/{code}", response_model=Kpi)
def catalogue_kpi(framework: str, code: str, session: Reader) -> Kpi:
    """One KPI as the framework file defines it (the catalogue's own schema): definition, formula,
    inputs with units, data points, SDG targets, guidance and provenance."""
    found = catalogue_of(cities.latest_framework(session, framework))
    canonical = found.normalise_code(code)
    if canonical is None:
        raise NotFound.said("kpi", "no KPI {code!r} in {framework}", code=code, framework=framework)
    return found.kpis[canonical]


@router.get("/cities", response_model=PageOut[CityOut])
def list_cities(
    session: Reader,
    limit: Limit = 50,
    offset: Offset = 0,
    hub: str | None = None,
    country: str | None = None,
    peer_group: str | None = None,
    q: str | None = None,
) -> PageOut[CityOut]:
    total, rows = cities.list_cities(
        session, cities.Page(limit, offset), hub=hub, country=country, peer=peer_group, q=q
    )
    return PageOut(total=total, limit=limit, offset=offset, items=[CityOut.model_validate(r) for r in rows])


@router.post("/cities", response_model=CityOut, status_code=201)
def create_city(body: CityIn, who: SignedIn, db: Db) -> CityOut:
    with db.write() as session:
        city = cities.create_city(session, who, **body.model_dump())
        return CityOut.model_validate(city)


@router.get("/cities/{slug}", response_model=CityDetail)
async def city(slug: str, request: Request) -> Response:
    """The city with each period the caller may see and its completion (cached until data change)."""

    def answer(session: Session) -> Response:
        who = resolve_caller(request, session)

        def build() -> CityDetail:
            found = cities.get_city(session, slug)
            periods = cities.list_periods(session, who, found)
            figures = standing.completions(session, periods)
            summaries = [
                PeriodSummary.model_validate({**PeriodOut.model_validate(p).model_dump(), "completion": figures[p.id]})
                for p in periods
            ]
            return CityDetail.model_validate({**CityOut.model_validate(found).model_dump(), "periods": summaries})

        stamp = city_stamp(session, slug)
        return request.app.state.cache.respond(session, ("city", slug, read_scope(who)), build, stamp)

    return await read_in_thread(request, answer)


@router.get("/cities/{slug}/periods", response_model=list[PeriodOut])
def periods(slug: str, who: Caller, session: Reader) -> list[Period]:
    return cities.list_periods(session, who, cities.get_city(session, slug))


@router.get("/cities/{slug}/similar", response_model=similar.Similarity)
def similar_cities(slug: str, who: Caller, session: Reader) -> similar.Similarity:
    """The five cities most alike by profile and by KPI values, and where the city leads and lags the
    first five; computed over the periods the caller may see (published ones for the public)."""
    return kept_similar(session, who, cities.get_city(session, slug))


@router.post("/cities/{slug}/periods", response_model=PeriodOut, status_code=201)
def create_period(slug: str, body: PeriodIn, who: SignedIn, db: Db, framework: str = "u4ssc") -> Period:
    with db.write() as session:
        found = cities.get_city(session, slug)
        return cities.create_period(session, who, found, body.year, cities.latest_framework(session, framework))


def period_detail(session: Reader, who: Principal, period_id: Id, request: Request) -> PeriodDetail:
    period = cities.get_period(session, who, period_id)
    standing = verification.standing(session, period, request.app.state.settings.certificate_rule)
    framework = session.get(Framework, period.framework_id)
    if framework is None:
        raise NotFound(f"framework of period {period_id} is missing")
    return PeriodDetail.model_validate(
        {
            **PeriodOut.model_validate(period).model_dump(),
            "city": CityOut.model_validate(period.city),
            "framework": f"{framework.key} {framework.version}",
            "completion": standing.completion,
            "certificate": standing.certificate,
        }
    )


@router.get("/periods/{period_id}", response_model=PeriodDetail)
def period(period_id: Id, who: Caller, session: Reader, request: Request) -> PeriodDetail:
    return period_detail(session, who, period_id, request)


@router.get("/periods", response_model=PageOut[PeriodOut])
def list_periods(
    who: Caller,
    session: Reader,
    limit: Limit = 50,
    offset: Offset = 0,
    year: Annotated[int | None, Query(ge=1900, le=2200)] = None,
    status: str | None = None,
) -> PageOut[PeriodOut]:
    """Periods across cities that the caller may see (published ones for the public)."""
    rows = [p for p in session.scalars(_periods_query(year, status)).all() if cities.may_see(who, p)]
    page = rows[offset : offset + limit]
    return PageOut(total=len(rows), limit=limit, offset=offset, items=[PeriodOut.model_validate(p) for p in page])


def _periods_query(year: int | None, status: str | None) -> Select[Period]:
    query = select(Period).order_by(Period.year, Period.id)
    if year is not None:
        query = query.where(Period.year == year)
    if status:
        query = query.where(Period.status == status)
    return query
