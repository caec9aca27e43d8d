"""A city's twin cities: the five most alike by profile and by KPI values, and where it leads and lags.

Not part of the cached city page: it depends on every other city's published data, and the city
page's cache keys on the city's own data only. The comparison of all cities behind it is kept per
data revision and read scope (`citykpi.http.similar`).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from citykpi.http.deps import Reader
from citykpi.http.similar import similar_cities
from citykpi.platform import cities, similar
from citykpi.web.render import PageRoute, page
from citykpi.web.session import Current

router = APIRouter(route_class=PageRoute)


@router.get("/cities/{slug}/similar", response_class=HTMLResponse)
def similar_page(request: Request, slug: str, current: Current, session: Reader) -> HTMLResponse:
    city = cities.get_city(session, slug)
    found = similar_cities(session, current.who, city)
    return page(
        request,
        "similar.html",
        city=city,
        found=found,
        min_points=similar.MIN_SHARED_POINTS,
        neighbours=similar.NEIGHBOURS,
    )
