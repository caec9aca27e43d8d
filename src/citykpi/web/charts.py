"""The pages' interactive charts, each named by a kind and its parameters in the address.

A `Chart` is the Vega-Lite spec together with its data as a table: the page shows the table beside
the chart (the text alternative, and what a reader without script sees), `/charts/{kind}.json`
answers the spec, `/embed/{kind}` is the chart alone for an iframe, and the compare table's CSV and
XLSX are the same rows. One builder per kind, so the four can never disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.orm import Session

from citykpi.framework.model import DataPoint, Kpi
from citykpi.framework.names import names
from citykpi.http.cache import Memo, data_key
from citykpi.platform import cities, scores
from citykpi.platform.catalogues import catalogue_of
from citykpi.platform.errors import Invalid, NotFound
from citykpi.platform.roles import Principal
from citykpi.report import labels
from citykpi.report.i18n import number
from citykpi.report.i18n import translations as report_translations
from citykpi.report.style import band_colour
from citykpi.report.wheel import legend
from citykpi.scoring.rules import Band
from citykpi.scoring.scorecard import Coverage, GroupLevel, ItemScore
from citykpi.store.schema import City, Framework, Period, Result
from citykpi.web import chart_specs
from citykpi.web.hub_view import HubFilters, HubSort, hub_rows
from citykpi.web.i18n import translations
from citykpi.web.kpi_compare_view import SCORE_UNIT, Compared, compare_dimension, compare_kpi
from citykpi.web.views import book

Cell = str | float | int | None
CITY_PERIODS = "citykpi.chart-city-periods"  # session.info: the charts' city and periods, per reader and slug
LATEST_FRAMEWORK = "citykpi.chart-framework"  # session.info: the latest U4SSC framework, read once per request
KPI_SCORES = "citykpi.chart-kpi-scores"  # session.info: a KPI's data points in a city's periods, per request
PEERS: Memo[list[tuple[int, dict[str, Any]]]] = Memo(256)
MAPS: Memo[Chart] = Memo(64)
BASEMAP = "/static/vendor/world-countries-110m.json"


@dataclass(frozen=True)
class Chart:
    kind: str
    params: dict[str, str]
    title: str
    spec: dict[str, Any]
    columns: list[str]
    rows: list[list[Cell]]
    notes: list[str] = field(default_factory=list)

    @property
    def query(self) -> str:
        return urlencode({k: v for k, v in self.params.items() if v})

    @property
    def spec_url(self) -> str:
        return f"/charts/{self.kind}.json?{self.query}"

    @property
    def embed_url(self) -> str:
        return f"/embed/{self.kind}?{self.query}"

    @property
    def file_name(self) -> str:
        return f"citykpi-{self.kind}"


@dataclass(frozen=True)
class Asked:
    """Who asks, for what, in which language."""

    session: Session
    who: Principal
    params: Mapping[str, str]
    lang: str

    def _(self, text: str) -> str:
        return translations(self.lang).gettext(text)

    def band_word(self, band: Band | None, reported: bool = True) -> str:
        words = report_translations(self.lang).gettext
        if band is not None:
            return words(labels.BAND[band])
        return words(labels.NO_BENCHMARK if reported else labels.NOT_REPORTED)

    def legend(self) -> list[tuple[str, str]]:
        """The wheel's legend in the solid colours Vega can draw (the wheel's hatch is SVG only)."""
        return [(k.label, k.solid) for k in legend(report_translations(self.lang).gettext)]

    def num(self, value: float | None, digits: int = 1) -> str:
        return number(value, self.lang, digits)

    def coverage(self, c: Coverage) -> str:
        return self._("%(scored)s of %(reported)s reported data points scored; %(framework)s in the framework") % {
            "scored": c.scored,
            "reported": c.reported,
            "framework": c.framework,
        }


def hub_filters(params: Mapping[str, str]) -> HubFilters:
    year = params.get("year", "")
    if year and not year.isdigit():
        raise Invalid.said("year", "year {year!r} is not a year", year=year)
    sort = params.get("sort", "") or HubSort.NAME.value
    if sort not in {s.value for s in HubSort}:
        raise Invalid.said("sort", "cannot sort by {sort!r}", sort=sort)
    return HubFilters(
        hub=params.get("hub", ""),
        country=params.get("country", ""),
        peer=params.get("peer", ""),
        year=int(year) if year else None,
        dimension=params.get("dimension", ""),
        sort=HubSort(sort),
    )


def _filter_params(filters: HubFilters) -> dict[str, str]:
    return {
        "hub": filters.hub,
        "country": filters.country,
        "peer": filters.peer,
        "year": "" if filters.year is None else str(filters.year),
        "dimension": filters.dimension,
    }


def _percent(asked: Asked, value: float | None) -> str:
    return "–" if value is None else asked.num(value, 0) + " %"


def map_chart(asked: Asked) -> Chart:
    """The cities of the hub overview on the basemap; the table lists them all, placed or not.

    Kept under `data_key`, the filters and the language: the overview shows it, and the browser asks
    for its spec right after (`/charts/map.json` with the same filters)."""
    filters = hub_filters(asked.params)
    return MAPS.get((*data_key(asked.session, asked.who), filters, asked.lang), lambda: _map_chart(asked, filters))


def _map_chart(asked: Asked, filters: HubFilters) -> Chart:
    points: list[dict[str, Any]] = []
    table: list[list[Cell]] = []
    unplaced: list[str] = []
    for row in hub_rows(asked.session, asked.who, filters):
        city, score = row.city, row.score
        percent = score.percent if score is not None else None
        band = asked.band_word(score.band if score else None, bool(score and score.reported))
        covers = asked.coverage(score.coverage) if score is not None else ""
        table.append([city.name, city.country, row.period.year, percent, band, covers, city.population])
        if city.latitude is None or city.longitude is None:
            unplaced.append(city.name)
            continue
        points.append(
            {
                "name": city.name,
                "lat": city.latitude,
                "lon": city.longitude,
                "population": city.population or 0,
                "band": band,
                "score": _percent(asked, percent),
                "coverage": covers,
                "year": row.period.year,
                "href": f"/cities/{city.slug}?year={row.period.year}",
                "describe": f"{city.name}, {row.period.year}: {_percent(asked, percent)}, {band}",
            }
        )
    _ = asked._
    notes = [_("Not on the map (no coordinates): %(names)s") % {"names": ", ".join(unplaced)}] if unplaced else []
    return Chart(
        "map",
        _filter_params(filters),
        _("Map of the cities"),
        chart_specs.city_map(points, BASEMAP, asked.legend(), _),
        [_("City"), _("Country"), _("Year"), _("Score"), _("Band"), _("Coverage"), _("Population")],
        table,
        notes,
    )


def _kpi_and_point(asked: Asked, framework: Framework | None = None) -> tuple[Kpi, DataPoint]:
    """The KPI and data point asked for, in `framework` (a city's chart: that of its latest period,
    as its KPI page) or else in the latest U4SSC framework."""
    if framework is None:
        if LATEST_FRAMEWORK not in asked.session.info:
            asked.session.info[LATEST_FRAMEWORK] = cities.latest_framework(asked.session)
        framework = asked.session.info[LATEST_FRAMEWORK]
    code = asked.params.get("kpi", "")
    kpi = catalogue_of(framework).kpis.get(code)
    if kpi is None:
        raise NotFound.said("kpi", "no KPI {code!r} in {framework}", code=code, framework=framework.key)
    key = asked.params.get("point", "") or kpi.data_points[0].key
    point = next((p for p in kpi.data_points if p.key == key), None)
    if point is None:
        raise NotFound.said("data-point", "no data point {point!r} in KPI {code}", point=key, code=kpi.code)
    return kpi, point


def kpi_history_chart(asked: Asked) -> Chart:
    """One data point of a city over its visible years, with its peer group's cities behind it."""
    city, periods = _city_periods(asked)
    kpi, point = _kpi_and_point(asked, periods[-1].framework if periods else None)
    own: list[dict[str, Any]] = []
    scored = _kpi_scores(asked.session, periods, kpi.code).get(point.key, {})
    for period in periods:
        item = scored.get(period.id)
        if item is None or item.result.value is None:
            continue
        band = asked.band_word(item.band)
        own.append({"year": str(period.year), "value": item.result.value, "band": band})
    group = _peer_values(asked, city.id, city.peer_group, kpi.code, point.key)
    peers = [row for _town, row in group]
    years = sorted({row["year"] for row in own} | {row["year"] for row in peers})
    target = book().benchmark(kpi.code, point.key)
    _ = asked._
    words = names(asked.lang)
    label = words.data_point(kpi.code, point.key, point.label or point.key)
    unit = words.unit(point.unit)
    notes = [_("Light lines: the other cities of the peer group %(peer)s.") % {"peer": city.peer_group or "–"}]
    if target is not None and target.numeric is not None:
        notes.append(
            _("Dashed line: the public reference target (%(target)s).") % {"target": asked.num(target.numeric, 2)}
        )
    return Chart(
        "kpi-history",
        {"city": city.slug, "kpi": kpi.code, "point": point.key},
        f"{city.name} · {kpi.code} · {label}",
        chart_specs.kpi_history(own, peers, target.numeric if target else None, unit, asked.legend(), _),
        [f"{_('City')} · {_('Value')} ({unit})", *years],
        _history_table(asked, city.name, own, group, years),
        notes,
    )


def _history_table(
    asked: Asked, name: str, own: list[dict[str, Any]], peers: list[tuple[int, dict[str, Any]]], years: list[str]
) -> list[list[Cell]]:
    """One row a city and one column a year, as the chart draws a line a city: the city first, each
    value with its band, then its peers (a peer group of 30 cities over 5 years is 30 rows, where a
    row a value was 150, and each peer's row is the same on every page of its group, which
    `web.render.chart_rows` writes once)."""
    mine = {row["year"]: f"{asked.num(row['value'], 2)} ({row['band']})" for row in own}
    table: list[list[Cell]] = [[name, *(mine.get(year) for year in years)]]
    named: dict[int, str] = {}  # by id: two cities of a group may share a name
    by_year: dict[int, dict[str, float]] = {}
    for town, row in peers:
        named[town] = row["city"]
        by_year.setdefault(town, {})[row["year"]] = row["value"]
    table += [[named[town], *(values.get(year) for year in years)] for town, values in by_year.items()]
    return table


def _kpi_scores(session: Session, periods: list[Period], code: str) -> dict[str, dict[int, ItemScore]]:
    """Every data point of a KPI in a city's periods, read once per request: its KPI page draws a
    chart for each."""
    kept: dict[tuple[tuple[int, ...], str], dict[str, dict[int, ItemScore]]]
    kept = session.info.setdefault(KPI_SCORES, {})
    key = (tuple(p.id for p in periods), code)
    if key not in kept:
        kept[key] = scores.kpi_items(session, key[0], code)
    return kept[key]


def _city_periods(asked: Asked) -> tuple[City, list[Period]]:
    return city_periods(asked.session, asked.who, asked.params.get("city", ""))


def city_periods(session: Session, who: Principal, slug: str) -> tuple[City, list[Period]]:
    """A city and its visible periods, read once per request: a KPI page reads them and draws one
    chart per data point of them, a city page two."""
    kept: dict[tuple[Principal, str], tuple[City, list[Period]]] = session.info.setdefault(CITY_PERIODS, {})
    if (who, slug) not in kept:
        city = cities.get_city(session, slug)
        kept[(who, slug)] = (city, cities.list_periods(session, who, city))
    return kept[(who, slug)]


def _peer_values(asked: Asked, city_id: int, peer: str, code: str, point: str) -> list[tuple[int, dict[str, Any]]]:
    """The data point in the visible periods of the peer group's other cities. The whole group's
    values are kept per data revision and read scope: the KPI page of each city of the group shows
    them, less its own."""
    if not peer:
        return []
    key = (*data_key(asked.session, asked.who), peer, code, point)
    group = PEERS.get(key, lambda: _peer_group_values(asked, peer, code, point))
    return [(town, row) for town, row in group if town != city_id]


def _peer_group_values(asked: Asked, peer: str, code: str, point: str) -> list[tuple[int, dict[str, Any]]]:
    """One query of the columns shown (loading the group's periods as objects cost more than the
    rest of the page), in city and year order, each row with its city's id."""
    found = asked.session.execute(
        select(City.name, City.id, City.hub, Period.year, Period.status, Result.value)
        .join(Period, Period.id == Result.period_id)
        .join(City, City.id == Period.city_id)
        .where(City.peer_group == peer, Result.code == code, Result.data_point == point, Result.value.is_not(None))
    ).all()
    rows = [
        (town, {"city": name, "year": str(year), "value": value})
        for name, town, hub, year, status, value in found
        if cities.may_see_of(asked.who, status, town, hub)
    ]
    return sorted(rows, key=lambda r: (r[1]["city"], r[1]["year"]))


def city_scores_chart(asked: Asked) -> Chart:
    """A city's dimension (or sub-dimension) scores over its visible years."""
    city, periods = _city_periods(asked)
    level = GroupLevel.SUBDIMENSION if asked.params.get("level") == "subdimension" else GroupLevel.DIMENSION
    _ = asked._
    rows: list[dict[str, Any]] = []
    table: list[list[Cell]] = []
    found = scores.groups_of(asked.session, periods, level)
    for period in periods:
        for group in found[period.id]:
            rows.append(
                {"year": str(period.year), "group": group.name, "dimension": group.path[0], "percent": group.percent}
            )
            table.append([group.path[0], group.name, period.year, group.percent, asked.coverage(group.coverage)])
    title = (
        _("Sub-dimension scores over the years")
        if level == GroupLevel.SUBDIMENSION
        else _("Dimension scores over the years")
    )
    columns = [_("Dimension"), _("Group"), _("Year"), _("Score"), _("Coverage")]
    return Chart(
        "city-scores",
        {"city": city.slug, "level": level.value},
        f"{city.name} · {title}",
        chart_specs.score_history(rows, level == GroupLevel.SUBDIMENSION, _),
        columns,
        table,
        [_("Scores in % of the maximum points of the data points scored (U4SSC rule).")],
    )


def compared(asked: Asked) -> Compared:
    filters = hub_filters(asked.params)
    if asked.params.get("kpi"):
        kpi, point = _kpi_and_point(asked)
        return compare_kpi(asked.session, asked.who, filters, kpi, point, names(asked.lang))
    return compare_dimension(asked.session, asked.who, filters)


def kpi_compare_chart(asked: Asked) -> Chart:
    """A KPI (or a dimension's score) across cities: the bar chart and the table the page exports."""
    found = compared(asked)
    _ = asked._
    unit = _(SCORE_UNIT) if found.unit == SCORE_UNIT else found.unit
    bars: list[dict[str, Any]] = []
    table: list[list[Cell]] = []
    for row in found.rows:
        band = asked.band_word(row.band, row.value is not None)
        name = f"{row.city.name} ({row.city.country})" if row.city.country else row.city.name
        shown = asked.num(row.value, 2) if row.value is not None else _(row.answer)
        bars.append(
            {
                "name": name,
                "value": row.value or 0,
                "fill": band_colour(row.band, row.value is not None),
                "label": shown,
                "tip": f"{name}, {row.period.year}: {shown} {unit} · {band}",
                "median": row.median,
            }
        )
        covers = asked.coverage(row.coverage) if row.coverage is not None else ""
        table.append(
            [
                row.city.name,
                row.city.country,
                row.city.peer_group,
                row.period.year,
                _(row.period.status),
                row.value if row.value is not None else _(row.answer),
                unit,
                band,
                row.median,
                covers,
            ]
        )
    params = {
        **_filter_params(hub_filters(asked.params)),
        "kpi": asked.params.get("kpi", ""),
        "point": asked.params.get("point", ""),
    }
    columns = [
        _("City"),
        _("Country"),
        _("Peer group"),
        _("Year"),
        _("Status"),
        _("Value"),
        _("Unit"),
        _("Band"),
        _("Peer median"),
        _("Coverage"),
    ]
    return Chart(
        "kpi-compare",
        params,
        found.title or _("Whole city"),
        chart_specs.kpi_bars(bars, unit, _),
        columns,
        table,
        [_("Black tick: the median of the city's peer group among the cities shown.")],
    )


BUILDERS: dict[str, Callable[[Asked], Chart]] = {
    "map": map_chart,
    "kpi-history": kpi_history_chart,
    "city-scores": city_scores_chart,
    "kpi-compare": kpi_compare_chart,
}


def build(kind: str, asked: Asked) -> Chart:
    builder = BUILDERS.get(kind)
    if builder is None:
        raise NotFound.said("chart", "no chart {kind!r}", kind=kind)
    return builder(asked)
