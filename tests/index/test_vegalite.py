"""The uncertainty and sensitivity charts, written without Altair, are the specs and pages Altair made.

Each chart is built here with Altair as `citykpi.index.charts` built it before (the reference) and
as a plain dict; the dicts must be equal, and the HTML page must be Altair's own `spec_to_html` with
the same spec and, where Altair loads the three scripts from jsDelivr, the vendored scripts written
inline (tests/web/test_index_chart_pages.py opens such a page in Chromium with no network).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd
import pytest

from citykpi import vendor
from citykpi.index import vegalite
from citykpi.index.analysis.cli import _build, _study_tables
from citykpi.index.sensitivity import study
from citykpi.index.sensitivity.assumptions import from_config
from citykpi.index.sensitivity.backend import Execution
from citykpi.model.textsafety import chart_safe

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SCRIPT = re.compile(r'  <script type="text/javascript"( src="[^"]*")?>(.*?)</script>\n', re.DOTALL)
SPEC = re.compile(r"var spec = (.*?);\n")
LOADED = re.compile(r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)=", re.IGNORECASE)  # a file to fetch


def altair_uncertainty(rank_stats: pd.DataFrame) -> alt.TopLevelMixin:
    order = rank_stats.sort_values("nominal")["unit"].tolist()
    base = alt.Chart(rank_stats, title="Rank uncertainty (5-95 % band, median, nominal)").encode(
        x=alt.X("unit:N", sort=order, title=None)
    )
    band = base.mark_rule(strokeWidth=3, color="#bbbbbb").encode(
        y=alt.Y("q05:Q", scale=alt.Scale(reverse=True), title="rank"), y2="q95:Q"
    )
    median = base.mark_point(filled=True, color="#2a7f62").encode(
        y="median:Q", tooltip=["unit", "nominal", "median", "q05", "q95"]
    )
    nominal = base.mark_tick(color="black").encode(y="nominal:Q")
    return (band + median + nominal).properties(width=max(300, 12 * len(order)), height=300)


def altair_sensitivity(table: pd.DataFrame) -> alt.TopLevelMixin:
    first = table["first_order"].clip(lower=0)
    long = pd.DataFrame(
        {
            "assumption": np.repeat(table["assumption"].to_numpy(), 2),
            "part": np.tile(["first order", "interactions"], len(table)),
            "value": np.column_stack([first, (table["total"] - first).clip(lower=0)]).ravel(),
        }
    )
    bars = (
        alt.Chart(long, title="Sensitivity indices")
        .mark_bar()
        .encode(x=alt.X("assumption:N", title=None), y=alt.Y("sum(value):Q", title="Sobol index"), color="part:N")
    )
    whiskers = (
        alt.Chart(table).mark_errorbar().encode(x="assumption:N", y=alt.Y("total_low:Q", title=""), y2="total_high:Q")
    )
    return (bars + whiskers).properties(width=max(200, 60 * len(table)), height=260)


@pytest.fixture(scope="module")
def asem_sa() -> dict[str, pd.DataFrame]:
    """The tables of a real ASEM sensitivity run (its 51 units, four assumptions)."""
    index, cfg = _build(EXAMPLES / "asem-sensitivity.yaml")
    result = study.sensitivity(index, from_config(cfg), 32, 0, 50, None, Execution(workers=1), lambda _: None)
    return _study_tables(result)


def odd_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    """What a real run rarely gives: a missing bound, an infinite one, a negative first order, a unit
    name with a control character and a tab, integer ranks, over 25 units (the width grows)."""
    n = 30
    ranks = pd.DataFrame(
        {"unit": [f"U{i}" for i in range(n - 1)] + ["Bad\x01\tname"], "nominal": np.arange(n, 0, -1),
         "median": np.linspace(1, n, n), "q05": np.r_[np.nan, np.ones(n - 1)], "q95": np.r_[np.full(n - 1, n), np.inf],
         "mean": np.linspace(1, n, n) + 0.25}
    )  # fmt: skip
    sens = pd.DataFrame(
        {"assumption": ["w", "x", "y", "z"], "first_order": [0.5, -0.1, np.nan, 0.9], "total": [0.7, 0.2, 0.1, 0.4],
         "first_order_low": [0.1, -0.3, np.nan, 0.5], "first_order_high": [0.8, 0.1, np.nan, 1.0],
         "total_low": [0.6, 0.1, 0.0, 0.3], "total_high": [0.8, 0.3, 0.2, 0.5]}
    )  # fmt: skip
    return ranks, sens


def skeleton(page: str) -> str:
    """The page without its library scripts and with its spec's text left out."""
    return SPEC.sub("var spec = SPEC;\n", SCRIPT.sub("", page))


def assert_same(spec: dict[str, object], chart: alt.TopLevelMixin, tmp_path: Path) -> None:
    reference = chart.to_dict()
    assert spec == reference
    page = vegalite.write(spec, tmp_path / "chart.html").read_text(encoding="utf-8")
    expected = alt.utils.spec_to_html(
        chart_safe(reference),
        mode="vega-lite",
        vega_version=alt.VEGA_VERSION,
        vegaembed_version=alt.VEGAEMBED_VERSION,
        vegalite_version=alt.VEGALITE_VERSION,
    )
    assert json.loads(SPEC.findall(page)[0]) == json.loads(SPEC.findall(expected)[0])
    assert SCRIPT.findall(page) == [("", vendor.text(n)) for n in vendor.SCRIPTS]  # inline, none with a src
    assert [src.split("/npm/")[0] for src, _ in SCRIPT.findall(expected)] == [' src="https://cdn.jsdelivr.net'] * 3
    assert LOADED.findall(skeleton(page)) == []  # nor anything else outside the libraries fetched
    assert skeleton(page) == skeleton(expected)  # the rest, the embedding code included, is Altair's
    written = json.loads(vegalite.write(spec, tmp_path / "chart.json").read_text(encoding="utf-8"))
    assert written == json.loads(json.dumps(chart_safe(reference)))


def test_the_schema_is_altairs_and_the_vendored_libraries_read_it() -> None:
    assert vegalite.VEGALITE_VERSION == alt.VEGALITE_VERSION and vegalite.SCHEMA == alt.SCHEMA_URL
    # vega-embed accepts a spec whose schema's version its vega-lite satisfies as `^version`.
    schema = tuple(int(p) for p in vegalite.VEGALITE_VERSION.split("."))
    shipped = tuple(int(p) for p in vendor.VERSIONS["vega-lite"].split("."))
    assert shipped[0] == schema[0] and shipped >= schema
    majors = (vendor.VERSIONS["vega"].split(".")[0], vendor.VERSIONS["vega-embed"].split(".")[0])
    assert majors == (alt.VEGA_VERSION, alt.VEGAEMBED_VERSION)  # the major versions Altair's pages load


def test_a_name_holding_a_closing_script_tag_stays_inside_the_spec(tmp_path: Path) -> None:
    ranks, _ = odd_tables()
    ranks.loc[0, "unit"] = "</script><script>alert(1)</script>"
    page = vegalite.write(vegalite.uncertainty_spec(ranks), tmp_path / "chart.html").read_text(encoding="utf-8")
    assert page.count("</script>") == 4  # the three libraries' and the embedding script's
    assert json.loads(SPEC.findall(page)[0])["datasets"].popitem()[1][0]["unit"] == ranks.loc[0, "unit"]


def test_a_real_run_draws_the_charts_altair_drew(asem_sa: dict[str, pd.DataFrame], tmp_path: Path) -> None:
    assert len(asem_sa["rank_stats"]) == 51 and len(asem_sa["sensitivity"]) == 4
    assert_same(vegalite.uncertainty_spec(asem_sa["rank_stats"]), altair_uncertainty(asem_sa["rank_stats"]), tmp_path)
    assert_same(vegalite.sensitivity_spec(asem_sa["sensitivity"]), altair_sensitivity(asem_sa["sensitivity"]), tmp_path)


def test_missing_values_odd_names_and_integers_are_written_as_altair_wrote_them(tmp_path: Path) -> None:
    ranks, sens = odd_tables()
    spec = vegalite.uncertainty_spec(ranks)
    assert spec["width"] == 360 and spec["datasets"]  # 30 units widen the chart
    rows = next(iter(spec["datasets"].values()))  # type: ignore[attr-defined]
    assert rows[0]["q05"] is None and rows[-1]["q95"] is None and type(rows[0]["nominal"]) is int
    assert_same(spec, altair_uncertainty(ranks), tmp_path)
    assert "Bad\\ufffd name" in (tmp_path / "chart.html").read_text(encoding="utf-8")  # made chart-safe
    assert_same(vegalite.sensitivity_spec(sens), altair_sensitivity(sens), tmp_path)


def test_the_static_charts_render_and_an_unknown_format_is_refused(tmp_path: Path) -> None:
    ranks, sens = odd_tables()
    for name, spec in {"ua": vegalite.uncertainty_spec(ranks), "sa": vegalite.sensitivity_spec(sens)}.items():
        png = vegalite.write(spec, tmp_path / f"{name}.png").read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 2000
        svg = vegalite.write(spec, tmp_path / f"{name}.svg").read_text(encoding="utf-8")
        assert svg.startswith("<svg")
    assert "Bad" in (tmp_path / "ua.svg").read_text(encoding="utf-8")  # the unit's label is drawn
    with pytest.raises(ValueError, match=r"unsupported chart format '\.gif'"):
        vegalite.write(vegalite.sensitivity_spec(sens), tmp_path / "x.gif")
