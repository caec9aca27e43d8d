"""Results as a Frictionless data package: `cities` (profiles) and `results` (one row per KPI data point).

The Table Schemas carry what the catalogue knows (the codes and data-point keys that exist, levels,
statuses, data-quality levels) as constraints, so that any Frictionless tool can check a published
package without citykpi; foreign keys tie every result to its city-year.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from citykpi.exchange.records import (
    PROFILE_FIELDS,
    RESULT_FIELDS,
    RecordError,
    group,
    keyed_result,
    profile_from_cells,
    profile_row,
    result_rows,
)
from citykpi.exchange.tables import fail, read_csv, read_json, write_csv
from citykpi.framework.model import Kpi
from citykpi.model.assessment import Assessment, ResultStatus
from citykpi.model.submission import DataQuality

T = TypeVar("T")
DESCRIPTOR = "datapackage.json"
BOOLEAN = {"type": "boolean", "trueValues": ["true"], "falseValues": ["false"]}
_TYPES: dict[str, dict[str, Any]] = {
    "year": {"type": "integer"},
    "population": {"type": "number"},
    "households": {"type": "number"},
    "area_km2": {"type": "number"},
    "gdp": {"type": "number"},
    "value": {"type": "number"},
    "verified": BOOLEAN,
}


PLACE = ["city", "country", "year"]  # a city is its name and its country: two Londons are two cities


def _field(name: str, constraints: Mapping[str, Any] | None = None) -> dict[str, Any]:
    field: dict[str, Any] = {"name": name, **_TYPES.get(name, {"type": "string"})}
    if constraints:
        field["constraints"] = dict(constraints)
    return field


def _schemas(kpis: Mapping[str, Kpi]) -> tuple[dict[str, Any], dict[str, Any]]:
    cities = {
        "fields": [
            _field(f, {"required": True} if f in ("city", "year") else None) for f in (*PROFILE_FIELDS, "frameworks")
        ],
        "primaryKey": ["city", "country", "year"],
    }
    constraints: dict[str, dict[str, Any]] = {
        "city": {"required": True},
        "year": {"required": True},
        "status": {"required": True, "enum": [s.value for s in ResultStatus]},
        "quality": {"enum": [str(int(q)) for q in DataQuality]},
        "level": {"enum": ["core", "advanced"]},
    }
    if kpis:
        constraints["code"] = {"required": True, "enum": sorted(kpis)}
        constraints["data_point"] = {
            "required": True,
            "enum": sorted({d.key for k in kpis.values() for d in k.data_points}),
        }
    results = {
        "fields": [_field(f, constraints.get(f)) for f in ("city", "country", "year", *RESULT_FIELDS)],
        "primaryKey": ["city", "country", "year", "code", "data_point"],
        "foreignKeys": [
            {"fields": PLACE, "reference": {"resource": "cities", "fields": PLACE}},
        ],
    }
    return cities, results


def export_package(assessments: Sequence[Assessment], kpis: Mapping[str, Kpi], out: Path) -> list[Path]:
    cities_schema, results_schema = _schemas(kpis)
    descriptor = {
        "profile": "tabular-data-package",
        "name": "citykpi-results",
        "title": "U4SSC KPI results",
        "description": "KPI values per city and year as assessed by citykpi (one row per KPI data point).",
        "resources": [
            {"name": "cities", "path": "cities.csv", "profile": "tabular-data-resource", "format": "csv",
             "encoding": "utf-8", "schema": cities_schema},
            {"name": "results", "path": "results.csv", "profile": "tabular-data-resource", "format": "csv",
             "encoding": "utf-8", "schema": results_schema},
        ],
    }  # fmt: skip
    out.mkdir(parents=True, exist_ok=True)
    write_csv(
        out / "cities.csv", [*PROFILE_FIELDS, "frameworks"], (profile_row(a.profile, a.frameworks) for a in assessments)
    )
    write_csv(out / "results.csv", [*PLACE, *RESULT_FIELDS], result_rows(assessments))
    (out / DESCRIPTOR).write_text(json.dumps(descriptor, indent=2, ensure_ascii=False), encoding="utf-8")
    return [out / DESCRIPTOR, out / "cities.csv", out / "results.csv"]


def import_package(path: Path) -> list[Assessment]:
    """`path` is the datapackage.json or its folder."""
    descriptor_path = path / DESCRIPTOR if path.is_dir() else path
    descriptor = read_json(descriptor_path)
    listed = descriptor.get("resources", []) if isinstance(descriptor, dict) else []
    resources = {r.get("name"): r for r in listed if isinstance(r, dict)}
    missing = [n for n in ("cities", "results") if n not in resources or not isinstance(resources[n].get("path"), str)]
    if missing:
        raise fail("resource-error", f"no resource(s) {missing} with a path", file=descriptor_path.name)
    base = descriptor_path.parent
    cities_file = base / resources["cities"]["path"]
    results_file = base / resources["results"]["path"]
    profiles = [_cells(cities_file, n, row, profile_from_cells) for n, row in read_csv(cities_file, ["city", "year"])]
    results = [
        _cells(results_file, n, row, keyed_result)
        for n, row in read_csv(results_file, ["city", "year", "code", "data_point", "status"])
    ]
    return group(profiles, results)


def _cells(file: Path, row: int, cells: dict[str, str], parse: Callable[[dict[str, str]], T]) -> T:
    try:
        return parse(cells)
    except RecordError as exc:
        raise fail("type-error", str(exc), file=file.name, row=row, column=exc.field) from None
    except ValueError as exc:  # pydantic validation of a field
        raise fail("type-error", str(exc).splitlines()[0], file=file.name, row=row) from None
