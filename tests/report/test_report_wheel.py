"""The benchmarking wheel: one segment per data point, coloured by band, drawn by Vega-Lite."""

from __future__ import annotations

import re
from collections import Counter

from citykpi.framework.catalogue import Catalogue
from citykpi.model.assessment import Assessment
from citykpi.report.render import svg
from citykpi.report.style import NO_BENCHMARK, NOT_REPORTED, band_colour
from citykpi.report.wheel import legend, wheel_data, wheel_spec
from citykpi.scoring.scorecard import GroupLevel, score
from citykpi.scoring.targets import TargetBook


def english(text: str) -> str:
    return text


def test_one_kpi_segment_per_data_point_with_its_band_colour(
    history: list[Assessment], book: TargetBook, catalogue: Catalogue
) -> None:
    card = score(history[-1], book)
    segments, _ = wheel_data(card, english)
    kpi_ring = [s for s in segments if s["ring"] == "kpi"]
    assert len(kpi_ring) == sum(len(k.data_points) for k in catalogue.kpis.values()) == len(card.items)
    for segment, item in zip(kpi_ring, card.items, strict=True):
        assert segment["fill"] == band_colour(item.band, item.result.has_value)
        assert item.result.code in segment["description"]
    fills = Counter(s["fill"] for s in kpi_ring)
    assert fills[NOT_REPORTED] == sum(1 for i in card.items if not i.result.has_value)
    assert fills[NO_BENCHMARK] == sum(1 for i in card.items if i.result.has_value and i.band is None)
    # the full circle is covered once by each ring
    assert kpi_ring[0]["t0"] == 0 and abs(kpi_ring[-1]["t1"] - 2 * 3.141592653589793) < 1e-9
    dimensions = [s for s in segments if s["ring"] == "dimension"]
    assert [s["description"].split(" – ")[0] for s in dimensions] == ["Economy", "Environment", "Society and Culture"]
    for s in dimensions:
        group = card.group(GroupLevel.DIMENSION, s["description"].split(" – ")[0])
        assert group is not None and s["fill"] == band_colour(group.band, group.reported > 0)
    categories = [s for s in segments if s["ring"] == "category"]
    assert len(categories) == len(card.level(GroupLevel.CATEGORY))


def test_rendered_svg_draws_every_segment_in_its_colour(history: list[Assessment], book: TargetBook) -> None:
    card = score(history[-1], book)
    segments, _ = wheel_data(card, english)
    drawn = str(svg(wheel_spec(card, english)))
    arcs = re.findall(r'<path [^>]*aria-roledescription="arc mark"[^>]*fill="(#[0-9a-f]{6})"', drawn)
    # the centre disc plus every segment of the three rings
    assert len(arcs) == 1 + len(segments)
    assert Counter(arcs[1:]) == Counter(s["fill"] for s in segments)
    for label, _colour in legend(english):
        assert label in drawn


def test_thumbnail_keeps_the_rings_and_the_score_but_drops_legend_and_labels(
    history: list[Assessment], book: TargetBook
) -> None:
    """Issue 12 §5: at 140 px the legend and ring labels cannot be read; the page prints the numbers."""
    card = score(history[-1], book)
    full, thumb = svg(wheel_spec(card, english)), svg(wheel_spec(card, english, thumbnail=True))
    segments = wheel_spec(card, english, thumbnail=True)["layer"][-1]
    assert segments["encoding"]["color"]["legend"] is None
    assert f"{card.city.percent:.0f} %" in thumb and "in the framework" in full and "in the framework" not in thumb
    assert "Economy</text>" in full and "Economy</text>" not in thumb
