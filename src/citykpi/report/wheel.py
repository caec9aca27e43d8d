"""The U4SSC benchmarking wheel as a Vega-Lite chart.

Rings from the centre: city name, dimensions, categories, KPIs and data points (Verification
Manual p.169). Every data point gets an equal slice, so a group's arc is proportional to the
number of data points it holds, as in the template's wheel. Vega-Lite's arc mark with explicit
theta/theta2 and radius/radius2 expresses this directly; no hand-drawn SVG is needed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from citykpi.report import labels
from citykpi.report.style import CENTRE, NO_BENCHMARK, NOT_REPORTED, band_colour, text_colour
from citykpi.scoring.rules import Band
from citykpi.scoring.scorecard import GroupLevel, GroupScore, ItemScore, Scorecard

Translate = Callable[[str], str]
SIZE = 600
RINGS: dict[str, tuple[float, float]] = {
    "dimension": (74, 124),
    "category": (126, 216),
    "kpi": (218, 266),
}
TAU = 2 * math.pi


def legend(_: Translate) -> list[tuple[str, str]]:
    """(label, colour) in legend order, best band first."""
    bands = [(_(labels.BAND[b]), band_colour(b)) for b in sorted(Band, reverse=True)]
    return [*bands, (_(labels.NO_BENCHMARK), NO_BENCHMARK), (_(labels.NOT_REPORTED), NOT_REPORTED)]


def _status(band: Band | None, reported: bool, _: Translate) -> str:
    if band is not None:
        return _(labels.BAND[band])
    return _(labels.NO_BENCHMARK if reported else labels.NOT_REPORTED)


def _segment(ring: str, start: int, end: int, n: int, fill: str, status: str, text: str) -> dict[str, Any]:
    r0, r1 = RINGS[ring]
    return {
        "ring": ring,
        "t0": TAU * start / n,
        "t1": TAU * end / n,
        "r0": r0,
        "r1": r1,
        "fill": fill,
        "status": status,
        "description": f"{text} – {status}",
    }


def _label(ring: str, start: int, end: int, n: int, text: str, fill: str, radial: bool) -> dict[str, Any]:
    """Text at the middle of a segment, turned so that it never reads upside down."""
    mid = 360 * (start + end) / 2 / n
    radial_angle = mid - 90 if mid <= 180 else mid + 90
    tangential_angle = mid if (mid <= 90 or mid >= 270) else mid + 180
    angle = radial_angle if radial else tangential_angle
    r0, r1 = RINGS[ring]
    return {
        "theta": math.radians(mid),
        "radius": (r0 + r1) / 2,
        "text": text,
        "angle": angle,
        "colour": text_colour(fill),
        "ring": ring,
    }


def _spans(items: list[ItemScore], depth: int) -> list[tuple[tuple[str, ...], int, int]]:
    """Consecutive runs of items sharing a (dimension, sub-dimension, category) prefix."""
    spans: list[tuple[tuple[str, ...], int, int]] = []
    for i, item in enumerate(items):
        r = item.result
        path = (r.dimension, r.subdimension, r.category)[:depth]
        if spans and spans[-1][0] == path:
            spans[-1] = (path, spans[-1][1], i + 1)
        else:
            spans.append((path, i, i + 1))
    return spans


def wheel_data(card: Scorecard, _: Translate) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Segments and labels; one KPI-ring segment per data point, in catalogue order."""
    items = card.items
    n = len(items)
    segments: list[dict[str, Any]] = []
    texts: list[dict[str, Any]] = []
    for ring, depth, level in (("dimension", 1, GroupLevel.DIMENSION), ("category", 3, GroupLevel.CATEGORY)):
        for path, start, end in _spans(items, depth):
            group = card.group(level, *path)
            band = group.band if group else None
            reported = bool(group and group.reported)
            fill = band_colour(band, reported)
            name = _(path[-1])
            segments.append(_segment(ring, start, end, n, fill, _status(band, reported, _), name))
            if ring == "dimension" or (end - start) / n >= 0.018:
                texts.append(_label(ring, start, end, n, name, fill, radial=ring == "category"))
    for i, item in enumerate(items):
        r = item.result
        fill = band_colour(item.band, r.has_value)
        text = r.code if r.data_point == "value" else f"{r.code} [{r.data_point}]"
        segments.append(_segment("kpi", i, i + 1, n, fill, _status(item.band, r.has_value, _), f"{text} {r.name}"))
    return segments, texts


def _centre_text(text: str, y: float, size: float, weight: str) -> dict[str, Any]:
    return {
        "data": {"values": [{"text": text}]},
        "mark": {"type": "text", "color": "white", "fontSize": size, "fontWeight": weight, "limit": 130},
        "encoding": {"text": {"field": "text"}, "x": {"value": SIZE / 2}, "y": {"value": y}},
    }


def _percent(city: GroupScore) -> str:
    return "–" if city.percent is None else f"{city.percent:.0f} %"


def _centre_score(city: GroupScore, _: Translate) -> list[dict[str, Any]]:
    """The headline score (U4SSC rule: scored data points only) and, beneath it, what it covers."""
    c = city.coverage
    percent = _percent(city)
    covered = _("%(scored)s of %(reported)s reported scored") % {"scored": c.scored, "reported": c.reported}
    return [
        _centre_text(percent, SIZE / 2 + 16, 16, "bold"),
        _centre_text(covered, SIZE / 2 + 32, 8.5, "normal"),
        _centre_text(_("%(framework)s in the framework") % {"framework": c.framework}, SIZE / 2 + 43, 8.5, "normal"),
    ]


def _ring_labels(texts: list[dict[str, Any]], ring: str, limit: float) -> dict[str, Any]:
    polar = {"scale": None}
    return {
        "data": {"values": [t for t in texts if t["ring"] == ring]},
        "mark": {"type": "text", "fontSize": 9 if ring == "dimension" else 8.5, "limit": limit},
        "encoding": {
            "theta": {"field": "theta", "type": "quantitative", **polar},
            "radius": {"field": "radius", "type": "quantitative", **polar},
            "text": {"field": "text"},
            "angle": {"field": "angle", **polar},
            "color": {"field": "colour", **polar},
        },
    }


def wheel_spec(card: Scorecard, _: Translate, thumbnail: bool = False) -> dict[str, Any]:
    """The wheel; a `thumbnail` (a list of many cities) drops the legend, the ring labels and the
    small coverage lines, which would be unreadable at that size: the page prints them as text."""
    segments, texts = wheel_data(card, _)
    entries = legend(_)
    profile = card.profile
    polar = {"scale": None}
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": SIZE,
        "height": SIZE,
        "background": "white",
        "config": {"view": {"stroke": None}, "font": "DejaVu Sans, Helvetica, Arial, sans-serif"},
        "layer": [
            {
                "data": {"values": [{"r": RINGS["dimension"][0] - 2}]},
                "mark": {"type": "arc", "fill": CENTRE},
                "encoding": {"theta": {"value": 0}, "theta2": {"value": TAU}, "radius": {"field": "r", **polar}},
            },
            *(
                [_centre_text(_percent(card.city), SIZE / 2 + 14, 40, "bold")]
                if thumbnail
                else [
                    _centre_text(profile.city, SIZE / 2 - 24, 17 if len(profile.city) < 14 else 12, "bold"),
                    _centre_text(str(profile.year), SIZE / 2 - 6, 12, "normal"),
                    *_centre_score(card.city, _),
                ]
            ),
            {
                "data": {"values": segments},
                "mark": {"type": "arc", "stroke": "white", "strokeWidth": 0.8},
                "encoding": {
                    "theta": {"field": "t0", "type": "quantitative", **polar},
                    "theta2": {"field": "t1"},
                    "radius": {"field": "r0", "type": "quantitative", **polar},
                    "radius2": {"field": "r1"},
                    "color": {
                        "field": "status",
                        "type": "nominal",
                        "scale": {"domain": [e[0] for e in entries], "range": [e[1] for e in entries]},
                        "legend": None
                        if thumbnail
                        else {"title": None, "orient": "bottom", "columns": 3, "labelFontSize": 11},
                    },
                    "description": {"field": "description"},
                    "tooltip": {"field": "description"},
                },
            },
            *(
                []
                if thumbnail
                else [
                    _ring_labels(texts, "dimension", limit=160),
                    _ring_labels(texts, "category", limit=RINGS["category"][1] - RINGS["category"][0] - 6),
                ]
            ),
        ],
    }
