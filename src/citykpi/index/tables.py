"""Read the two COINr-style input tables (unit data iData, indicator metadata iMeta) into `IndexData` and `Hierarchy`.

The tables follow the reference's iData/iMeta layout so that a COINr user's files load unchanged;
every problem is reported as a Diagnostic naming the file, row and column, all at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from citykpi.index.model import Hierarchy, Index, IndexData, Node
from citykpi.model.diagnostics import Diagnostic, error, warning
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


ROWS_ATTR = "sheet_rows"


def read_table(
    path: Path, sheet: str | None = None, header_row: int = 1, skip_rows: list[int] | None = None
) -> pd.DataFrame:
    """A CSV or Excel sheet as strings-or-numbers; missing file or bad format -> DiagnosticError.

    Published tables often carry a title above the header and a units row below it:
    `header_row` is the 1-based row of the column names (rows above it are skipped) and
    `skip_rows` the 1-based rows below it that hold no unit. The sheet row of each data row is
    kept in `frame.attrs["sheet_rows"]`, so diagnostics name the row the user sees.
    """
    if not path.exists():
        raise DiagnosticError([error("file-not-found", "file does not exist", file=str(path))])
    skipped = sorted({*range(header_row - 1), *(r - 1 for r in skip_rows or [])})
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
            frame = pd.read_excel(path, sheet_name=sheet or 0, skiprows=skipped, engine="calamine")
        else:
            frame = pd.read_csv(path, skiprows=skipped, skip_blank_lines=False)
    except pd.errors.EmptyDataError:
        frame = pd.DataFrame()
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        raise DiagnosticError([error("format-error", f"cannot read table: {exc}", file=str(path))]) from exc
    if frame.columns.empty:
        message = f"no column names in row {header_row}: the table ends before it"
        raise DiagnosticError([error("missing-rows", message, file=str(path))])
    below = set(skipped)
    lines = [k for k in range(header_row, header_row + len(frame) + len(skipped)) if k not in below]
    frame = frame.dropna(how="all")  # blank lines, kept while reading so that row numbers stay true
    frame.attrs[ROWS_ATTR] = [lines[int(i)] + 1 for i in frame.index]
    return frame.reset_index(drop=True)


def sheet_rows(frame: pd.DataFrame) -> list[int]:
    """1-based sheet row of each row of a frame from `read_table` (header in row 1 otherwise)."""
    rows = frame.attrs.get(ROWS_ATTR)
    return list(rows) if rows is not None and len(rows) == len(frame) else [i + 2 for i in range(len(frame))]


def _canonical(df: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    return df.rename(columns={c: names.get(str(c).strip().lower(), str(c).strip()) for c in df.columns})


def cell_text(v: object) -> str | None:
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
        return None
    s = str(v).strip()
    return s or None


def _number(v: object) -> float | None:
    t = cell_text(v)
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
    for row, rec in zip(sheet_rows(meta), meta.to_dict("records"), strict=True):
        code = cell_text(rec.get("iCode"))
        if code is None:
            diags.append(error("missing-cell", "empty iCode", file=file, row=row, column="iCode"))
            continue
        if code in seen:
            diags.append(error("duplicate-label", f"code {code!r} appears twice", file=file, row=row, column="iCode"))
        seen.add(code)
        typ = cell_text(rec.get("Type")) or "Indicator"
        if typ not in TYPES:
            diags.append(
                error("constraint-error", f"Type {typ!r} is not one of {TYPES}", file=file, row=row, column="Type")
            )
        for col in ("Level", "Direction", "Weight"):
            raw = cell_text(rec.get(col))
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
    parent = {str(r["iCode"]): cell_text(r.get("Parent")) for r in rows}
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
        parent = cell_text(r.get("Parent"))
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
        elif parent is not None and levels.get(parent, 0) <= level:
            diags.append(
                error(
                    "constraint-error",
                    f"Parent {parent!r} of {code} (level {level}) must be at a higher level, not {levels.get(parent)}",
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
                name=cell_text(r.get("iName")) or code,
                level=level,
                parent=parent,
                weight=1.0 if weight is None else weight,
                direction=-1 if _number(r.get("Direction")) == -1 else 1,
                type=str(r["Type"]),
                unit=cell_text(r.get("Unit")) or "",
                target=_number(r.get("Target")),
                denominator=cell_text(r.get("Denominator")),
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


def _year_hint(units: pd.DataFrame, codes: list[str], file: str, time_key: str) -> list[Diagnostic]:
    """When unit codes repeat, name a column of whole years that tells the repeats apart (panel data)."""
    for col in units.columns:
        values = pd.to_numeric(units[col], errors="coerce")
        if col == "uCode" or values.isna().any() or not values.between(1800, 2200).all():
            continue
        if not (values == values.round()).all() or values.nunique() < 2:
            continue
        if pd.Series(list(zip(codes, values, strict=True))).duplicated().any():
            continue
        return [
            warning(
                "panel-without-time",
                f"unit codes repeat and column {col!r} holds years that tell them apart: "
                f"set data.time: {col} (now {time_key!r}) to build a panel",
                file=file,
                column=str(col),
                field="data.time",
            )
        ]
    return []


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
    row_of = sheet_rows(units)
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
            declared = {str(c): str(t) for c, t in zip(m["iCode"], m["Type"], strict=False) if cell_text(t)}
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
    codes = [str(c) if cell_text(c) else "" for c in units["uCode"]]
    time = None
    if "Time" in units.columns:
        time = pd.to_numeric(units["Time"], errors="coerce").to_numpy(dtype=np.float64)
    keys = list(zip(codes, time if time is not None else [0.0] * len(codes), strict=True))
    seen: set[tuple[str, float]] = set()
    repeated: list[int] = []
    for i, c in enumerate(codes):
        if not c:
            diags.append(error("missing-cell", "empty uCode", file=file, row=row_of[i], column="uCode"))
        elif keys[i] in seen:
            what = "unit code" if time is None else "unit code and Time"
            diags.append(error("duplicate-row", f"{what} {c!r} repeats", file=file, row=row_of[i], column="uCode"))
            repeated.append(i)
        seen.add(keys[i])
    if repeated and time is None:
        diags += _year_hint(units, codes, file, (columns or {}).get("Time", "Time"))
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
                error("type-error", f"{col.iloc[i]!r} is not a number", file=file, row=row_of[int(i)], column=str(c))
            )
        arrays[str(c)] = num.to_numpy(dtype=np.float64)
    if diags:
        raise DiagnosticError(diags)
    names = [(cell_text(v) or codes[i]) for i, v in enumerate(units.get("uName", pd.Series(codes)))]
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
