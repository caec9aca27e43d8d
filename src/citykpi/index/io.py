"""Read the two input tables (unit data, indicator metadata) into `IndexData` and `Hierarchy`.

The tables follow the reference's iData/iMeta layout so that a COINr user's files load unchanged;
every problem is reported as a Diagnostic naming the file, row and column, all at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from citykpi.index.model import Hierarchy, Index, IndexData, Node
from citykpi.model.diagnostics import Diagnostic, error
from citykpi.model.errors import DiagnosticError

# Accepted spellings of metadata columns -> canonical name.
META_COLUMNS: dict[str, str] = {
    "level": "Level",
    "icode": "iCode",
    "code": "iCode",
    "iname": "iName",
    "name": "iName",
    "direction": "Direction",
    "weight": "Weight",
    "parent": "Parent",
    "type": "Type",
    "unit": "Unit",
    "target": "Target",
    "denominator": "Denominator",
}
UNIT_COLUMNS: dict[str, str] = {"ucode": "uCode", "uname": "uName", "time": "Time"}
TYPES = ("Indicator", "Aggregate", "Group", "Denominator", "Other")
WEIGHT_SET_PREFIX = "Weight_"


def read_table(path: Path, sheet: str | None = None) -> pd.DataFrame:
    """A CSV or Excel sheet as strings-or-numbers; missing file or bad format -> DiagnosticError."""
    if not path.exists():
        raise DiagnosticError([error("file-not-found", "file does not exist", file=str(path))])
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
            return pd.read_excel(path, sheet_name=sheet or 0)
        return pd.read_csv(path)
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        raise DiagnosticError([error("format-error", f"cannot read table: {exc}", file=str(path))]) from exc


def _canonical(df: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    return df.rename(columns={c: names.get(str(c).strip().lower(), str(c).strip()) for c in df.columns})


def _text(v: object) -> str | None:
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
        return None
    s = str(v).strip()
    return s or None


def _number(v: object) -> float | None:
    t = _text(v)
    if t is None:
        return None
    try:
        return float(t)
    except ValueError:
        return None


def _meta_rows(meta: pd.DataFrame, file: str) -> tuple[list[dict[str, object]], list[Diagnostic]]:
    diags: list[Diagnostic] = []
    if "iCode" not in meta.columns:
        return [], [error("missing-label", "metadata needs a column 'iCode' (or 'code')", file=file)]
    if "Type" not in meta.columns:
        meta = meta.assign(Type="Indicator")
    rows = []
    seen: set[str] = set()
    for i, rec in enumerate(meta.to_dict("records")):
        row = i + 2
        code = _text(rec.get("iCode"))
        if code is None:
            diags.append(error("missing-cell", "empty iCode", file=file, row=row, column="iCode"))
            continue
        if code in seen:
            diags.append(error("duplicate-label", f"code {code!r} appears twice", file=file, row=row, column="iCode"))
        seen.add(code)
        typ = _text(rec.get("Type")) or "Indicator"
        if typ not in TYPES:
            diags.append(
                error("constraint-error", f"Type {typ!r} is not one of {TYPES}", file=file, row=row, column="Type")
            )
        for col in ("Level", "Direction", "Weight"):
            raw = _text(rec.get(col))
            if raw is not None and _number(raw) is None:
                diags.append(error("type-error", f"{col} {raw!r} is not a number", file=file, row=row, column=col))
        d = _number(rec.get("Direction"))
        if typ == "Indicator" and d is not None and d not in (1.0, -1.0):
            diags.append(
                error(
                    "constraint-error", f"Direction must be 1 or -1, got {d:g}", file=file, row=row, column="Direction"
                )
            )
        rows.append({**{str(k): v for k, v in rec.items()}, "iCode": code, "Type": typ, "_row": row})
    return rows, diags


def _levels(rows: list[dict[str, object]]) -> dict[str, int]:
    """Level of each indicator/aggregate: the Level column, else the height in the tree."""
    given = {str(r["iCode"]): _number(r.get("Level")) for r in rows}
    parent = {str(r["iCode"]): _text(r.get("Parent")) for r in rows}
    levels: dict[str, int] = {}
    for code, lev in given.items():
        if lev is not None:
            levels[code] = int(lev)
    if len(levels) == len(given):
        return levels
    for r in rows:  # infer: indicators at 1, each parent one above its highest child
        if r["Type"] == "Indicator":
            code = str(r["iCode"])
            lev, p, guard = 1, parent.get(code), 0
            levels.setdefault(code, 1)
            while p is not None and p in given and guard < len(given):
                lev += 1
                levels[p] = max(levels.get(p, 0), lev)
                p, guard = parent.get(p), guard + 1
    return levels


def build_hierarchy(meta: pd.DataFrame, file: str = "metadata") -> tuple[Hierarchy, dict[str, dict[str, float]]]:
    """The framework tree and the named weight sets (columns `Weight_<name>`) of a metadata table."""
    meta = _canonical(meta, META_COLUMNS)
    rows, diags = _meta_rows(meta, file)
    frame_rows = [r for r in rows if r["Type"] in ("Indicator", "Aggregate")]
    if not frame_rows and not diags:
        diags.append(error("missing-rows", "metadata has no row of Type Indicator", file=file))
    levels = _levels(frame_rows)
    codes = {str(r["iCode"]) for r in frame_rows}
    standard = set(META_COLUMNS.values()) | {"_row"}
    nodes: list[Node] = []
    sets: dict[str, dict[str, float]] = {}
    for r in frame_rows:
        code, row = str(r["iCode"]), int(str(r["_row"]))
        parent = _text(r.get("Parent"))
        level = levels.get(code, 1)
        if r["Type"] == "Indicator" and level != 1:
            diags.append(error("constraint-error", f"indicator {code} must be at Level 1", file=file, row=row))
        if parent is not None and parent not in codes:
            diags.append(
                error(
                    "foreign-key",
                    f"Parent {parent!r} of {code} is not an aggregate",
                    file=file,
                    row=row,
                    column="Parent",
                )
            )
        elif parent is not None and levels.get(parent) != level + 1:
            diags.append(
                error(
                    "constraint-error",
                    f"Parent {parent!r} of {code} (level {level}) must be at level {level + 1}, "
                    f"not {levels.get(parent)}",
                    file=file,
                    row=row,
                    column="Parent",
                )
            )
        params = {
            str(k): float(v)
            for k, v in r.items()
            if k not in standard and not str(k).startswith(WEIGHT_SET_PREFIX) and _number(v) is not None
            for v in [_number(v)]
            if v is not None
        }
        for k, v in r.items():
            if str(k).startswith(WEIGHT_SET_PREFIX) and _number(v) is not None:
                sets.setdefault(str(k)[len(WEIGHT_SET_PREFIX) :], {})[code] = float(_number(v) or 0.0)
        weight = _number(r.get("Weight"))
        if weight is not None and weight < 0:
            diags.append(error("constraint-error", "Weight must be >= 0", file=file, row=row, column="Weight"))
        nodes.append(
            Node(
                code=code,
                name=_text(r.get("iName")) or code,
                level=level,
                parent=parent,
                weight=1.0 if weight is None else weight,
                direction=-1 if _number(r.get("Direction")) == -1 else 1,
                type=str(r["Type"]),
                unit=_text(r.get("Unit")) or "",
                target=_number(r.get("Target")),
                denominator=_text(r.get("Denominator")),
                params=params,
            )
        )
    by_level = sorted(nodes, key=lambda n: n.level)
    if nodes and not diags:
        top = max(n.level for n in nodes)
        for n in nodes:
            if n.level < top and n.parent is None and n.level > 1:
                diags.append(error("constraint-error", f"aggregate {n.code} has no Parent", file=file))
            if n.level > 1 and not any(m.parent == n.code for m in nodes):
                diags.append(error("constraint-error", f"aggregate {n.code} has no children", file=file))
    if diags:
        raise DiagnosticError(diags)
    return Hierarchy(tuple(by_level)), sets


def build_data(
    units: pd.DataFrame,
    hierarchy: Hierarchy,
    meta: pd.DataFrame | None = None,
    file: str = "unit data",
    columns: Mapping[str, str] | None = None,
    extra_groups: list[str] | None = None,
) -> IndexData:
    """The unit table as arrays: indicators in framework order, groups, denominators, time.

    `columns` maps the roles uCode/uName/Time to other column names (e.g. {"uCode": "Cbsa"}).
    """
    renames = {v: k for k, v in (columns or {}).items() if v != k and v in units.columns}
    units = _canonical(units.rename(columns=renames), UNIT_COLUMNS)
    unknown_groups = [g for g in extra_groups or [] if g not in units.columns]
    if unknown_groups:
        raise DiagnosticError(
            [error("missing-label", f"group column {g!r} not found", file=file, column=g) for g in unknown_groups]
        )
    diags: list[Diagnostic] = []
    if "uCode" not in units.columns:
        raise DiagnosticError(
            [
                error(
                    "missing-label",
                    f"unit data needs a unit code column ({(columns or {}).get('uCode', 'uCode')!r})",
                    file=file,
                )
            ]
        )
    declared: dict[str, str] = {}
    if meta is not None:
        m = _canonical(meta, META_COLUMNS)
        if "Type" in m.columns:
            declared = {str(c): str(t) for c, t in zip(m["iCode"], m["Type"], strict=False) if _text(t)}
    groups = [
        c
        for c in units.columns
        if declared.get(str(c)) == "Group" or str(c).endswith("_group") or c in (extra_groups or [])
    ]
    # Denominators: declared or referenced ones (must be numeric), plus any other numeric column
    # that is neither an indicator nor a role column, so a config can divide by it.
    referenced = {n.denominator for n in hierarchy.nodes if n.denominator}
    roles = {"uCode", "uName", "Time", *groups, *hierarchy.indicators}
    denoms = [
        c
        for c in units.columns
        if c not in roles
        and (declared.get(str(c)) == "Denominator" or c in referenced or pd.api.types.is_numeric_dtype(units[c]))
    ]
    codes = [str(c) if _text(c) else "" for c in units["uCode"]]
    time = None
    if "Time" in units.columns:
        time = pd.to_numeric(units["Time"], errors="coerce").to_numpy(dtype=np.float64)
    keys = list(zip(codes, time if time is not None else [0.0] * len(codes), strict=True))
    seen: set[tuple[str, float]] = set()
    for i, c in enumerate(codes):
        if not c:
            diags.append(error("missing-cell", "empty uCode", file=file, row=i + 2, column="uCode"))
        elif keys[i] in seen:
            what = "unit code" if time is None else "unit code and Time"
            diags.append(error("duplicate-row", f"{what} {c!r} repeats", file=file, row=i + 2, column="uCode"))
        seen.add(keys[i])
    missing = [c for c in hierarchy.indicators if c not in units.columns]
    for c in missing:
        diags.append(error("missing-label", f"indicator {c!r} of the metadata has no column", file=file, column=c))
    for n in hierarchy.nodes:
        if n.denominator and n.denominator not in units.columns:
            diags.append(
                error("foreign-key", f"denominator {n.denominator!r} of {n.code} has no column", file=file, kpi=n.code)
            )
    numeric_cols = [c for c in hierarchy.indicators if c not in missing] + denoms
    arrays: dict[str, np.ndarray] = {}
    for c in numeric_cols:
        col = units[c]
        if pd.api.types.is_numeric_dtype(col):  # the usual case: the reader already parsed numbers
            arrays[str(c)] = col.to_numpy(dtype=np.float64, na_value=np.nan)
            continue
        num = pd.to_numeric(col, errors="coerce")
        bad = num.isna() & col.notna() & (col.astype(str).str.strip() != "")
        for i in np.flatnonzero(bad.to_numpy())[:5]:
            diags.append(
                error("type-error", f"{col.iloc[i]!r} is not a number", file=file, row=int(i) + 2, column=str(c))
            )
        arrays[str(c)] = num.to_numpy(dtype=np.float64)
    if diags:
        raise DiagnosticError(diags)
    names = [(_text(v) or codes[i]) for i, v in enumerate(units.get("uName", pd.Series(codes)))]
    values = np.column_stack([arrays[c] for c in hierarchy.indicators]) if hierarchy.indicators else np.empty((0, 0))
    return IndexData(
        units=codes,
        unit_names=names,
        groups={str(g): units[g].astype(object).to_numpy() for g in groups},
        time=time,
        indicators=list(hierarchy.indicators),
        values=np.ascontiguousarray(values, dtype=np.float64),
        denominators={str(d): arrays[str(d)] for d in denoms},
    )


def write_outputs(index: Index, out: Path) -> list[Path]:
    """scores.csv (unit, level, code, score, rank), one CSV per dataset and the step log as JSON."""
    import json

    from citykpi.index.results import scores, wide

    out.mkdir(parents=True, exist_ok=True)
    written = [out / "scores.csv"]
    scores(index).to_csv(written[0], index=False)
    for name in index.datasets:
        path = out / f"{name.lower()}.csv"
        wide(index, name).to_csv(path, index=False)
        written.append(path)
    log = [{"step": r.step, "output": r.output, "params": r.params, "summary": r.summary} for r in index.log]
    written.append(out / "log.json")
    written[-1].write_text(json.dumps({"removed_units": list(index.removed_units), "log": log}, indent=2, default=str))
    return written


def build_index(
    units: pd.DataFrame,
    meta: pd.DataFrame,
    weight_sets: Mapping[str, dict[str, float]] | None = None,
    columns: Mapping[str, str] | None = None,
) -> Index:
    """An unprocessed Index straight from two data frames (library use without a YAML file)."""
    hierarchy, sets = build_hierarchy(meta)
    data = build_data(units, hierarchy, meta, columns=columns)
    return Index.new(data, hierarchy, {**sets, **(weight_sets or {})})


ASSESSMENT_COLUMNS = ("city", "code", "value", "dimension", "subdimension", "category")


def _indicator_id(code: str, data_point: object) -> str:
    """KPI code for single-valued KPIs, `code:data_point` for each data point of the others."""
    dp = _text(data_point)
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
