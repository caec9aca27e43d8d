"""Results as SDMX-CSV 1.0 with the data structure they follow.

Dimensions: REF_AREA (city), KPI, DATA_POINT, TIME_PERIOD (year). Measure: OBS_VALUE. Attributes:
UNIT_MEASURE, DATA_QUALITY (the six U4SSC levels), RESULT_STATUS, VERIFICATION, and the free-text
VALUE_TEXT, SOURCE_DETAIL, DATA_ORIGIN, OBS_COMMENT. SDMX identifiers allow only letters, digits,
'_', '-', '@' and '$', so cities and KPI codes are written as identifiers ('EN: EN: AQ: 1C' ->
'EN_EN_AQ_1C') and `structure.json` beside the data gives their codelists (names, original codes,
KPI metadata). It is a JSON rendering of the data structure definition, not an SDMX-ML message:
citykpi has no SDMX-ML writer yet (see docs/interoperability.md).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from citykpi.exchange.records import Place, RecordError, ascii_token, group, renamed, result_from_cells, text, year_of
from citykpi.exchange.tables import fail, read_csv, read_json, write_csv
from citykpi.framework.model import Kpi
from citykpi.model.assessment import Assessment, KpiResult, ResultStatus
from citykpi.model.submission import DATA_QUALITY_LABELS, CityProfile

DATAFLOW = "CITYKPI:U4SSC_KPI(1.0)"
DATA_FILE = "data.csv"
STRUCTURE_FILE = "structure.json"
DIMENSIONS = ("REF_AREA", "KPI", "DATA_POINT", "TIME_PERIOD")
ATTRIBUTES = (
    "UNIT_MEASURE",
    "DATA_QUALITY",
    "RESULT_STATUS",
    "VERIFICATION",
    "VALUE_TEXT",
    "SOURCE_DETAIL",
    "DATA_ORIGIN",
    "OBS_COMMENT",
)
COLUMNS = ("DATAFLOW", *DIMENSIONS, "OBS_VALUE", *ATTRIBUTES)
_VERIFICATION = {True: "VERIFIED", False: "NOT_VERIFIED", None: ""}
COLUMN_OF = {
    "data_point": "DATA_POINT",
    "unit": "UNIT_MEASURE",
    "value": "OBS_VALUE",
    "value_text": "VALUE_TEXT",
    "quality": "DATA_QUALITY",
    "source": "SOURCE_DETAIL",
    "origin": "DATA_ORIGIN",
    "verified": "VERIFICATION",
    "reason": "OBS_COMMENT",
}


def sdmx_id(text: str) -> str:
    return ascii_token(text, "_").upper()


def _status_id(status: ResultStatus) -> str:
    return sdmx_id(status.value)


def structure(assessments: Sequence[Assessment], kpis: Mapping[str, Kpi]) -> dict[str, Any]:
    cities: dict[str, dict[str, str]] = {}
    kpi_codes: dict[str, dict[str, Any]] = {}
    for a in assessments:
        city_id = _unique_id(cities, sdmx_id(a.profile.city), {"name": a.profile.city, "country": a.profile.country})
        cities[city_id] = {"id": city_id, "name": a.profile.city, "country": a.profile.country}
        for r in a.results:
            kpi_id = _unique_id(kpi_codes, sdmx_id(r.code), {"code": r.code})
            entry = kpi_codes.setdefault(kpi_id, {"id": kpi_id, "code": r.code, "name": _kpi_name(r, kpis)} | {
                f: getattr(r, f) for f in ("dimension", "subdimension", "category", "level")
            } | {"data_points": {}})  # fmt: skip
            entry["data_points"][r.data_point] = {"name": r.name}
    return {
        "dataflow": {"id": DATAFLOW, "name": "U4SSC Key Performance Indicators of cities, by year"},
        "dimensions": [
            {"id": "REF_AREA", "codelist": "CL_CITY", "concept": "City"},
            {"id": "KPI", "codelist": "CL_KPI", "concept": "U4SSC KPI (ITU-T Y.4903)"},
            {"id": "DATA_POINT", "codelist": "CL_KPI.data_points", "concept": "Data point of a multi-valued KPI"},
            {"id": "TIME_PERIOD", "format": "YYYY", "concept": "Reporting year"},
        ],
        "measure": {"id": "OBS_VALUE", "format": "number", "concept": "KPI value"},
        "attributes": [
            {"id": "UNIT_MEASURE", "attachment": "observation", "format": "text", "concept": "Unit of the value"},
            {"id": "DATA_QUALITY", "attachment": "observation", "codelist": "CL_DATA_QUALITY"},
            {"id": "RESULT_STATUS", "attachment": "observation", "codelist": "CL_RESULT_STATUS", "mandatory": True},
            {"id": "VERIFICATION", "attachment": "observation", "codelist": "CL_VERIFICATION"},
            {"id": "VALUE_TEXT", "attachment": "observation", "format": "text", "concept": "Qualitative answer"},
            {"id": "SOURCE_DETAIL", "attachment": "observation", "format": "text", "concept": "Data source"},
            {"id": "DATA_ORIGIN", "attachment": "observation", "format": "text", "concept": "Data origin"},
            {"id": "OBS_COMMENT", "attachment": "observation", "format": "text", "concept": "Why there is no value"},
        ],
        "codelists": {
            "CL_CITY": list(cities.values()),
            "CL_KPI": list(kpi_codes.values()),
            "CL_DATA_QUALITY": [{"id": str(int(q)), "name": label} for q, label in DATA_QUALITY_LABELS.items()],
            "CL_RESULT_STATUS": [{"id": _status_id(s), "name": s.value} for s in ResultStatus],
            "CL_VERIFICATION": [{"id": "VERIFIED", "name": "verified"}, {"id": "NOT_VERIFIED", "name": "not verified"}],
        },
    }


def _kpi_name(r: KpiResult, kpis: Mapping[str, Kpi]) -> str:
    kpi = kpis.get(r.code)
    return kpi.name if kpi else r.name


def _unique_id(existing: Mapping[str, Mapping[str, Any]], wanted: str, original: Mapping[str, str]) -> str:
    """Two names that map to one identifier (e.g. 'St. Gallen' and 'St Gallen', or London in Canada
    and London in the United Kingdom) get a numbered suffix; `original` is what makes an entry itself."""
    candidate, n = wanted, 1
    while candidate in existing and any(existing[candidate][k] != v for k, v in original.items()):
        n += 1
        candidate = f"{wanted}_{n}"
    return candidate


def observations(assessments: Sequence[Assessment], codelists: Mapping[str, Any]) -> list[dict[str, str]]:
    city_ids = {(c["name"], c.get("country", "")): c["id"] for c in codelists["CL_CITY"]}
    kpi_ids = {k["code"]: k["id"] for k in codelists["CL_KPI"]}
    return [
        {
            "DATAFLOW": DATAFLOW,
            "REF_AREA": city_ids[a.profile.place],
            "KPI": kpi_ids[r.code],
            "DATA_POINT": r.data_point,
            "TIME_PERIOD": str(a.profile.year),
            "OBS_VALUE": text(r.value),
            "UNIT_MEASURE": r.unit,
            "DATA_QUALITY": text(r.quality),
            "RESULT_STATUS": _status_id(r.status),
            "VERIFICATION": _VERIFICATION[r.verified],
            "VALUE_TEXT": r.value_text or "",
            "SOURCE_DETAIL": r.source,
            "DATA_ORIGIN": r.origin,
            "OBS_COMMENT": r.reason,
        }
        for a in assessments
        for r in a.results
    ]


def export_sdmx(assessments: Sequence[Assessment], kpis: Mapping[str, Kpi], out: Path) -> list[Path]:
    dsd = structure(assessments, kpis)
    out.mkdir(parents=True, exist_ok=True)
    write_csv(out / DATA_FILE, COLUMNS, observations(assessments, dsd["codelists"]))
    (out / STRUCTURE_FILE).write_text(json.dumps(dsd, indent=1, ensure_ascii=False), encoding="utf-8")
    return [out / DATA_FILE, out / STRUCTURE_FILE]


def import_sdmx(path: Path) -> list[Assessment]:
    """`path` is the export folder (data.csv and structure.json)."""
    folder = path if path.is_dir() else path.parent
    dsd = read_json(folder / STRUCTURE_FILE)
    try:
        codelists = dsd["codelists"]
        cities = {c["id"]: c for c in codelists["CL_CITY"]}
        kpi_codes = {k["id"]: k for k in codelists["CL_KPI"]}
    except (ValueError, KeyError, TypeError) as exc:
        raise fail("format-error", f"not a citykpi SDMX structure: {exc!r}", file=STRUCTURE_FILE) from None
    statuses = {_status_id(s): s for s in ResultStatus}
    profiles: dict[Place, tuple[CityProfile, list[str]]] = {}
    results: list[tuple[Place, KpiResult]] = []
    for row, cells in read_csv(folder / DATA_FILE, COLUMNS):
        try:
            city, year, result = _observation(cells, cities, kpi_codes, statuses)
        except RecordError as exc:
            raise fail("type-error", str(exc), file=DATA_FILE, row=row, column=exc.field) from None
        place = (city["name"], city.get("country", ""), year)
        profiles.setdefault(place, (CityProfile(city=place[0], country=place[1], year=year), []))
        results.append((place, result))
    return group(profiles.values(), results)


def _observation(
    cells: Mapping[str, str],
    cities: Mapping[str, Mapping[str, str]],
    kpi_codes: Mapping[str, Mapping[str, Any]],
    statuses: Mapping[str, ResultStatus],
) -> tuple[Mapping[str, str], int, KpiResult]:
    for column, known in (("REF_AREA", cities), ("KPI", kpi_codes), ("RESULT_STATUS", statuses)):
        if cells[column] not in known:
            raise RecordError(column, f"{cells[column]!r} is not in the structure's codelist for {column}")
    kpi = kpi_codes[cells["KPI"]]
    point = kpi["data_points"].get(cells["DATA_POINT"])
    if point is None:
        raise RecordError("DATA_POINT", f"{cells['DATA_POINT']!r} is not a data point of {kpi['code']}")
    fields = renamed(cells, COLUMN_OF) | {"status": statuses[cells["RESULT_STATUS"]].value, "name": point["name"]}
    fields["verified"] = {"VERIFIED": "true", "NOT_VERIFIED": "false"}.get(fields["verified"], fields["verified"])
    fields |= {f: kpi[f] for f in ("code", "dimension", "subdimension", "category", "level")}
    result = result_from_cells(fields)
    return cities[cells["REF_AREA"]], year_of("TIME_PERIOD", cells["TIME_PERIOD"]), result
