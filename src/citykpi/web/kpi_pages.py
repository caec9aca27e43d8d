"""The public page of each KPI of a framework: what it means, how it is computed, its targets, who reports it.

Everything on it comes from the framework document stored in the database (the catalogue a period
is assessed against), the shipped public reference targets, and the latest value of each city the
visitor may see, read with the query API's service, so the page and `GET /api/v1/results?kpi=...`
agree.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from citykpi.framework.formula import parse
from citykpi.framework.model import PROFILE_FIELDS, Input, Kpi
from citykpi.http.deps import Reader
from citykpi.platform import cities, results_query, scores
from citykpi.platform.catalogues import catalogue_of
from citykpi.platform.errors import NotFound
from citykpi.web.render import PageRoute, page
from citykpi.web.session import Current

router = APIRouter(route_class=PageRoute)


@router.get("/kpis/{framework}", response_class=HTMLResponse)
def kpi_list(request: Request, framework: str, current: Current, session: Reader) -> HTMLResponse:
    """Every KPI of the framework, by dimension, each linking to its page."""
    found = catalogue_of(cities.latest_framework(session, framework))
    return page(request, "kpis.html", framework=found.frameworks[0], kpis=list(found.kpis.values()))


@router.get("/kpis/{framework}/{code}", response_class=HTMLResponse)
def kpi_page(request: Request, framework: str, code: str, current: Current, session: Reader) -> HTMLResponse:
    row = cities.latest_framework(session, framework)
    catalogue = catalogue_of(row)
    canonical = catalogue.normalise_code(code)
    if canonical is None:
        raise NotFound.said("kpi", "no KPI {code!r} in {framework}", code=code, framework=row.key)
    kpi = catalogue.kpis[canonical]
    book = scores.book()
    targets = {d.key: book.targets(kpi.code, d.key) for d in kpi.data_points}
    found = results_query.query(session, current.who, results_query.Filters(kpi=[kpi.code]), limit=None)
    return page(
        request,
        "kpi_about.html",
        framework=catalogue.frameworks[0],
        kpi=kpi,
        inputs=formula_inputs(kpi, catalogue.input),
        targets=targets,
        target_sets=book.sets,
        latest=latest_values(found.rows),
    )


def formula_inputs(kpi: Kpi, lookup: Any) -> list[Input]:
    """The inputs the KPI declares, then those its formulas borrow from other KPIs and the city profile."""
    declared = {i.name: i for i in kpi.inputs}
    for point in kpi.data_points:
        for name in sorted(parse(point.formula).names) if point.formula else ():
            if name in declared:
                continue
            if name in PROFILE_FIELDS:
                declared[name] = Input(name=name, label=PROFILE_FIELDS[name], unit=_PROFILE_UNITS.get(name, ""))
                continue
            try:
                declared[name] = lookup(name)[1]
            except KeyError:
                continue
    return list(declared.values())


_PROFILE_UNITS = {"population": "inhabitants", "households": "households", "area_km2": "km²", "gdp": "local currency"}


def latest_values(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Per city, the data points of its latest year with a value (rows come ordered by city and year)."""
    by_city: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if row["status"] not in ("computed", "reported"):
            continue
        kept = by_city.get(row["city"])
        if kept and kept[0]["year"] < row["year"]:
            kept.clear()
        by_city.setdefault(row["city"], []).append(row)
    return list(by_city.values())
