"""Export a built index: one table per pipeline step and per aggregation level, as CSV, JSON or Excel.

The three writers share `tables()`, so a sheet, a CSV file and a JSON member always hold the same
numbers. Analysis tables (statistics, correlations, uncertainty...) can be passed in as extras.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from citykpi.index.model import AGGREGATED, Index
from citykpi.index.results import scores, wide

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def tables(index: Index) -> dict[str, pd.DataFrame]:
    """Every dataset in step order, the Aggregated one also split into one table per level, and the log."""
    out: dict[str, pd.DataFrame] = {}
    for name in index.datasets:
        out[name] = wide(index, name)
    if AGGREGATED in index.datasets:
        full = out[AGGREGATED]
        id_cols = [c for c in full.columns if c in ("unit", "time")]
        for level in range(1, index.hierarchy.n_levels + 1):
            out[f"Level {level}"] = full[id_cols + index.hierarchy.codes(level)]
    out["Log"] = pd.DataFrame(
        [
            {"step": r.step, "output": r.output, "params": _dumps(r.params), "summary": _dumps(r.summary)}
            for r in index.log
        ]
    )
    return out


def _dumps(value: Any) -> str:
    return json.dumps(value, default=str, sort_keys=True)


def _all(index: Index, extra: Mapping[str, pd.DataFrame] | None) -> dict[str, pd.DataFrame]:
    return {**tables(index), **dict(extra or {})}


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def write_csv(index: Index, out: Path, extra: Mapping[str, pd.DataFrame] | None = None) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, table in _all(index, extra).items():
        path = out / f"{_slug(name)}.csv"
        table.to_csv(path, index=False)
        written.append(path)
    return written


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-safe dicts: NaN becomes null (JSON has no NaN)."""
    rows = table.to_dict("records")
    return [{str(k): (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()} for r in rows]


def write_json(index: Index, path: Path, extra: Mapping[str, pd.DataFrame] | None = None) -> Path:
    doc = {
        "units": index.units,
        "removed_units": list(index.removed_units),
        "framework": [
            {"code": n.code, "name": n.name, "level": n.level, "parent": n.parent, "weight": n.weight}
            for n in index.hierarchy.nodes
        ],
        "weights": index.weights,
        "tables": {name: _records(t) for name, t in _all(index, extra).items()},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, default=str, allow_nan=False), encoding="utf-8")
    return path


def sheet_name(name: str, taken: set[str]) -> str:
    """Excel allows 31 characters and no []:*?/\\; clashes after truncation get a number."""
    base = _SHEET_FORBIDDEN.sub("_", name)[:31] or "Sheet"
    candidate, k = base, 2
    while candidate.lower() in taken:
        suffix = f" ({k})"
        candidate, k = base[: 31 - len(suffix)] + suffix, k + 1
    taken.add(candidate.lower())
    return candidate


def write_excel(index: Index, path: Path, extra: Mapping[str, pd.DataFrame] | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    taken: set[str] = set()
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, table in _all(index, extra).items():
            table.to_excel(writer, sheet_name=sheet_name(name, taken), index=False)
    return path


def as_integers(table: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """Ranks and years written as `7`, not `7.0`: whole-valued float columns become nullable integers."""
    out = table.copy()
    for c in columns:
        if c in out.columns:
            v = out[c]
            if ((v.dropna() % 1) == 0).all():
                out[c] = v.astype("Int64")
    return out


def write_outputs(index: Index, out: Path) -> list[Path]:
    """What `index build` writes: scores.csv (unit, level, code, score, rank), one CSV per dataset, log.json."""
    out.mkdir(parents=True, exist_ok=True)
    written = [out / "scores.csv"]
    as_integers(scores(index), ("rank", "time")).to_csv(written[0], index=False)
    for name in index.datasets:
        path = out / f"{name.lower()}.csv"
        as_integers(wide(index, name), ("time",)).to_csv(path, index=False)
        written.append(path)
    log = [{"step": r.step, "output": r.output, "params": r.params, "summary": r.summary} for r in index.log]
    written.append(out / "log.json")
    written[-1].write_text(json.dumps({"removed_units": list(index.removed_units), "log": log}, indent=2, default=str))
    return written
