"""The charts of an uncertainty or sensitivity run as plain Vega-Lite dicts, and the writer of any spec.

A 10,000-run uncertainty command must finish in 1.5 s with its start-up; Altair would cost half a
second of it (0.25 s to import, 0.2 s to build and validate the chart), so these two charts are
written as the dicts Altair made of them (tests/index/test_vegalite.py builds each both ways and
compares the dicts and the specs in the HTML pages). The charts of `index analyse` stay Altair charts
(`citykpi.index.charts`) and are written by `write` from their dict.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from string import Template
from typing import TYPE_CHECKING, Any

from citykpi import vendor
from citykpi.model.textsafety import chart_safe

if TYPE_CHECKING:
    import pandas as pd

# The Vega-Lite version Altair 6.3 names (alt.SCHEMA_VERSION): the specs' schema and vl-convert's
# renderer; the vega-lite the pages carry (`citykpi.vendor`) must accept it, which the test checks.
VEGALITE_VERSION = "6.4.1"
SCHEMA = f"https://vega.github.io/schema/vega-lite/v{VEGALITE_VERSION}.json"
CONFIG = {"view": {"continuousWidth": 300, "continuousHeight": 300}}  # Altair's default view

# Altair's "standard" page (altair.utils.html, BSD-3-Clause) as it renders a Vega-Lite spec, with the
# vendored scripts written into it instead of loaded from jsDelivr: the page is one file that draws
# with no network (opened offline, mailed, kept beside an index's results).
PAGE = Template("""<!DOCTYPE html>
<html>
<head>
  <meta charset="UTF-8">
  <style>
    #vis.vega-embed {
      width: 100%;
      display: flex;
    }

    #vis.vega-embed details,
    #vis.vega-embed details summary {
      position: relative;
    }
  </style>
${scripts}
</head>
<body>
  <div id="vis"></div>
  <script>
    (function(vegaEmbed) {
      var spec = ${spec};
      var embedOpt = {"mode": "vega-lite"};

      function showError(el, error){
          el.innerHTML = ('<div style="color:red;">'
                          + '<p>JavaScript Error: ' + error.message + '</p>'
                          + "<p>This usually means there's a typo in your chart specification. "
                          + "See the javascript console for the full traceback.</p>"
                          + '</div>');
          throw error;
      }
      const el = document.getElementById('vis');
      vegaEmbed("#vis", spec, embedOpt)
        .catch(error => showError(el, error));
    })(vegaEmbed);

  </script>
</body>
</html>""")


def _cell(value: Any) -> Any:
    """A number JSON can hold: NaN and infinities become null, as Altair writes them."""
    return None if isinstance(value, float) and not math.isfinite(value) else value


def _rows(columns: dict[str, Sequence[Any]]) -> list[dict[str, Any]]:
    names = list(columns)
    return [dict(zip(names, (_cell(v) for v in row), strict=True)) for row in zip(*columns.values(), strict=True)]


def records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """The table's rows as Python values (`tolist` turns NumPy scalars into int, float and bool)."""
    return _rows({str(c): table[c].tolist() for c in table.columns})


def _named(values: list[dict[str, Any]], datasets: dict[str, Any]) -> dict[str, str]:
    """Altair's name of inline data: a hash of its rows, so equal data is stored once per spec."""
    digest = hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()[:32]
    name = f"data-{digest}"
    datasets[name] = values
    return {"name": name}


def _nominal(field: str, **extra: Any) -> dict[str, Any]:
    return {"field": field, **extra, "type": "nominal"}


def _quantitative(field: str, **extra: Any) -> dict[str, Any]:
    return {"field": field, **extra, "type": "quantitative"}


def _tooltip(fields: Iterable[str], nominal: str) -> list[dict[str, Any]]:
    return [_nominal(f) if f == nominal else _quantitative(f) for f in fields]


def uncertainty_spec(rank_stats: pd.DataFrame) -> dict[str, Any]:
    """Per unit (ordered by nominal rank): the 5-95 % rank band, the median and the nominal rank."""
    order = rank_stats.sort_values("nominal")["unit"].tolist()
    title = "Rank uncertainty (5-95 % band, median, nominal)"
    x = _nominal("unit", sort=order, title=None)
    band = {
        "mark": {"type": "rule", "color": "#bbbbbb", "strokeWidth": 3},
        "encoding": {"x": x, "y": _quantitative("q05", scale={"reverse": True}, title="rank"), "y2": {"field": "q95"}},
        "title": title,
    }
    median = {
        "mark": {"type": "point", "color": "#2a7f62", "filled": True},
        "encoding": {
            "tooltip": _tooltip(["unit", "nominal", "median", "q05", "q95"], "unit"),
            "x": x,
            "y": _quantitative("median"),
        },
        "title": title,
    }
    nominal = {
        "mark": {"type": "tick", "color": "black"},
        "encoding": {"x": x, "y": _quantitative("nominal")},
        "title": title,
    }
    datasets: dict[str, Any] = {}
    data = _named(records(rank_stats), datasets)
    return {
        "config": CONFIG, "layer": [band, median, nominal], "data": data, "height": 300,
        "width": max(300, 12 * len(order)), "$schema": SCHEMA, "datasets": datasets,
    }  # fmt: skip


def sensitivity_spec(table: pd.DataFrame) -> dict[str, Any]:
    """Total-order index per assumption split into first order and interactions, with the total's interval."""
    first = table["first_order"].clip(lower=0)
    interactions = (table["total"] - first).clip(lower=0)
    labels = table["assumption"].tolist()
    long = _rows(
        {
            "assumption": [a for a in labels for _ in (0, 1)],
            "part": ["first order", "interactions"] * len(labels),
            "value": [v for pair in zip(first.tolist(), interactions.tolist(), strict=True) for v in pair],
        }
    )
    datasets: dict[str, Any] = {}
    bars = {
        "data": _named(long, datasets),
        "mark": {"type": "bar"},
        "encoding": {
            "color": _nominal("part"),
            "x": _nominal("assumption", title=None),
            "y": {"aggregate": "sum", **_quantitative("value", title="Sobol index")},
        },
        "title": "Sensitivity indices",
    }
    whiskers = {
        "data": _named(records(table), datasets),
        "mark": {"type": "errorbar"},
        "encoding": {
            "x": _nominal("assumption"),
            "y": _quantitative("total_low", title=""),
            "y2": {"field": "total_high"},
        },
    }
    return {
        "config": CONFIG, "layer": [bars, whiskers], "height": 260, "width": max(200, 60 * len(table)),
        "$schema": SCHEMA, "datasets": datasets,
    }  # fmt: skip


def _scripts() -> str:
    return "\n".join(f'  <script type="text/javascript">{vendor.text(name)}</script>' for name in vendor.SCRIPTS)


def _script_json(spec: dict[str, Any]) -> str:
    """The spec as a script's object literal: `<` only occurs in strings, and escaped there a name
    holding `</script>` cannot end the script early (JavaScript reads `\\u003c` as `<`)."""
    return json.dumps(spec).replace("<", "\\u003c")


def write(spec: dict[str, Any], path: Path) -> Path:
    """HTML (interactive), JSON, PNG or SVG (static, via vl-convert) by the file suffix."""
    suffix = path.suffix.lower()
    if suffix not in (".html", ".png", ".svg", ".json"):
        raise ValueError(f"unsupported chart format {suffix!r}; use .html, .png, .svg or .json")
    path.parent.mkdir(parents=True, exist_ok=True)
    # vl-convert aborts the process on a character SVG cannot hold (a control character in a name).
    safe = chart_safe(spec)
    if suffix == ".json":
        path.write_text(json.dumps(safe), encoding="utf-8")
    elif suffix == ".html":
        path.write_text(PAGE.substitute(scripts=_scripts(), spec=_script_json(safe)), encoding="utf-8")
    else:
        import vl_convert

        version = ".".join(VEGALITE_VERSION.split(".")[:2])  # "6.4", as vl-convert names them
        if suffix == ".svg":
            path.write_text(vl_convert.vegalite_to_svg(safe, vl_version=version), encoding="utf-8")
        else:
            path.write_bytes(vl_convert.vegalite_to_png(safe, vl_version=version))
    return path
