"""The chart pages `citykpi index` writes draw in Chromium opened from disk with the network cut off.

A verifier or an index builder may open such a page offline or from a mail: every request that is
not the file itself is aborted and recorded, and the page must still draw its marks with the
vendored libraries, of the versions `citykpi.vendor` names, with no error and no version warning.
The marks are read from the SVG vega-embed draws: per layer, their kind, number and colours.

Set `CITYKPI_SCREENSHOTS=dir` to keep a screenshot of each page.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from citykpi import vendor
from citykpi.index import vegalite

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("CITYKPI_SCREENSHOTS")
# Per layer of marks vega drew: its mark type, how many marks and their colours.
MARKS = """[...document.querySelectorAll('#vis svg .role-mark')].map(g => [
  g.getAttribute('class').split(' ')[0], g.children.length,
  [...new Set([...g.children].map(c => c.getAttribute('fill') || c.getAttribute('stroke')))].sort()])"""


def tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    """A small real-looking run: six units' ranks (one named with a closing script tag, which must be
    drawn as a label, not end the page's script) and three assumptions."""
    units = ["Arden", "Brisk", "</script><b>Cove</b>", "Dale", "Esk", "Fell"]
    nominal = np.arange(1, 7)
    ranks = pd.DataFrame(
        {"unit": units, "nominal": nominal, "median": nominal + 0.5, "q05": np.maximum(nominal - 1, 1),
         "q95": np.minimum(nominal + 2, 6), "mean": nominal + 0.25}
    )  # fmt: skip
    sens = pd.DataFrame(
        {"assumption": ["weights", "imputation", "normalisation"], "first_order": [0.5, 0.2, 0.1],
         "total": [0.7, 0.3, 0.15], "total_low": [0.6, 0.2, 0.1], "total_high": [0.8, 0.4, 0.2]}
    )  # fmt: skip
    return ranks, sens


def opened_offline(browser, path: Path):  # type: ignore[no-untyped-def]
    """The page at `path`, every other request aborted; returns it with what it asked for and what it logged."""
    page = browser.new_page(viewport={"width": 900, "height": 500})
    asked: list[str] = []
    logged: list[str] = []

    def cut_off(route) -> None:  # type: ignore[no-untyped-def]
        if route.request.url == path.as_uri():
            route.continue_()
        else:
            asked.append(route.request.url)
            route.abort()

    page.route("**/*", cut_off)
    page.on("console", lambda message: logged.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: logged.append(f"pageerror: {error}"))
    page.goto(path.as_uri())
    return page, asked, logged


def test_the_index_charts_draw_offline_with_the_vendored_libraries(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ranks, sens = tables()
    specs = {"uncertainty": vegalite.uncertainty_spec(ranks), "sensitivity": vegalite.sensitivity_spec(sens)}
    drawn = {  # the band, the medians and the nominal ticks per unit; two parts per assumption and its interval
        "uncertainty": [["mark-rule", 6, ["#bbbbbb"]], ["mark-symbol", 6, ["#2a7f62"]], ["mark-rect", 6, ["black"]]],
        "sensitivity": [["mark-rect", 6, ["#4c78a8", "#f58518"]], ["mark-rule", 3, ["black"]]],
    }
    for name, spec in specs.items():
        page, asked, logged = opened_offline(browser, vegalite.write(spec, tmp_path / f"{name}.html"))
        page.wait_for_selector("#vis svg .role-mark")
        assert page.evaluate(MARKS) == drawn[name]
        assert asked == [] and logged == [], name  # nothing fetched, no error, no version warning
        assert page.locator("#vis p").count() == 0  # no "JavaScript Error" paragraph of the page's showError
        versions = page.evaluate("[vega.version, vegaLite.version, vegaEmbed.version]")
        assert versions == [vendor.VERSIONS[n] for n in ("vega", "vega-lite", "vega-embed")]
        labels = page.evaluate("[...document.querySelectorAll('#vis svg text')].map(t => t.textContent)")
        assert {"uncertainty": ranks["unit"], "sensitivity": sens["assumption"]}[name].isin(labels).all()
        if SHOTS:
            page.screenshot(path=str(Path(SHOTS) / f"index-{name}-offline.png"))
        page.close()


def test_a_page_that_needs_the_network_shows_up_as_asked(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The check above can fail: Altair's own page, which loads the libraries from jsDelivr, draws nothing."""
    import altair as alt

    page_path = tmp_path / "altair.html"
    spec = vegalite.sensitivity_spec(tables()[1])
    versions = {"vega_version": alt.VEGA_VERSION, "vegaembed_version": alt.VEGAEMBED_VERSION}
    page_path.write_text(alt.utils.spec_to_html(spec, "vega-lite", vegalite_version=alt.VEGALITE_VERSION, **versions))
    page, asked, logged = opened_offline(browser, page_path)
    libraries = ("vega", "vega-lite", "vega-embed")
    assert [url.split("@")[0] for url in asked] == [f"https://cdn.jsdelivr.net/npm/{n}" for n in libraries]
    assert "pageerror: vegaEmbed is not defined" in logged
    assert page.locator("#vis canvas, #vis svg").count() == 0
    page.close()
