"""The audit's charts render to HTML, PNG and SVG from one spec; the sunburst geometry follows the weights."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from citykpi.index import charts
from citykpi.index.config import load_config
from citykpi.index.model import AGGREGATED, Index
from citykpi.index.pipeline import run

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def asem() -> Index:
    return run(load_config(EXAMPLES / "asem.yaml"))


def test_contributions_sum_to_the_score(asem: Index) -> None:
    c = charts.contributions(asem)
    sums = c.groupby("unit", sort=False)["contribution"].sum()
    np.testing.assert_allclose(sums.loc[asem.units].to_numpy(), asem.datasets[AGGREGATED][:, -1])
    assert set(c["component"]) == {"Conn", "Sust"}


def test_sunburst_arcs_follow_effective_weights(asem: Index) -> None:
    weights = {**asem.weights, "Conn": 3.0}
    table = charts.sunburst_table(asem.hierarchy, weights).set_index("code")
    assert table.loc["Index", "share"] == pytest.approx(1.0)
    assert table.loc["Conn", "share"] == pytest.approx(0.75)
    eff = asem.hierarchy.effective_weights(weights)
    for code in ("LPI", "Physical", "Renew"):
        assert table.loc[code, "share"] == pytest.approx(eff[code])
    assert table.loc["LPI", "inner"] > table.loc["Physical", "inner"] > table.loc["Index", "inner"]


def test_every_chart_renders_html_png_and_svg(asem: Index, tmp_path: Path) -> None:
    corr = pd.DataFrame({"var1": ["a", "a"], "var2": ["a", "b"], "r": [1.0, 0.3], "p": [0.0, 0.2],
                         "r_masked": [1.0, np.nan]})  # fmt: skip
    figures = {
        "bar": charts.bar_chart(asem, top=10),
        "framework": charts.sunburst(asem.hierarchy),
        "corr": charts.correlation_heatmap(corr),
    }
    for name, chart in figures.items():
        html = charts.save(chart, tmp_path / f"{name}.html").read_text()
        assert "vega" in html
        png = charts.save(chart, tmp_path / f"{name}.png").read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 2000
    svg = charts.save(figures["framework"], tmp_path / "framework.svg").read_text()
    assert svg.count("<path") >= len(asem.hierarchy.nodes)  # one arc per node
    with pytest.raises(ValueError, match="unsupported chart format"):
        charts.save(figures["bar"], tmp_path / "x.gif")
