"""Charts of an index's audit (`index analyse`), as Altair (Vega-Lite) specs.

One spec serves the interactive HTML page and the static PNG/SVG (rendered by vl-convert, no
browser needed). Functions take tables, not files, and return charts; `save` picks the format from
the file suffix. The charts of an uncertainty run are plain dicts (`citykpi.index.vegalite`), so
that the command does not import Altair.
"""

from __future__ import annotations

from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd

from citykpi.index.model import AGGREGATED, Hierarchy, Index
from citykpi.index.targets import target_column
from citykpi.index.vegalite import write


def contributions(index: Index, code: str | None = None) -> pd.DataFrame:
    """Per unit, each child's share of the parent's score: parent * w_c x_c / sum_k w_k x_k.

    For an arithmetic mean this is exactly the child's weighted contribution; for other means it
    splits the score in proportion to the weighted child values (a display convention).
    """
    code, parent = target_column(index, code)
    cols = index.columns(AGGREGATED)
    kids = index.hierarchy.children(code)
    x = index.datasets[AGGREGATED][:, [cols.index(k) for k in kids]]
    w = np.array([index.weights.get(k, index.hierarchy.weight(k)) for k in kids])
    wx = np.where(np.isnan(x), 0.0, x * w)
    total = wx.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total != 0, wx / total, np.nan) * parent[:, None]
    return pd.DataFrame(
        {
            "unit": np.repeat(index.units, len(kids)),
            "component": np.tile(kids, len(index.units)),
            "contribution": share.ravel(),
            "score": np.repeat(parent, len(kids)),
        }
    )


def bar_chart(index: Index, code: str | None = None, top: int | None = None) -> alt.TopLevelMixin:
    """Units ranked by score, each bar stacked by the contributions of the components."""
    data = contributions(index, code)
    order = data.drop_duplicates("unit").sort_values("score", ascending=False)["unit"].tolist()
    if top is not None:
        order = order[:top]
        data = data[data["unit"].isin(order)]
    chart: alt.TopLevelMixin = (
        alt.Chart(data, title=f"{code or target_column(index)[0]}: score by component")
        .mark_bar()
        .encode(
            x=alt.X("unit:N", sort=order, title=None),
            y=alt.Y("sum(contribution):Q", title="score"),
            color=alt.Color("component:N", title="component"),
            tooltip=[
                "unit",
                "component",
                alt.Tooltip("contribution:Q", format=".2f"),
                alt.Tooltip("score:Q", format=".2f"),
            ],
        )
        .properties(width=max(300, 14 * len(order)), height=320)
    )
    return chart


def sunburst_table(hierarchy: Hierarchy, weights: dict[str, float] | None = None) -> pd.DataFrame:
    """Angular extent of every node: children split their parent's arc in proportion to their weights."""
    w = weights or {}
    rows: list[dict[str, object]] = []
    top = hierarchy.n_levels

    def place(code: str, start: float, end: float) -> None:
        level = hierarchy.node(code).level
        ring = top - level
        rows.append(
            {"code": code, "name": hierarchy.node(code).name, "level": level, "start": start, "end": end,
             "inner": ring * 60.0, "outer": ring * 60.0 + 58.0, "share": (end - start) / (2 * np.pi)}
        )  # fmt: skip
        kids = hierarchy.children(code)
        kw = np.array([w.get(k, hierarchy.weight(k)) for k in kids], dtype=float)
        if kids and kw.sum() > 0:
            edges = start + (end - start) * np.concatenate([[0.0], np.cumsum(kw) / kw.sum()])
            for k, a, b in zip(kids, edges[:-1], edges[1:], strict=True):
                place(k, float(a), float(b))

    roots = hierarchy.codes(top)
    for i, root in enumerate(roots):
        place(root, 2 * np.pi * i / len(roots), 2 * np.pi * (i + 1) / len(roots))
    return pd.DataFrame(rows)


def sunburst(hierarchy: Hierarchy, weights: dict[str, float] | None = None) -> alt.TopLevelMixin:
    """The framework as rings (Vega arc marks), the top level in the centre; arc size = effective weight."""
    data = sunburst_table(hierarchy, weights)
    chart: alt.TopLevelMixin = (
        alt.Chart(data, title="Framework")
        .mark_arc(stroke="white")
        .encode(
            theta=alt.Theta("start:Q", scale=None),
            theta2="end:Q",
            radius=alt.Radius("inner:Q", scale=None),
            radius2="outer:Q",
            color=alt.Color("level:O", scale=alt.Scale(scheme="blues", reverse=True)),
            tooltip=["code", "name", "level", alt.Tooltip("share:Q", format=".1%", title="effective weight")],
        )
        .properties(width=60 * 2 * hierarchy.n_levels + 40, height=60 * 2 * hierarchy.n_levels + 40)
    )
    return chart


def correlation_heatmap(table: pd.DataFrame, value: str = "r_masked") -> alt.TopLevelMixin:
    """`table` as from `analysis.correlation.tidy` (var1, var2, r, r_masked); masked cells stay blank."""
    base = alt.Chart(table, title="Correlations").encode(
        x=alt.X("var2:N", sort=None, title=None), y=alt.Y("var1:N", sort=None, title=None)
    )
    cells = base.mark_rect().encode(
        color=alt.Color(f"{value}:Q", scale=alt.Scale(scheme="redblue", domain=[-1, 1]), title="r"),
        tooltip=["var1", "var2", alt.Tooltip("r:Q", format=".2f"), alt.Tooltip("p:Q", format=".3f")],
    )
    n = table["var1"].nunique()
    text = base.mark_text(fontSize=8).encode(text=alt.Text(f"{value}:Q", format=".1f")) if n <= 25 else None
    chart: alt.TopLevelMixin = cells + text if text is not None else cells
    sized: alt.TopLevelMixin = chart.properties(width=max(200, 18 * table["var2"].nunique()), height=max(200, 18 * n))
    return sized


def save(chart: alt.TopLevelMixin, path: Path) -> Path:
    """HTML (interactive), JSON, PNG or SVG (static, via vl-convert) by the file suffix.

    The spec is built and validated once (`to_dict`); the file is written from that dict. Rebuilding
    a chart object from it for Altair's own `save` cost ~0.4 s per chart, since `from_dict` re-parses
    and `save` re-validates every node.
    """
    assert isinstance(chart, alt.SchemaBase)
    return write(chart.to_dict(), path)
