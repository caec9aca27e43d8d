"""Results as Open SDG data and metadata: one tidy CSV and one YAML file per KPI.

Open SDG's conventions (open-sdg docs, data-format): Year is the first column and Value the last; a
blank disaggregation means "all", so the single data point of a one-valued KPI is written with a
blank Series and only multi-valued KPIs name their data point there; `Units` and `Series` are
Open SDG's special disaggregations. City and Country are disaggregations. The per-observation
fields (status, quality, verification, source, origin, reason, qualitative answer) are written as
further columns, which an Open SDG site should list under `observation_attributes` so that they are
not offered as disaggregations.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from citykpi.exchange.records import Place, RecordError, ascii_token, group, renamed, result_from_cells, text, year_of
from citykpi.exchange.tables import fail, read_csv, write_csv
from citykpi.framework.model import Kpi
from citykpi.model.assessment import Assessment, KpiResult
from citykpi.model.submission import CityProfile

ATTRIBUTE_COLUMNS = ("Status", "Data quality", "Verified", "Source", "Origin", "Reason", "Value text")
COLUMNS = ("Year", "City", "Country", "Series", "Units", *ATTRIBUTE_COLUMNS, "Value")
SINGLE = "value"
COLUMN_OF = {
    "unit": "Units",
    "value": "Value",
    "value_text": "Value text",
    "status": "Status",
    "quality": "Data quality",
    "source": "Source",
    "origin": "Origin",
    "verified": "Verified",
    "reason": "Reason",
}  # the key of a one-valued KPI's data point, written as a blank Series


def indicator_id(code: str) -> str:
    return ascii_token(code, "-").lower()


def _metadata(code: str, results: Sequence[KpiResult], kpi: Kpi | None) -> dict[str, Any]:
    first = results[0]
    reported = any(r.has_value for r in results)
    meta: dict[str, Any] = {
        "indicator_number": indicator_id(code),
        "indicator_name": kpi.name if kpi else first.name,
        "reporting_status": "complete" if reported else "notstarted",
        "graph_type": "line",
        "computation_units": first.unit,
        "u4ssc_code": code,
        "u4ssc_dimension": first.dimension,
        "u4ssc_subdimension": first.subdimension,
        "u4ssc_category": first.category,
        "u4ssc_level": first.level,
        "data_points": {r.data_point: r.name for r in results},
    }
    if kpi is not None:
        meta |= {
            "indicator_definition": kpi.definition,
            "computation_calculations": kpi.formula_text,
            "sdg_targets": list(kpi.sdg_targets),
        }
    return meta


def _row(profile: CityProfile, r: KpiResult, multi: bool) -> dict[str, str]:
    return {
        "Year": str(profile.year),
        "City": profile.city,
        "Country": profile.country,
        "Series": r.data_point if multi else "",
        "Units": r.unit,
        "Status": r.status.value,
        "Data quality": text(r.quality),
        "Verified": text(r.verified),
        "Source": r.source,
        "Origin": r.origin,
        "Reason": r.reason,
        "Value text": r.value_text or "",
        "Value": text(r.value),
    }


def export_open_sdg(assessments: Sequence[Assessment], kpis: Mapping[str, Kpi], out: Path) -> list[Path]:
    by_code: dict[str, list[tuple[CityProfile, KpiResult]]] = {}
    for a in assessments:
        for r in a.results:
            by_code.setdefault(r.code, []).append((a.profile, r))
    (out / "meta").mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for code, pairs in by_code.items():
        slug = indicator_id(code)
        points = list(dict.fromkeys(r.data_point for _, r in pairs))
        multi = points != [SINGLE]
        firsts = list({r.data_point: r for _, r in pairs}.values())
        data, meta = out / "data" / f"indicator_{slug}.csv", out / "meta" / f"{slug}.yml"
        write_csv(data, COLUMNS, (_row(p, r, multi) for p, r in pairs))
        meta.write_text(yaml.safe_dump(_metadata(code, firsts, kpis.get(code)), allow_unicode=True, sort_keys=False))
        written += [data, meta]
    return written


def import_open_sdg(path: Path) -> list[Assessment]:
    """`path` is the export folder with data/ and meta/."""
    profiles: dict[Place, tuple[CityProfile, list[str]]] = {}
    results: list[tuple[Place, KpiResult]] = []
    metas = sorted((path / "meta").glob("*.yml"))
    if not metas:
        raise fail("file-error", "no meta/*.yml file: not an Open SDG export folder", file=str(path))
    for meta_file in metas:
        meta = _read_meta(meta_file)
        data_file = path / "data" / f"indicator_{meta_file.stem}.csv"
        for row, cells in read_csv(data_file, COLUMNS):
            try:
                profile, result = _observation(cells, meta)
            except RecordError as exc:
                raise fail("type-error", str(exc), file=data_file.name, row=row, column=exc.field) from None
            place = (*profile.place, profile.year)
            profiles.setdefault(place, (profile, []))
            results.append((place, result))
    return group(profiles.values(), results)


def _read_meta(file: Path) -> dict[str, Any]:
    try:
        meta = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise fail("format-error", f"unreadable metadata: {exc}", file=file.name) from None
    needed = ("u4ssc_code", "data_points", "u4ssc_dimension", "u4ssc_subdimension", "u4ssc_category", "u4ssc_level")
    if not isinstance(meta, dict) or any(k not in meta for k in needed):
        raise fail("format-error", f"metadata lacks one of {list(needed)}", file=file.name)
    return meta


def _observation(cells: Mapping[str, str], meta: Mapping[str, Any]) -> tuple[CityProfile, KpiResult]:
    key = cells["Series"] or SINGLE
    if key not in meta["data_points"]:
        raise RecordError("Series", f"{key!r} is not a data point of {meta['u4ssc_code']} (see its metadata)")
    fixed = {f: str(meta[f"u4ssc_{f}"]) for f in ("code", "dimension", "subdimension", "category", "level")}
    result = result_from_cells(
        renamed(cells, COLUMN_OF) | fixed | {"data_point": key, "name": meta["data_points"][key]}
    )
    return CityProfile(city=cells["City"], country=cells["Country"], year=year_of("Year", cells["Year"])), result
