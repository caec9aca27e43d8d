"""Choosing indicators on a page: the KPIs that fit the goals ticked and, for a city, the data it already holds.

The same proposal as `citykpi kpis select` (citykpi.framework.select), over the platform's current
U4SSC framework; with `city`, the data held is that of the city's latest period the visitor may see.
The selection's workbook downloads from the same address with `format=xlsx`.
"""

from __future__ import annotations

import io
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import Field

from citykpi.framework.select import Held, select, subset, themes
from citykpi.http.deps import Reader
from citykpi.model.submission import CityProfile
from citykpi.platform import cities
from citykpi.platform.catalogues import catalogue_of
from citykpi.platform.values import submission_of
from citykpi.web.render import PageRoute, page
from citykpi.web.session import Current

router = APIRouter(route_class=PageRoute)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Goal = Annotated[int, Field(ge=1, le=17)]


@router.get("/choose-indicators", response_class=HTMLResponse)
def choose(
    request: Request,
    current: Current,
    session: Reader,
    sdg: Annotated[list[Goal], Query()] = [],  # noqa: B006 - FastAPI copies query defaults
    theme: Annotated[list[str], Query()] = [],  # noqa: B006
    every: bool = False,
    city: str = "",
    format: str = "html",
) -> Response:
    catalogue = catalogue_of(cities.latest_framework(session))
    known = themes()
    unknown = [t for t in theme if t not in known]
    held, profile, place = None, None, None
    if city:
        place = cities.get_city(session, city)
        periods = cities.list_periods(session, current.who, place)
        if periods:
            submission = submission_of(session, periods[-1])
            held, profile = Held.of(submission), submission.profile
    found = [] if unknown else select(catalogue.kpis, sdg, theme, held, match_all=every)
    if format == "xlsx" and found:
        from citykpi.collect.template import template_workbook

        chosen = subset(catalogue.kpis, catalogue.frameworks, [p.kpi.code for p in found], catalogue)
        wb = template_workbook(chosen, profile or CityProfile(city=place.name if place else "City", year=2025))
        buffer = io.BytesIO()
        wb.save(buffer)
        headers = {"Content-Disposition": 'attachment; filename="selected-kpis.xlsx"'}
        return Response(buffer.getvalue(), media_type=XLSX, headers=headers)
    context = {"found": found, "themes": known, "sdg": sdg, "theme": theme, "every": every, "place": place}
    return page(request, "choose.html", status=422 if unknown else 200, unknown=unknown, held=held, **context)
