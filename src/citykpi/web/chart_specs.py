"""Vega-Lite specifications of the pages' interactive charts: the hub map, a KPI's history beside its
peer cities, a city's scores over the years and a KPI across cities.

Pure functions of the rows they are given; the browser draws them (`static/charts.js`), so the
server never renders these. Colours of score bands are those of the wheel and the reports
(`report.style`), so a band reads the same everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from citykpi.report.charts import horizontal_bars

Translate = Callable[[str], str]
Legend = Sequence[tuple[str, str]]  # (label, colour), in legend order
SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"  # the vega-lite shipped in static/vendor
FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
OWN = "#24405e"
PEER = "#aab6c2"
TARGET = "#6b2d8f"  # not a band colour: the target line must not read as "below 33 %"


def _frame(width: object = "container", **spec: Any) -> dict[str, Any]:
    return {
        "$schema": SCHEMA,
        "width": width,
        "background": "white",
        "autosize": {"type": "fit-x", "contains": "padding"},
        "config": {"view": {"stroke": None}, "font": FONT},
        **spec,
    }


def _bands(legend: Legend, title: str) -> dict[str, Any]:
    return {
        "field": "band",
        "type": "nominal",
        "title": title,
        "scale": {"domain": [label for label, _c in legend], "range": [colour for _l, colour in legend]},
        "legend": {"orient": "bottom", "columns": 2},
    }


def city_map(points: Sequence[dict[str, Any]], basemap: str, legend: Legend, _: Translate) -> dict[str, Any]:
    """Cities on the shipped Natural Earth countries, coloured by score band and sized by population.

    Each point is a row with name, lat, lon, population, band, score, coverage and href (a click
    opens the city's page); the projection is fitted to the cities, not the whole world.
    """
    lats = [p["lat"] for p in points]
    lons = [p["lon"] for p in points]
    margin = 4.0
    corners = [
        [min(lons, default=-20) - margin, min(lats, default=-40) - margin],
        [max(lons, default=60) + margin, max(lats, default=70) + margin],
    ]
    fit = {"type": "Feature", "geometry": {"type": "MultiPoint", "coordinates": corners}, "properties": {}}
    return _frame(
        height=380,
        projection={"type": "equalEarth", "fit": fit},
        layer=[
            {
                "data": {"url": basemap, "format": {"type": "topojson", "feature": "countries"}},
                "mark": {"type": "geoshape", "fill": "#e7ecf1", "stroke": "#ffffff", "strokeWidth": 0.6, "aria": False},
            },
            {
                "data": {"values": list(points)},
                "mark": {
                    "type": "circle",
                    "stroke": "#1d2b36",
                    "strokeWidth": 0.8,
                    "opacity": 0.92,
                    "cursor": "pointer",
                },
                "encoding": {
                    "longitude": {"field": "lon", "type": "quantitative"},
                    "latitude": {"field": "lat", "type": "quantitative"},
                    "size": {
                        "field": "population",
                        "type": "quantitative",
                        "title": _("Population"),
                        "scale": {"range": [60, 1200]},
                        "legend": {"orient": "bottom", "format": "~s"},
                    },
                    "color": _bands(legend, _("Score band")),
                    "href": {"field": "href"},
                    "description": {"field": "describe"},
                    "tooltip": [
                        {"field": "name", "title": _("City")},
                        {"field": "score", "title": _("Score")},
                        {"field": "coverage", "title": _("Coverage")},
                        {"field": "year", "title": _("Year")},
                    ],
                },
            },
        ],
    )


def kpi_history(
    own: Sequence[dict[str, Any]],
    peers: Sequence[dict[str, Any]],
    target: float | None,
    unit: str,
    legend: Legend,
    _: Translate,
) -> dict[str, Any]:
    """One data point of a city over the years (dark line, points in their band's colour), the same
    data point of its peer cities as light lines behind it, and the target as a dashed line.

    Rows: `own` have year, value and band; `peers` have city, year and value."""
    x = {"field": "year", "type": "ordinal", "title": _("Year"), "axis": {"labelAngle": 0}}
    y = {"field": "value", "type": "quantitative", "title": unit, "axis": {"tickCount": 5}}
    peer_lines = {
        "data": {"values": list(peers)},
        "mark": {"type": "line", "point": {"size": 18, "color": PEER}, "color": PEER, "strokeWidth": 1.2},
        "encoding": {
            "x": x,
            "y": y,
            "detail": {"field": "city"},
            "tooltip": [
                {"field": "city", "title": _("City")},
                {"field": "year"},
                {"field": "value", "title": unit},
            ],
        },
    }
    layers: list[dict[str, Any]] = [peer_lines] if peers else []  # an empty layer would be an unnamed image
    layers += [
        {
            "data": {"values": list(own)},
            "mark": {"type": "line", "color": OWN, "strokeWidth": 2.5, "aria": False},  # the points carry the words
            "encoding": {"x": x, "y": y},
        },
        {
            "data": {"values": list(own)},
            "mark": {"type": "point", "filled": True, "size": 90, "stroke": OWN, "strokeWidth": 1},
            "encoding": {
                "x": x,
                "y": y,
                "color": _bands(legend, _("Band")),
                "tooltip": [
                    {"field": "year"},
                    {"field": "value", "title": unit},
                    {"field": "band", "title": _("Band")},
                ],
            },
        },
    ]
    if target is not None:
        layers.append(
            {
                "data": {"values": [{"value": target, "label": _("Target value")}]},
                "mark": {"type": "rule", "strokeDash": [6, 4], "color": TARGET, "strokeWidth": 1.5},
                "encoding": {"y": y, "tooltip": [{"field": "label"}, {"field": "value", "title": unit}]},
            }
        )
    return _frame(height=240, layer=layers)


def score_history(rows: Sequence[dict[str, Any]], facet: bool, _: Translate) -> dict[str, Any]:
    """Group scores over the years, one line per group; `facet` puts each dimension's
    sub-dimensions in a panel of their own. Rows: year, group, dimension, percent."""
    encoding = {
        "x": {"field": "year", "type": "ordinal", "title": _("Year"), "axis": {"labelAngle": 0}},
        "y": {
            "field": "percent",
            "type": "quantitative",
            "title": _("% of maximum points"),
            "scale": {"domain": [0, 100]},
        },
        "color": {"field": "group", "type": "nominal", "title": None, "legend": {"orient": "bottom", "columns": 1}},
        "tooltip": [{"field": "group"}, {"field": "year"}, {"field": "percent", "title": _("Score"), "format": ".0f"}],
    }
    layer = {"mark": {"type": "line", "point": True}, "encoding": encoding}
    if not facet:
        return _frame(height=220, data={"values": list(rows)}, **layer)
    return {
        "$schema": SCHEMA,
        "background": "white",
        "config": {"view": {"stroke": None}, "font": FONT},
        "data": {"values": list(rows)},
        "facet": {"field": "dimension", "type": "nominal", "title": None},
        "columns": 2,
        "resolve": {"scale": {"color": "independent"}},
        "spec": {"width": 170, "height": 140, **layer},
    }


def kpi_bars(rows: Sequence[dict[str, Any]], unit: str, _: Translate) -> dict[str, Any]:
    """A KPI's value in each city (bars in the colour of the value's band) with a black tick at the
    median of the city's peer group. Rows: name, value, fill, label, tip, median."""
    x = {"field": "value", "type": "quantitative", "title": unit}
    median = {
        "mark": {"type": "tick", "color": "#1d2b36", "thickness": 2, "size": 18},
        "encoding": {
            "y": {"field": "name", "type": "nominal", "sort": [r["name"] for r in rows], "title": None},
            "x": {"field": "median", "type": "quantitative"},
            "tooltip": [{"field": "median", "title": _("Peer median")}],
        },
    }
    spec = horizontal_bars(rows, x, 480, extra=[median])
    spec["$schema"] = SCHEMA
    spec["width"] = "container"
    spec["autosize"] = {"type": "fit-x", "contains": "padding"}
    return spec
