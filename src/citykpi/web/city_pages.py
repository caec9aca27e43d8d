"""Reading pages: home, a city over the years, a KPI's history, comparison, open data.

Every page asks the platform services what the visitor may see, so the public sees published
periods only, exactly as through the API.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from citykpi.exchange.open_data import licence
from citykpi.framework.model import Kpi
from citykpi.http.cache import Memo
from citykpi.http.deps import Id, Reader, read_in_thread
from citykpi.platform import certificates, cities, comparison, scores, values, verification, warnings
from citykpi.platform.catalogues import catalogue_of
from citykpi.platform.errors import NotFound
from citykpi.platform.roles import Action, can
from citykpi.platform.workflow import PeriodState
from citykpi.report.i18n import translations as report_translations
from citykpi.report.wheel import legend
from citykpi.scoring.comparison import RANK_MIN_SHARE
from citykpi.scoring.scorecard import ItemScore
from citykpi.store.schema import City, Entry, Period, Result
from citykpi.web.chart_pages import chart_for
from citykpi.web.charts import city_periods
from citykpi.web.i18n import language
from citykpi.web.progress_view import progress_view
from citykpi.web.render import PageRoute, page
from citykpi.web.session import Current, Visitor, current, seen_by
from citykpi.web.views import city_stamp, dimension_percents, scorecard, site_stamp, thumbnail, wheel

router = APIRouter(route_class=PageRoute)
PAGE_SIZE = 24


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, q: str = "", start: Annotated[int, Query(ge=0)] = 0) -> HTMLResponse:
    """Cached like the city page, keyed by the newest change anywhere."""

    def answer(session: Session) -> HTMLResponse:
        visitor = current(request, session)
        key = (
            "home",
            q,
            start,
            language(request),
            request.query_params.get("ok"),
            *seen_by(visitor),
            *site_stamp(session),
        )
        return HTMLResponse(_pages(request).get(key, lambda: bytes(_home(request, visitor, session, q, start).body)))

    return await read_in_thread(request, answer)


def _home(request: Request, current: Visitor, session: Session, q: str, start: int) -> HTMLResponse:
    total, found = cities.list_cities(session, cities.Page(PAGE_SIZE, start), q=q or None)
    periods = {c.id: cities.list_periods(session, current.who, c) for c in found}
    latest = [ps[-1] for ps in periods.values() if ps]
    standings = verification.standings(session, latest, request.app.state.settings.certificate_rule)
    whole = scores.group_of(session, latest)
    rows = []
    for city in found:
        last = periods[city.id][-1] if periods[city.id] else None
        rows.append(
            {
                "city": city,
                "period": last,
                "standing": standings[last.id] if last else None,
                "score": whole[last.id] if last else None,
            }
        )
    return page(request, "home.html", rows=rows, total=total, start=start, size=PAGE_SIZE, q=q)


@router.get("/wheels/{period_id}.svg")
def wheel_image(period_id: Id, request: Request, current: Current, session: Reader) -> Response:
    """The wheel's thumbnail as an image, so the home page loads them lazily and the browser caches them."""
    period = cities.get_period(session, current.who, period_id)
    drawn = thumbnail(session, period, language(request))
    return Response(str(drawn), media_type="image/svg+xml", headers={"Cache-Control": "private, max-age=60"})


def _selected(periods: list[Period], year: int | None) -> Period | None:
    if year is None:
        return periods[-1] if periods else None
    found = next((p for p in periods if p.year == year), None)
    if found is None:
        raise NotFound.said("visible-period", "no visible period {year}", year=year)
    return found


@router.get("/cities/{slug}", response_class=HTMLResponse)
async def city_page(request: Request, slug: str, year: int | None = None) -> HTMLResponse:
    """Served from a cache of rendered pages: the most read page of the site, ~30 ms to render."""

    def answer(session: Session) -> HTMLResponse:
        visitor = current(request, session)
        city = cities.get_city(session, slug)
        key = ("city", city.id, city.version, year, language(request), request.query_params.get("ok"))
        body = _pages(request).get(
            key + seen_by(visitor) + city_stamp(session, city),
            lambda: bytes(_city_page(request, city, visitor, session, year).body),
        )
        return HTMLResponse(body)

    return await read_in_thread(request, answer)


def _pages(request: Request) -> Memo[bytes]:
    pages: Memo[bytes] = request.app.state.pages
    return pages


def _city_page(request: Request, city: City, current: Visitor, session: Session, year: int | None) -> HTMLResponse:
    periods = city_periods(session, current.who, city.slug)[1]  # its score charts read them again
    selected = _selected(periods, year)
    standings = verification.standings(session, periods, request.app.state.settings.certificate_rule)
    cards = {p.id: scorecard(session, p) for p in periods}
    dimensions = list(dimension_percents(cards[selected.id])) if selected else []
    return page(
        request,
        "city.html",
        city=city,
        periods=periods,
        selected=selected,
        standings=standings,
        cards=cards,
        dimensions=dimensions,
        percents={p.id: dimension_percents(cards[p.id]) for p in periods},
        wheel=wheel(session, selected, language(request)) if selected else None,
        wheel_legend=legend(report_translations(language(request)).gettext),
        kpis=_kpi_rows(session, selected) if selected else [],
        trend=progress_view(session, [p for p in periods if p.year <= selected.year], language(request))
        if selected
        else None,
        certificate_issued=selected is not None and certificates.issued(selected, standings[selected.id].certificate),
        score_charts=[
            chart_for(request, session, "city-scores", current.who, city=city.slug, level=level)
            for level in ("dimension", "subdimension")
        ]
        if selected
        else [],
        may_read=can(current.who, Action.READ, city.id, city.hub),
    )


def _kpi_rows(session: Reader, period: Period) -> list[tuple[Kpi, list[ItemScore]]]:
    """The scored data points of the period grouped by KPI, in catalogue order."""
    kpis = catalogue_of(period.framework).kpis
    rows: dict[str, list[ItemScore]] = {}
    for item in scorecard(session, period).items:
        rows.setdefault(item.result.code, []).append(item)
    return [(kpis[code], items) for code, items in rows.items()]


@router.get("/cities/{slug}/kpis/{code}", response_class=HTMLResponse)
async def kpi_page(request: Request, slug: str, code: str) -> HTMLResponse:
    """Kept rendered like the home page: its charts' tables show the peer cities, so any change of
    data anywhere (the data revision) renews it."""

    def answer(session: Session) -> HTMLResponse:
        visitor = current(request, session)
        key = ("kpi", slug, code, language(request), *seen_by(visitor), *site_stamp(session))
        return HTMLResponse(
            _pages(request).get(key, lambda: bytes(_kpi_page(request, slug, code, visitor, session).body))
        )

    return await read_in_thread(request, answer)


def _kpi_page(request: Request, slug: str, code: str, current: Visitor, session: Session) -> HTMLResponse:
    city, periods = city_periods(session, current.who, slug)
    framework = periods[-1].framework if periods else cities.latest_framework(session)
    kpi = catalogue_of(framework).kpis.get(code)
    if kpi is None:
        raise NotFound.said("kpi", "no KPI {code!r} in {framework}", code=code, framework=framework.key)
    ids = [p.id for p in periods]
    entries = session.scalars(
        select(Entry).where(Entry.period_id.in_(ids), Entry.kpi == code).order_by(Entry.name, Entry.period_id)
    ).all()
    results = session.scalars(
        select(Result).where(Result.period_id.in_(ids), Result.code == code).order_by(Result.data_point)
    ).all()
    may_audit = can(current.who, Action.READ, city.id, city.hub)
    trail = {e.id: values.history(session, e.id) for e in entries} if may_audit else {}
    kept = [(p, w) for p in periods for w in warnings.warnings_for(session, p.id, code)] if may_audit else []
    return page(
        request,
        "kpi.html",
        city=city,
        kpi=kpi,
        framework=framework.key,
        periods={p.id: p for p in periods},
        years=[p.year for p in periods],
        entries=entries,
        results=results,
        cells={(r.period_id, r.data_point): r for r in results},  # the history table's cell of each year and point
        trail=trail,
        kept_warnings=kept,
        may_audit=may_audit,
        charts=[
            chart_for(request, session, "kpi-history", current.who, city=city.slug, kpi=kpi.code, point=point.key)
            for point in kpi.data_points
            if any(r.data_point == point.key and r.value is not None for r in results)
        ],
    )


@router.get("/compare", response_class=HTMLResponse)
def compare(request: Request, current: Current, session: Reader, peer: str = ""):
    """Latest visible period of each city by peer group and year, ranked on the common basis."""
    groups = comparison.compare_cities(session, current.who, lambda p: scorecard(session, p), peer)
    dimensions = next((list(t.rows[0].percents)[1:] for g in groups for t in g.years), [])
    return page(
        request,
        "compare.html",
        groups=groups,
        columns=[comparison.OVERALL, *dimensions],
        overall=comparison.OVERALL,
        peer=peer,
        peers=[label for _floor, label in cities.PEER_GROUPS],
        rank_min_share=RANK_MIN_SHARE,
    )


@router.get("/open-data", response_class=HTMLResponse)
def open_data(request: Request, current: Current, session: Reader):
    """Every published period with its downloads (the public API's exports and reports)."""
    published = session.scalars(
        select(Period)
        .where(Period.status == PeriodState.PUBLISHED.value)
        .options(joinedload(Period.city))
        .join(City)
        .order_by(City.name, Period.year)
    ).all()
    licensed = licence(request.app.state.settings.open_data_licence)
    return page(request, "open_data.html", periods=published, licence=licensed)
