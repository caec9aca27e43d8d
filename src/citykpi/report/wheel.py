"""The U4SSC benchmarking wheel as a Vega-Lite chart.

Rings from the centre, as in the official wheel (Verification Manual p.169): city, dimensions,
sub-dimensions, categories, KPIs and data points. Every data point gets an equal slice, so a group's
arc is proportional to the number of data points it holds. The sub-dimension ring is what tells the
two "Electricity Supply" categories of Economy apart (one under ICT, one under Infrastructure).

Vega-Lite's arc mark with explicit theta/theta2 and radius/radius2 expresses this directly; each
segment carries its description (name, value and unit, target, band, points), which
`render.svg` turns into an SVG <title> (the hover tooltip, with no script), and, where the caller
gives `link`, a link to the KPI's page. The legend is not drawn in the chart but beside it in HTML
(`legend`), so that it stays readable at phone width.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from citykpi.framework.names import names
from citykpi.report import labels, render
from citykpi.report.i18n import number, translations
from citykpi.report.style import (
    CENTRE,
    HATCH_DEFS,
    NO_BENCHMARK,
    NOT_REPORTED,
    NOT_REPORTED_FILL,
    band_colour,
    text_colour,
)
from citykpi.scoring.rules import Band, band_of, group_percent
from citykpi.scoring.scorecard import GroupLevel, GroupScore, ItemScore, Scorecard, Standing

Translate = Callable[[str], str]
Link = Callable[[str], str]  # KPI code -> address of its page
SIZE = 600
CENTRE_RADIUS = 98.0
RINGS: dict[str, tuple[float, float]] = {
    "dimension": (100, 128),
    "subdimension": (130, 168),
    "category": (170, 264),
    "kpi": (266, 282),
    "datapoint": (284, 298),
}
# The thumbnail keeps the rings but gives the centre most of the disc, for the score in large type.
THUMB_CENTRE = 176.0
LINE = 1.15  # line height, in font sizes
CHAR = 0.6  # mean advance of a DejaVu Sans character, in font sizes (wide: labels rather fit than touch)
FONTS = (9.5, 8.5, 7.5)  # tried in turn until a label fits its segment
TAU = 2 * math.pi


@dataclass(frozen=True)
class Key:
    """One entry of the legend: its words, the wheel's fill, the stylesheet's class for its swatch and
    `solid`, the one colour that stands for it in charts that cannot draw the wheel's hatch (Vega's)."""

    label: str
    fill: str
    css: str
    solid: str


def legend(_: Translate) -> list[Key]:
    """Best band first, then the two kinds of segment without points, told apart by a hatch in the
    wheel and by the reports' solid grey for "not reported" elsewhere."""
    bands = [
        Key(_(labels.BAND[b]), band_colour(b), f"key-band{int(b)}", band_colour(b)) for b in sorted(Band, reverse=True)
    ]
    return [
        *bands,
        Key(_(labels.NO_BENCHMARK), NO_BENCHMARK, "key-no-benchmark", NO_BENCHMARK),
        Key(_(labels.NOT_REPORTED), NOT_REPORTED_FILL, "key-not-reported", NOT_REPORTED),
    ]


def _fill(band: Band | None, reported: bool) -> str:
    if band is not None:
        return band_colour(band)
    return NO_BENCHMARK if reported else NOT_REPORTED_FILL


def _wrap(text: str, width: float, lines: int) -> tuple[list[str], float] | None:
    """The text broken at spaces into at most `lines` lines of `width` units, with the largest font that fits."""
    for font in FONTS:
        per_line = max(1, int(width / (CHAR * font)))
        out: list[str] = []
        for word in text.split():
            if out and len(out[-1]) + 1 + len(word) <= per_line:
                out[-1] += " " + word
            else:
                out.append(word)
        if len(out) <= lines and all(len(line) <= per_line for line in out):
            return out, font
    return None


def _label(ring: str, start: int, end: int, n: int, text: str, fill: str) -> dict[str, Any] | None:
    """Text at the middle of a segment, turned so that it never reads upside down; None if it cannot fit.

    Category names run along the radius (the ring is deep and the segments narrow), the other
    rings' names along the arc. A name too long for its segment is left to the tooltip rather
    than cut ("Public Space and ..." told the reader nothing).
    """
    mid = 360 * (start + end) / 2 / n
    r0, r1 = RINGS[ring]
    arc = TAU * (end - start) / n
    if ring == "category":
        angle = mid - 90 if mid <= 180 else mid + 90
        fitted = _wrap(text, r1 - r0 - 8, max(1, int(arc * (r0 + 10) / (LINE * FONTS[-1]))))
    else:
        angle = mid if (mid <= 90 or mid >= 270) else mid + 180
        chord = 2 * ((r0 + r1) / 2) * math.sin(min(arc, math.pi) / 2)
        fitted = _wrap(text, chord - 4, max(1, int((r1 - r0 - 4) / (LINE * FONTS[-1]))))
    if fitted is None:
        return None
    lines, font = fitted
    return {
        "theta": math.radians(mid),
        "radius": (r0 + r1) / 2,
        "text": lines,
        "size": font,
        "lines": len(lines),
        "angle": angle,
        "colour": text_colour(fill),
    }


def _spans(items: list[ItemScore], depth: int) -> list[tuple[tuple[str, ...], int, int]]:
    """Consecutive runs of items sharing a (dimension, sub-dimension, category, KPI code) prefix."""
    spans: list[tuple[tuple[str, ...], int, int]] = []
    for i, item in enumerate(items):
        r = item.result
        path = (r.dimension, r.subdimension, r.category, r.code)[:depth]
        if spans and spans[-1][0] == path:
            spans[-1] = (path, spans[-1][1], i + 1)
        else:
            spans.append((path, i, i + 1))
    return spans


class Words:
    """The tooltip sentences of the segments, in the report's language."""

    def __init__(self, lang: str) -> None:
        self._ = translations(lang).gettext
        self.names = names(lang)
        self.lang = lang

    def status(self, band: Band | None, standing: Standing) -> str:
        return self._(labels.BAND[band]) if band is not None else self._(labels.STANDING[standing])

    def points(self, points: int, scored: int) -> str:
        return self._("%(points)s of %(max)s points") % {"points": points, "max": 4 * scored}

    def group(self, name: str, group: GroupScore | None) -> str:
        _ = self._
        if group is None or group.percent is None:
            standing = Standing.NO_BENCHMARK if group and group.reported else Standing.NOT_REPORTED
            head = f"{_(name)}: {self.status(None, standing)}"
        else:
            head = f"{_(name)}: {number(group.percent, self.lang, 0)} % ({self.status(group.band, Standing.SCORED)})"
            head += f", {self.points(group.points, group.scored)}"
        if group is None:
            return head
        c = group.coverage
        covered = _("%(scored)s of %(reported)s reported data points scored; %(framework)s in the framework")
        return f"{head}; {covered % {'scored': c.scored, 'reported': c.reported, 'framework': c.framework}}"

    def kpi(self, items: list[ItemScore]) -> tuple[str, Band | None, bool]:
        """Sentence, band and whether anything was reported, for a KPI of one or more data points."""
        first = items[0].result
        named = f"{first.code} {self.names.of(first)}"
        points = [i.points for i in items if i.points is not None]
        percent = group_percent(points)
        band = None if percent is None else band_of(percent)
        reported = any(i.result.has_value for i in items)
        if band is None:
            standing = Standing.NO_BENCHMARK if reported else Standing.NOT_REPORTED
            return f"{named}: {self.status(None, standing)}", None, reported
        return f"{named}: {self.status(band, Standing.SCORED)}, {self.points(sum(points), len(points))}", band, reported

    def data_point(self, item: ItemScore) -> str:
        _ = self._
        r = item.result
        point = "" if r.data_point == "value" else f" [{self.names.data_point(r.code, r.data_point, r.data_point)}]"
        parts = [f"{r.code} {self.names.of(r)}{point}"]
        if r.has_value:
            shown = _(r.value_text) if r.value_text else number(r.value, self.lang, 2)
            parts.append(f"{shown} {self.names.unit(r.unit)}".strip())
        t = item.benchmark
        if t is not None:
            goal = (_("yes") if t.value else _("no")) if isinstance(t.value, bool) else number(t.value, self.lang, 2)
            year = f" ({t.year})" if t.year else ""
            parts.append(_("target %(value)s") % {"value": goal + year})
        parts.append(self.status(item.band, item.standing))
        if item.points is not None:
            parts.append(self.points(item.points, 1))
        return " · ".join(parts)


def wheel_data(
    card: Scorecard, lang: str, link: Link | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Segments of the five rings and the labels that fit, in catalogue order."""
    words = Words(lang)
    items = card.items
    n = len(items)
    segments: list[dict[str, Any]] = []
    texts: list[dict[str, Any]] = []

    def add(ring: str, start: int, end: int, fill: str, description: str, code: str | None) -> None:
        r0, r1 = RINGS[ring]
        segment = {"ring": ring, "t0": TAU * start / n, "t1": TAU * end / n, "r0": r0, "r1": r1}
        segment.update(fill=fill, description=description, href=link(code) if link and code else None)
        segments.append(segment)

    levels = (
        ("dimension", GroupLevel.DIMENSION),
        ("subdimension", GroupLevel.SUBDIMENSION),
        ("category", GroupLevel.CATEGORY),
    )
    for depth, (ring, level) in enumerate(levels, start=1):
        for path, start, end in _spans(items, depth):
            group = card.group(level, *path)
            fill = _fill(group.band if group else None, bool(group and group.reported))
            add(ring, start, end, fill, words.group(path[-1], group), None)
            label = _label(ring, start, end, n, words._(path[-1]), fill)
            if label is not None:
                texts.append({**label, "ring": ring})
    for (*_path, code), start, end in _spans(items, 4):
        text, band, reported = words.kpi(items[start:end])
        add("kpi", start, end, _fill(band, reported), text, code)
    for i, item in enumerate(items):
        add("datapoint", i, i + 1, _fill(item.band, item.result.has_value), words.data_point(item), item.result.code)
    return segments, texts


def _centre_text(text: str, y: float, size: float, weight: str, limit: float) -> dict[str, Any]:
    return {
        "data": {"values": [{"text": text}]},
        "mark": {
            "type": "text",
            "color": "white",
            "fontSize": size,
            "fontWeight": weight,
            "limit": limit,
            "aria": False,
        },
        "encoding": {"text": {"field": "text"}, "x": {"value": SIZE / 2}, "y": {"value": y}},
    }


def _centre(card: Scorecard, _: Translate, lang: str, thumbnail: bool) -> list[dict[str, Any]]:
    """City, year, the headline score (U4SSC rule: scored data points only) and what it covers."""
    city = card.city
    c = city.coverage
    percent = "–" if city.percent is None else f"{number(city.percent, lang, 0)} %"
    mid = SIZE / 2
    if thumbnail:
        # Only numbers: words would be illegible at 140 px; the page writes them out beside the image.
        return [
            _centre_text(percent, mid + 12, 96, "bold", 2 * THUMB_CENTRE - 20),
            _centre_text(f"{c.scored}/{c.reported}/{c.framework}", mid + 76, 44, "normal", 2 * THUMB_CENTRE - 40),
        ]
    width = 2 * CENTRE_RADIUS - 16
    profile = card.profile
    covered = _("%(scored)s of %(reported)s reported scored") % {"scored": c.scored, "reported": c.reported}
    return [
        _centre_text(profile.city, mid - 40, 18 if len(profile.city) < 12 else 13, "bold", width),
        _centre_text(str(profile.year), mid - 20, 13, "normal", width),
        _centre_text(percent, mid + 10, 26, "bold", width),
        _centre_text(covered, mid + 33, 11, "normal", width),
        _centre_text(_("%(framework)s in the framework") % {"framework": c.framework}, mid + 48, 11, "normal", width),
    ]


def _ring_labels(texts: list[dict[str, Any]], lines: int) -> dict[str, Any]:
    """One layer per number of lines: Vega has no per-datum dy, and a block is centred by shifting it up."""
    polar = {"scale": None}
    height = LINE * FONTS[0]
    return {
        "data": {"values": [t for t in texts if t["lines"] == lines]},
        "mark": {"type": "text", "lineHeight": height, "dy": -(lines - 1) * height / 2, "aria": False},
        "encoding": {
            "theta": {"field": "theta", "type": "quantitative", **polar},
            "radius": {"field": "radius", "type": "quantitative", **polar},
            "text": {"field": "text"},
            "size": {"field": "size", "type": "quantitative", **polar},
            "angle": {"field": "angle", **polar},
            "color": {"field": "colour", **polar},
        },
    }


def _arcs(segments: list[dict[str, Any]], linked: bool) -> dict[str, Any]:
    """The segments as arcs; a separate layer for the linked ones (Vega links a null address too)."""
    polar = {"scale": None}
    encoding = {
        "theta": {"field": "t0", "type": "quantitative", **polar},
        "theta2": {"field": "t1"},
        "radius": {"field": "r0", "type": "quantitative", **polar},
        "radius2": {"field": "r1"},
        "fill": {"field": "fill", "type": "nominal", **polar},
        "description": {"field": "description"},
    }
    if linked:
        encoding["href"] = {"field": "href"}
    return {
        "data": {"values": segments},
        "mark": {"type": "arc", "stroke": "white", "strokeWidth": 0.8},
        "encoding": encoding,
    }


def wheel_spec(card: Scorecard, lang: str, link: Link | None = None, thumbnail: bool = False) -> dict[str, Any]:
    """The chart; `link` gives each KPI and data-point segment the address of the KPI's page."""
    _ = translations(lang).gettext
    segments, texts = wheel_data(card, lang, link)
    polar = {"scale": None}
    centre = THUMB_CENTRE if thumbnail else CENTRE_RADIUS
    if thumbnail:
        # Rings squeezed outwards between the large centre and the rim, no labels.
        span = RINGS["datapoint"][1] - RINGS["dimension"][0]
        squeeze = (RINGS["datapoint"][1] - centre - 2) / span
        for s in segments:
            s["r0"], s["r1"] = (
                RINGS["datapoint"][1] - (RINGS["datapoint"][1] - r) * squeeze for r in (s["r0"], s["r1"])
            )
        texts = []
    max_lines = max((t["lines"] for t in texts), default=0)
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": SIZE,
        "height": SIZE,
        "padding": 0,
        "autosize": "none",
        "background": "white",
        "config": {"view": {"stroke": None}, "font": "DejaVu Sans, Helvetica, Arial, sans-serif"},
        "layer": [
            {
                "data": {"values": [{"r": centre}]},
                "mark": {"type": "arc", "fill": CENTRE, "aria": False},
                "encoding": {"theta": {"value": 0}, "theta2": {"value": TAU}, "radius": {"field": "r", **polar}},
            },
            *_centre(card, _, lang, thumbnail),
            _arcs([s for s in segments if s["href"] is None], linked=False),
            _arcs([s for s in segments if s["href"] is not None], linked=True),
            *(_ring_labels(texts, lines) for lines in range(1, max_lines + 1)),
        ],
    }


def wheel_svg(card: Scorecard, lang: str, link: Link | None = None, thumbnail: bool = False) -> Markup:
    """The drawn wheel, with the hatch that marks segments not reported."""
    drawn = str(render.svg(wheel_spec(card, lang, link, thumbnail)))
    head = drawn.index(">") + 1
    return Markup(drawn[:head] + HATCH_DEFS + drawn[head:])
