"""The benchmarking wheel: five rings as in the official wheel, each segment with its tooltip, drawn by Vega-Lite."""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from itertools import pairwise
from pathlib import Path

from citykpi.framework.catalogue import Catalogue
from citykpi.model.assessment import Assessment
from citykpi.report import render
from citykpi.report.content import build
from citykpi.report.pages import city_html
from citykpi.report.style import HATCH_ID, NO_BENCHMARK, NOT_REPORTED, NOT_REPORTED_FILL, band_colour
from citykpi.report.wheel import RINGS, legend, wheel_data, wheel_svg
from citykpi.scoring.scorecard import GroupLevel, score
from citykpi.scoring.targets import TargetBook

TAU = 2 * 3.141592653589793


def english(text: str) -> str:
    return text


def test_five_rings_each_round_the_whole_circle_in_catalogue_order(
    history: list[Assessment], book: TargetBook, catalogue: Catalogue
) -> None:
    card = score(history[-1], book)
    segments, _ = wheel_data(card, "en")
    rings = {ring: [s for s in segments if s["ring"] == ring] for ring in RINGS}
    assert list(rings) == ["dimension", "subdimension", "category", "kpi", "datapoint"]
    for found in rings.values():
        assert found[0]["t0"] == 0 and abs(found[-1]["t1"] - TAU) < 1e-9
        assert all(abs(a["t1"] - b["t0"]) < 1e-12 for a, b in pairwise(found))
    assert len(rings["datapoint"]) == sum(len(k.data_points) for k in catalogue.kpis.values()) == len(card.items)
    assert len(rings["kpi"]) == len(catalogue.kpis)
    assert len(rings["subdimension"]) == len(card.level(GroupLevel.SUBDIMENSION))
    assert len(rings["category"]) == len(card.level(GroupLevel.CATEGORY))
    # The two "Electricity Supply" categories of Economy lie under two different sub-dimensions.
    electricity = [s for s in rings["category"] if s["description"].startswith("Electricity Supply:")]
    assert len(electricity) == 2
    parents = {
        sub["description"].split(":")[0]
        for e in electricity
        for sub in rings["subdimension"]
        if sub["t0"] <= e["t0"] and e["t1"] <= sub["t1"]
    }
    assert parents == {"ICT", "Infrastructure"}


def test_segments_are_coloured_and_described_by_their_standing(history: list[Assessment], book: TargetBook) -> None:
    card = score(history[-1], book)
    segments, _ = wheel_data(card, "en", link=lambda code: f"/kpi/{code}")
    points = [s for s in segments if s["ring"] == "datapoint"]
    for segment, item in zip(points, card.items, strict=True):
        r = item.result
        assert segment["fill"] == (
            band_colour(item.band) if item.band else NO_BENCHMARK if r.has_value else NOT_REPORTED_FILL
        )
        assert segment["description"].startswith(f"{r.code} {r.name}") and segment["href"] == f"/kpi/{r.code}"
        if item.points is not None:
            assert r.unit in segment["description"] and "target" in segment["description"]
            assert f"{item.points} of 4 points" in segment["description"]
    assert Counter(s["fill"] for s in points)[NOT_REPORTED_FILL] == sum(1 for i in card.items if not i.result.has_value)
    # not reported and no benchmark are two different fills, one of them a hatch, in the legend too
    keys = {k.css: k.fill for k in legend(english)}
    assert keys["key-not-reported"] == f"url(#{HATCH_ID})" != keys["key-no-benchmark"]
    # charts that cannot draw the hatch (the pages' Vega legends) get the reports' solid grey for it
    solid = {k.css: k.solid for k in legend(english)}
    assert solid["key-not-reported"] == NOT_REPORTED != solid["key-no-benchmark"] == NO_BENCHMARK
    assert all(solid[k] == fill for k, fill in keys.items() if k != "key-not-reported")
    for s in segments:
        if s["ring"] in ("dimension", "subdimension", "category"):
            assert s["href"] is None and ("points" in s["description"] or "Not reported" in s["description"])


def test_every_category_name_drawn_whole_and_none_cut(history: list[Assessment], book: TargetBook) -> None:
    card = score(history[-1], book)
    _, texts = wheel_data(card, "en")
    drawn = {" ".join(t["text"]) for t in texts if t["ring"] == "category"}
    names = {g.name for g in card.level(GroupLevel.CATEGORY) if g.items >= 2}
    assert names <= drawn, names - drawn
    assert "Public Space and Nature" in drawn
    assert not any("…" in line or "..." in line for t in texts for line in t["text"])
    subdimensions = {" ".join(t["text"]) for t in texts if t["ring"] == "subdimension"}
    assert {g.name for g in card.level(GroupLevel.SUBDIMENSION)} == subdimensions


def test_rendered_svg_gives_every_segment_a_title_and_links_kpi_segments(
    history: list[Assessment], book: TargetBook
) -> None:
    card = score(history[-1], book)
    segments, _ = wheel_data(card, "en")
    drawn = str(wheel_svg(card, "en", link=lambda code: f"/cities/lakeside/kpis/{code}"))
    arcs = re.findall(
        r'<path aria-label="([^"]*)"[^>]*aria-roledescription="arc mark"[^>]*fill="([^"]+)"[^>]*>'
        r"<title>([^<]*)</title>",
        drawn,
    )
    assert len(arcs) == len(segments)
    assert all(label == title for label, _fill, title in arcs)
    assert Counter(fill for _l, fill, _t in arcs) == Counter(s["fill"] for s in segments)
    assert f'<pattern id="{HATCH_ID}"' in drawn
    links = re.findall(r'<a xlink:href="([^"]+)">', drawn)
    assert len(links) == sum(1 for s in segments if s["ring"] in ("kpi", "datapoint"))
    assert all(h.startswith("/cities/lakeside/kpis/") for h in links)
    thumb = str(wheel_svg(card, "en", thumbnail=True))
    assert re.findall(r"<text[^>]*>([^<]*)</text>", thumb) == [
        f"{card.city.percent:.0f} %",
        f"{card.city.coverage.scored}/{card.city.coverage.reported}/{card.city.coverage.framework}",
    ]


def test_pdf_shows_the_wheel_and_its_legend_on_page_one(
    history: list[Assessment], book: TargetBook, catalogue: Catalogue, tmp_path: Path
) -> None:
    report = build(history, catalogue.kpis, book)
    page = city_html(report, "snapshot", "en")
    out = tmp_path / "snapshot.pdf"
    render.pdf(page, out)
    pdftotext = ["pdftotext", "-f", "1", "-l", "1", str(out), "-"]
    first = subprocess.run(pdftotext, capture_output=True, text=True, check=True).stdout
    for words in (
        "Benchmarking wheel",
        "Lakeside",
        "Not reported",
        "No benchmark",
        "95%+ of target",
        f"{report.card.city.percent:.0f} %",
    ):
        assert words in first, words
    subprocess.run(["pdftoppm", "-r", "50", "-f", "1", "-l", "1", "-png", str(out), str(tmp_path / "page")], check=True)
    assert (tmp_path / "page-01.png").stat().st_size > 20_000


def test_the_sites_legend_keys_use_the_report_colours() -> None:
    from importlib import resources

    from citykpi.report.style import BAND_COLOURS

    css = (resources.files("citykpi.web") / "data" / "static" / "site.css").read_text(encoding="utf-8")
    for band, colour in BAND_COLOURS.items():
        assert f".key-band{int(band)} {{ background: {colour}; }}" in css
    assert f".key-no-benchmark {{ background: {NO_BENCHMARK}; }}" in css
