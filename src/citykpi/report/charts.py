"""Bar charts of group scores (one city, or several side by side), as Vega-Lite specs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from citykpi.report.style import band_colour
from citykpi.scoring.scorecard import GroupScore

Translate = Callable[[str], str]
BAND_RULES = (33, 66, 95)


def _rules() -> dict[str, Any]:
    return {
        "data": {"values": [{"x": x} for x in BAND_RULES]},
        "mark": {"type": "rule", "strokeDash": [3, 3], "color": "#8a96a3"},
        "encoding": {"x": {"field": "x", "type": "quantitative"}},
    }


def _axis(_: Translate) -> dict[str, Any]:
    return {"title": _("% of maximum points"), "values": [0, 33, 66, 95], "grid": False}


def group_bars(groups: Sequence[GroupScore], _: Translate, width: int = 520) -> dict[str, Any]:
    """One horizontal bar per group, coloured by its band; unscored groups show an empty row."""
    rows = [
        {
            "name": _(g.name),
            "percent": round(g.percent, 1) if g.percent is not None else 0,
            "label": f"{g.percent:.0f} %" if g.percent is not None else _("No benchmark"),
            "fill": band_colour(g.band, g.reported > 0),
        }
        for g in groups
    ]
    x = {"field": "percent", "type": "quantitative", "scale": {"domain": [0, 100]}, "axis": _axis(_)}
    return horizontal_bars(rows, x, width, extra=[_rules()])


def horizontal_bars(
    rows: Sequence[dict[str, Any]], x: dict[str, Any], width: int, label_limit: int = 230, extra: Sequence[Any] = ()
) -> dict[str, Any]:
    """One bar per row (`name`, the x field, `fill` colour, `label` beside the bar, `tip` or `label` on hover)."""
    order = [r["name"] for r in rows]
    y = {"field": "name", "type": "nominal", "sort": order, "title": None, "axis": {"labelLimit": label_limit}}
    tip = "tip" if rows and "tip" in rows[0] else "label"
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": width,
        "height": {"step": 22},
        "background": "white",
        "config": {"view": {"stroke": None}, "font": "DejaVu Sans, Helvetica, Arial, sans-serif"},
        "data": {"values": list(rows)},
        "layer": [
            {
                "mark": {"type": "bar", "cornerRadiusEnd": 2},
                "encoding": {"y": y, "x": x, "color": {"field": "fill", "scale": None}, "tooltip": {"field": tip}},
            },
            {
                "mark": {"type": "text", "align": "left", "dx": 4, "fontSize": 10},
                "encoding": {"y": y, "x": x, "text": {"field": "label"}},
            },
            *extra,
        ],
    }


NEUTRAL = "#5b7083"  # comparison marks: one colour that no score band uses, the band is told in text


def compare_chart(cities: Sequence[tuple[str, Sequence[GroupScore]]], _: Translate, bars_up_to: int) -> dict[str, Any]:
    """Dimension scores of several cities in one neutral colour: a bar per city while there are at
    most `bars_up_to` cities, else one tick per city on a strip per dimension (readable for thousands)."""
    rows = [
        {"city": city, "dimension": _(g.name), "percent": round(g.percent, 1)}
        for city, groups in cities
        for g in groups
        if g.percent is not None
    ]
    x = {"field": "percent", "type": "quantitative", "scale": {"domain": [0, 100]}, "axis": _axis(_)}
    tooltip = [{"field": "city", "title": _("City")}, {"field": "percent", "title": _("% of maximum points")}]
    if len(cities) <= bars_up_to:
        spec: dict[str, Any] = {
            "facet": {"row": {"field": "dimension", "type": "nominal", "title": None, "sort": None}},
            "spec": {
                "width": 480,
                "height": {"step": 16},
                "mark": {"type": "bar", "color": NEUTRAL},
                "encoding": {
                    "y": {"field": "city", "type": "nominal", "title": None, "sort": None, "axis": {"labelLimit": 260}},
                    "x": x,
                },
            },
        }
        spec["spec"]["encoding"]["tooltip"] = tooltip
    else:
        spec = {
            "width": 480,
            "mark": {"type": "tick", "color": NEUTRAL, "opacity": 0.5, "thickness": 1},
            "encoding": {
                "y": {"field": "dimension", "type": "nominal", "title": None, "sort": None},
                "x": x,
                "tooltip": tooltip,
            },
        }
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "background": "white",
        "config": {"view": {"stroke": None}, "font": "DejaVu Sans, Helvetica, Arial, sans-serif"},
        "data": {"values": rows},
        **spec,
    }
