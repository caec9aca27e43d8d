"""KPI values across cities x KPIs x years in one call, and the bulk open-data download.

Anonymous callers get published periods; a signed-in caller what its role may read. The same query
answers as JSON, CSV (one line to a pandas DataFrame: `pd.read_csv(url)`), SDMX-CSV and NGSI-LD.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic_core import to_json
from sqlalchemy.orm import Session

from citykpi.api.schemas import ResultPageOut
from citykpi.exchange.open_data import csv_bytes, licence, typed_csv
from citykpi.framework.model import Kpi
from citykpi.http.callers import resolve_caller
from citykpi.http.deps import read_in_thread
from citykpi.http.sliced import sliced
from citykpi.platform import open_data, results_query, scores
from citykpi.platform.catalogues import catalogue_of
from citykpi.platform.roles import read_scope
from citykpi.store.db import Database
from citykpi.store.schema import Framework
from citykpi.store.stamps import published_stamp

router = APIRouter(tags=["open data"])


class QueryFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    SDMX_CSV = "sdmx-csv"
    NGSI_LD = "ngsi-ld"


MEDIA = {
    QueryFormat.JSON: "application/json",
    QueryFormat.CSV: "text/csv; charset=utf-8",
    QueryFormat.SDMX_CSV: "application/vnd.sdmx.data+csv; version=1.0.0; charset=utf-8",
    QueryFormat.NGSI_LD: "application/ld+json",
}
Codes = Annotated[list[str] | None, Query()]
Year = Annotated[int | None, Query(ge=1900, le=2200)]


@router.get(
    "/results",
    response_model=ResultPageOut,
    responses={200: {"content": {m: {} for m in MEDIA.values() if m != "application/json"}}},
)
async def query_results(
    request: Request,
    city: Annotated[list[str] | None, Query(description="City slug; repeat for several")] = None,
    period: Annotated[list[int] | None, Query(description="Period id (a city's year); repeat for several")] = None,
    hub: Codes = None,
    country: Codes = None,
    peer_group: Codes = None,
    kpi: Annotated[list[str] | None, Query(description="KPI code, e.g. 'EC: ICT: ICT: 1C'; repeat for several")] = None,
    dimension: Codes = None,
    status: Annotated[
        list[str] | None, Query(description="Result status: computed, reported, not available...")
    ] = None,
    period_status: Annotated[list[str] | None, Query(description="Period state; the public sees published")] = None,
    year_from: Year = None,
    year_to: Year = None,
    inputs: Annotated[bool, Query(description="Add what each value's formula read (numerator, denominator)")] = False,
    format: QueryFormat = QueryFormat.JSON,
    limit: Annotated[int, Query(ge=1, le=results_query.MAX_LIMIT)] = 1000,
    cursor: Annotated[str | None, Query(max_length=2000, description="`next_cursor` of the previous page")] = None,
) -> Response:
    """One row per KPI data point, ordered by city, year, KPI and data point; page on with `cursor`."""
    filters = results_query.Filters(
        city=city or (), period=period or (), hub=hub or (), country=country or (), peer_group=peer_group or (),
        kpi=kpi or (), dimension=dimension or (), status=status or (), period_status=period_status or (),
        year_from=year_from, year_to=year_to,
    )  # fmt: skip

    def answer(session: Session) -> Response:
        who = resolve_caller(request, session)
        scope = read_scope(who)
        # Kept until the data the caller sees change: for the public, anything published.
        stamp = published_stamp(session) if scope == ("published",) else Database.revision(session)

        def build() -> tuple[tuple[bytes, ...], str | None]:
            page = results_query.query(session, who, filters, limit, cursor, inputs)
            return _body(session, page, format, limit), page.next_cursor

        parts, next_cursor = request.app.state.answers.get(("results", request.url.query, scope, stamp), build)
        headers = {}
        if next_cursor:
            following = request.url.include_query_params(cursor=next_cursor)
            headers = {"X-Next-Cursor": next_cursor, "Link": f'<{following}>; rel="next"'}
        return sliced(parts, MEDIA[format], headers)

    return await read_in_thread(request, answer)


def _body(session: Session, page: results_query.Page, fmt: QueryFormat, limit: int) -> tuple[bytes, ...]:
    """The page in `fmt`, in the parts it was made of; the CSV formats carry the next cursor in the
    X-Next-Cursor and Link headers only."""
    if fmt is QueryFormat.JSON:
        return _json(page, limit)
    return (_whole(session, page, fmt),)


def _whole(session: Session, page: results_query.Page, fmt: QueryFormat) -> bytes:
    if fmt is QueryFormat.CSV:
        return typed_csv(page.columns, page.records)
    rows = page.rows
    assessments = results_query.assessments_of(rows)
    kpis = _kpis(session, rows)
    if fmt is QueryFormat.SDMX_CSV:
        from citykpi.exchange.sdmx import COLUMNS, observations, structure

        return csv_bytes(COLUMNS, observations(assessments, structure(assessments, kpis)["codelists"]))
    from citykpi.exchange.ngsi import entities

    return to_json(entities(assessments, kpis, scores.book(), context_url="/api/v1/context.jsonld"))


JSON_CHUNK = 5000  # rows made dicts and serialised at a time, so a whole answer's dicts never live at once


def _json(page: results_query.Page, limit: int) -> tuple[bytes, ...]:
    """`{limit, next_cursor, items}` by orjson, the items a chunk at a time, left in their parts."""
    names = [c.name for c in page.columns]
    records = page.records
    items = [
        orjson.dumps([dict(zip(names, r, strict=True)) for r in records[start : start + JSON_CHUNK]])[1:-1]
        for start in range(0, len(records), JSON_CHUNK)
    ]
    head = orjson.dumps({"limit": limit, "next_cursor": page.next_cursor})[:-1]
    parts = [head, b',"items":[']
    for index, item in enumerate(items):
        parts += (b",", item) if index else (item,)
    return (*parts, b"]}")


def _kpis(session: Session, rows: list[dict[str, Any]]) -> dict[str, Kpi]:
    found: dict[str, Kpi] = {}
    for framework in session.query(Framework).filter(Framework.key.in_({str(r["framework"]) for r in rows})):
        found |= catalogue_of(framework).kpis
    return found


@router.get(
    "/context.jsonld",
    response_class=JSONResponse,
    responses={200: {"content": {"application/ld+json": {}}}},
)
def context() -> JSONResponse:
    """The JSON-LD @context of the U4SSC terms the NGSI-LD answers use."""
    from citykpi.exchange.ngsi import u4ssc_context

    return JSONResponse(u4ssc_context(), media_type="application/ld+json")


@router.get(
    "/open-data",
    response_class=Response,
    responses={200: {"content": {m: {} for m in open_data.MEDIA.values()}}},
)
async def bulk(
    request: Request,
    format: open_data.BulkFormat = open_data.BulkFormat.PACKAGE,
    table: Annotated[str, Query(pattern="^(results|inputs|cities)$")] = "results",
) -> Response:
    """Every published result (CSV or Parquet of one table, or the data package of all three)."""

    def answer(session: Session) -> Response:
        licensed = licence(request.app.state.settings.open_data_licence)
        found = open_data.bulk_file(session, request.app.state.db, format, licensed, table)
        headers = {"Content-Disposition": f'attachment; filename="{found.filename}"', "X-Licence": licensed.name}
        return sliced((found.content,), found.media_type, headers)

    return await read_in_thread(request, answer)
