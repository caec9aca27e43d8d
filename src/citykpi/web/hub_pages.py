"""The hub overview (every city of a hub, country or peer group, its wheel, score and coverage, on a
map) and compare by KPI (one KPI or dimension across those cities, with CSV and XLSX downloads).

Both pages take their filters from the address only (GET forms), so every view can be shared,
bookmarked and embedded as it is. The overview is kept rendered like the home page, keyed by the
data revision, the filters, the language and the visitor.
"""

from __future__ import annotations

import csv
import io

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from citykpi.collect.formula_guard import neutralised
from citykpi.framework.model import Kpi
from citykpi.http.cache import Memo
from citykpi.http.deps import Reader, read_in_thread
from citykpi.platform import cities
from citykpi.platform.catalogues import catalogue_of
from citykpi.web.chart_pages import chart_for
from citykpi.web.charts import Chart, hub_filters
from citykpi.web.hub_view import HubSort, choices, hub_page, hub_rows
from citykpi.web.i18n import language
from citykpi.web.render import PageRoute, page
from citykpi.web.session import Current, Visitor, current, seen_by
from citykpi.web.views import site_stamp

router = APIRouter(route_class=PageRoute)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/hub", response_class=HTMLResponse)
async def hub(request: Request) -> HTMLResponse:
    def answer(session: Session) -> HTMLResponse:
        visitor = current(request, session)
        key = ("hub", str(request.query_params), language(request), *seen_by(visitor), *site_stamp(session))
        pages: Memo[bytes] = request.app.state.pages
        return HTMLResponse(pages.get(key, lambda: bytes(_hub(request, visitor, session).body)))

    return await read_in_thread(request, answer)


def _hub(request: Request, visitor: Visitor, session: Session) -> HTMLResponse:
    filters = hub_filters(request.query_params)
    shown = hub_page(hub_rows(session, visitor.who, filters), request.query_params.get("page", ""))
    return page(
        request,
        "hub.html",
        filters=filters,
        shown=shown,
        choices=choices(session, visitor.who),
        sorts=list(HubSort),
        map=chart_for(request, session, "map", visitor.who),
    )


@router.get("/compare/kpis", response_class=HTMLResponse)
def compare_kpis(request: Request, current: Current, session: Reader, kpi: str = "", point: str = ""):
    kpis = list(catalogue_of(cities.latest_framework(session)).kpis.values())
    by_dimension: dict[str, list[Kpi]] = {}
    for k in kpis:
        by_dimension.setdefault(k.dimension, []).append(k)
    return page(
        request,
        "compare_kpi.html",
        filters=hub_filters(request.query_params),
        choices=choices(session, current.who),
        kpis=by_dimension,
        chosen=next((k for k in kpis if k.code == kpi), None),
        point=point,
        chart=chart_for(request, session, "kpi-compare", current.who),
    )


@router.get("/compare/kpis.csv")
def compare_kpis_csv(request: Request, current: Current, session: Reader) -> Response:
    chart = chart_for(request, session, "kpi-compare", current.who)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(chart.columns)
    writer.writerows([neutralised(c) for c in row] for row in chart.rows)
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers=_attachment(chart, "csv"))


@router.get("/compare/kpis.xlsx")
def compare_kpis_xlsx(request: Request, current: Current, session: Reader) -> Response:
    from openpyxl import Workbook

    chart = chart_for(request, session, "kpi-compare", current.who)
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has its one sheet
    sheet.title = "compare"
    sheet.append([chart.title])
    sheet.append(chart.columns)
    for row in chart.rows:
        sheet.append([neutralised(c) for c in row])
    out = io.BytesIO()
    book.save(out)
    return Response(out.getvalue(), media_type=XLSX, headers=_attachment(chart, "xlsx"))


def _attachment(chart: Chart, extension: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="citykpi-compare.{extension}"'}
