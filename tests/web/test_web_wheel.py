"""The city page's wheel in headless Chromium: tooltips, links to the KPI pages, taps, phone width.

Against a real server and database (SQLite; the wheel does not depend on the database) with the
demo cities. Screenshots go to $CITYKPI_SCREENSHOTS when it is set.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest
from browsing import DESKTOP, PHONE, check_page, demo_site, watched
from web_server import CITY

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("module_db_url", ["sqlite"], indirect=True)]
SHOTS = os.environ.get("CITYKPI_SCREENSHOTS")
SEGMENTS = "figure.wheel path[aria-roledescription='arc mark'][aria-label]"


@pytest.fixture(scope="module")
def base(module_db_url: str) -> Iterator[str]:
    yield from demo_site(module_db_url, cities=1)


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.locator("figure.wheel").screenshot(path=f"{SHOTS}/{name}.png")


def test_every_segment_has_its_tooltip_and_kpi_segments_open_the_kpi_page(base: str, browser) -> None:  # type: ignore[no-untyped-def]
    page = watched(browser.new_page(viewport=DESKTOP))
    page.goto(f"{base}/cities/{CITY}")
    check_page(page, "city-wheel")
    segments = page.locator(SEGMENTS)
    count = segments.count()
    titles = page.eval_on_selector_all(
        SEGMENTS,
        "els => els.map(e => [e.getAttribute('aria-label'), e.querySelector('title')?.textContent])",
    )
    assert len(titles) == count > 112 * 2
    assert all(label and label == title for label, title in titles)
    # a scored data point tells its value and unit, target, band and points
    scored = [t for t, _ in titles if "target" in t and "points" in t and "% of target" in t]
    assert scored, titles[:5]
    links = page.eval_on_selector_all(
        "figure.wheel a", "els => els.map(e => e.getAttribute('href') || e.getAttribute('xlink:href'))"
    )
    assert links and all(re.fullmatch(rf"/cities/{CITY}/kpis/[^/]+", h) for h in links)
    shot(page, "wheel-1280")
    first = page.locator("figure.wheel a").first
    href = first.get_attribute("xlink:href") or first.get_attribute("href")
    first.click()
    page.wait_for_url(f"**{href}")
    assert unquote(href.rsplit("/", 1)[1]) in page.locator("h1").inner_text()
    page.close()


def test_a_tap_shows_the_segment_then_a_second_tap_opens_the_kpi(base: str, browser) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.goto(f"{base}/cities/{CITY}")
    tip = page.locator(".wheel-tip")
    assert tip.is_hidden()
    segment = page.locator("figure.wheel a path").nth(40)
    label = segment.get_attribute("aria-label")
    segment.tap()
    assert tip.is_visible() and label in tip.inner_text()
    assert page.url.endswith(f"/cities/{CITY}")  # the first tap did not navigate
    opened = tip.locator("a")
    assert opened.get_attribute("href").startswith(f"/cities/{CITY}/kpis/")
    shot(page, "wheel-390-tapped")
    segment.tap()
    page.wait_for_url(f"**/cities/{CITY}/kpis/**")
    context.close()


def test_legend_and_centre_are_readable_at_phone_width(base: str, browser) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport=PHONE)
    page.goto(f"{base}/cities/{CITY}")
    sizes = page.eval_on_selector_all(
        ".wheel-legend li", "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))"
    )
    assert len(sizes) == 6 and min(sizes) >= 13
    # the legend tells not reported (hatched) from no benchmark (plain) by more than a shade of grey
    hatch = page.eval_on_selector(".key-not-reported", "e => getComputedStyle(e).backgroundImage")
    plain = page.eval_on_selector(".key-no-benchmark", "e => getComputedStyle(e).backgroundImage")
    assert "repeating-linear-gradient" in hatch and plain == "none"
    # the centre's score is drawn at 14 px or more on the phone; its coverage is written out beside it
    heights = page.eval_on_selector_all(
        "figure.wheel svg text",
        "els => els.filter(e => /%$/.test(e.textContent)).map(e => e.getBoundingClientRect().height)",
    )
    assert heights and max(heights) >= 14
    caption = page.locator("figure.wheel figcaption").inner_text()
    assert re.search(r"\d+ of \d+ reported data points scored; \d+ in the framework", caption)
    shot(page, "wheel-390")
    page.close()


def test_thumbnail_has_no_legend_nor_labels_and_shows_score_and_coverage(base: str, browser) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport=DESKTOP)
    page.goto(f"{base}/")
    src = page.locator("img.thumb").first.get_attribute("src")
    drawn = page.request.get(f"{base}{src}").text()
    texts = re.findall(r"<text[^>]*>(.*?)</text>", drawn)
    assert len(texts) == 2, texts  # the score and the coverage, nothing else
    assert re.fullmatch(r"\d+ %", texts[0]) and re.fullmatch(r"\d+/\d+/\d+", texts[1])
    assert "role-legend" not in drawn
    page.close()
