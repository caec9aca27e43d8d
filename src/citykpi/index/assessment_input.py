"""The citykpi-assessment adapter: assessment result rows (city, year, KPI, value) as an index input.

The U4SSC framework tree comes from the rows' dimension / sub-dimension / category columns and the
directions from the framework catalogue, so an assessment builds an index without a metadata table.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from citykpi.index.model import Hierarchy, IndexData, Node
from citykpi.index.tables import cell_text
from citykpi.model.diagnostics import error
from citykpi.model.errors import DiagnosticError

ASSESSMENT_COLUMNS = ("city", "code", "value", "dimension", "subdimension", "category")


def _indicator_id(code: str, data_point: object) -> str:
    """KPI code for single-valued KPIs, `code:data_point` for each data point of the others."""
    dp = cell_text(data_point)
    return code if dp is None or dp == "value" else f"{code}:{dp}"


def assessment_directions(catalogue: object) -> dict[str, int]:
    """Indicator id -> +1/-1 from a framework catalogue's data point directions.

    `lower` is -1; `higher` and `yes` are +1. `target` (closest to a value is best) and `none`
    cannot be expressed by a sign: they get +1 and the docs tell to use dist2targ for the former.
    """
    kpis = getattr(catalogue, "kpis", {})
    out: dict[str, int] = {}
    for kpi in kpis.values():
        for dp in kpi.data_points:
            key = _indicator_id(kpi.code, dp.key if len(kpi.data_points) > 1 else None)
            out[key] = -1 if str(dp.direction) == "lower" else 1
    return out


def from_assessment(
    frame: pd.DataFrame,
    directions: Mapping[str, int] | None = None,
    year: int | None = None,
    file: str = "assessment",
) -> tuple[IndexData, Hierarchy]:
    """citykpi assessment rows (city, year, code, data_point, value, ...) -> data and U4SSC hierarchy.

    Hierarchy: KPI data point -> category -> sub-dimension -> dimension -> Index. Category and
    sub-dimension names repeat across dimensions in U4SSC (e.g. "Water and Sanitation"), so the
    aggregate codes are their paths ("Economy/ICT/Water and Sanitation"); names stay plain.
    Several years make a panel (Time column); `year` keeps one.
    """
    missing = [c for c in ASSESSMENT_COLUMNS if c not in frame.columns]
    if missing:
        raise DiagnosticError([error("missing-label", f"assessment table lacks columns {missing}", file=file)])
    if year is not None:
        if "year" not in frame.columns:
            raise DiagnosticError([error("missing-label", "no 'year' column to select a year from", file=file)])
        frame = frame[pd.to_numeric(frame["year"], errors="coerce") == year]
        if frame.empty:
            raise DiagnosticError([error("missing-rows", f"no assessment rows for year {year}", file=file)])
    dp_col = frame["data_point"] if "data_point" in frame.columns else pd.Series([None] * len(frame), index=frame.index)
    ids = [_indicator_id(str(c), d) for c, d in zip(frame["code"], dp_col, strict=True)]
    table = frame.assign(
        _id=ids,
        _value=pd.to_numeric(frame["value"], errors="coerce"),
        _year=pd.to_numeric(frame["year"], errors="coerce") if "year" in frame.columns else 0.0,
    )
    panel = table["_year"].nunique() > 1
    wide = table.pivot_table(index=["city", "_year"], columns="_id", values="_value", aggfunc="first", dropna=False)
    order = list(dict.fromkeys(ids))
    wide = wide.reindex(columns=order)
    first = table.drop_duplicates("_id").set_index("_id")
    nodes: list[Node] = []
    seen: set[str] = set()
    for ind in order:
        row = first.loc[ind]
        dim, sub, cat = str(row["dimension"]), str(row["subdimension"]), str(row["category"])
        path = [(3, f"{dim}/{sub}/{cat}", cat, f"{dim}/{sub}"), (4, f"{dim}/{sub}", sub, dim), (5, dim, dim, "Index")]
        nodes.append(
            Node(
                code=ind,
                name=str(row.get("name", ind)),
                level=1,
                parent=f"{dim}/{sub}/{cat}",
                direction=(directions or {}).get(ind, (directions or {}).get(str(row["code"]), 1)),
                unit=str(row.get("unit", "") or ""),
            )
        )
        for level, code, name, parent in path:
            if code not in seen:
                seen.add(code)
                nodes.append(Node(code=code, name=name, level=level - 1, parent=parent, type="Aggregate"))
    nodes.append(Node(code="Index", name="U4SSC index", level=5, parent=None, type="Aggregate"))
    hierarchy = Hierarchy(tuple(sorted(nodes, key=lambda n: n.level)))
    cities = [str(c) for c, _ in wide.index]
    values = wide.to_numpy(dtype=np.float64)
    data = IndexData(
        units=cities,
        unit_names=cities,
        groups={},
        time=np.array([float(y) for _, y in wide.index]) if panel else None,
        indicators=order,
        values=np.ascontiguousarray(values[:, [order.index(c) for c in hierarchy.indicators]]),
    )
    return data, hierarchy
