"""KPI results as NGSI-LD `KeyPerformanceIndicator` entities (FIWARE Smart Data Model 0.2.1).

One entity per KPI data point, city and year. The model's own attributes carry what it can express
(kpiValue, calculationPeriod, calculationMethod, currentStanding, ...); what U4SSC needs beyond it
(code, data point, unit, status, data quality, verification, SDG targets, target) travels as extra
properties whose terms are defined by the JSON-LD @context shipped in `data/context.jsonld`.
Entities are written in the normalized form a context broker accepts (`{"type": "Property",
"value": ...}`), or in key-values form; the FIWARE JSON Schema describes the key-values form, so
normalized entities are validated through `key_values()`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from citykpi.assess.model import Assessment, KpiResult, ResultStatus
from citykpi.collect.model import CityProfile
from citykpi.exchange.records import RecordError, ascii_token, group, quality, status
from citykpi.exchange.tables import fail, read_json
from citykpi.framework.model import Kpi, ValueKind
from citykpi.scoring.scorecard import score_item
from citykpi.scoring.targets import TargetBook

ENTITY_TYPE = "KeyPerformanceIndicator"
CORE_CONTEXT = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld"
MODEL_CONTEXT = (
    "https://raw.githubusercontent.com/smart-data-models/dataModel.KeyPerformanceIndicator/master/context.jsonld"
)
ENTITIES_FILE = "entities.jsonld"
CONTEXT_FILE = "context.jsonld"
# The U4SSC bands (1-4 points) on the model's five-step scale; 'veryBad' is not used because U4SSC
# has no fifth band. An assumption of citykpi, documented in docs/interoperability.md.
STANDING = {4: "veryGood", 3: "good", 2: "fair", 1: "bad"}
_METHOD = {ResultStatus.COMPUTED: "automatic", ResultStatus.REPORTED: "manual"}
_QUALITATIVE = (ValueKind.BOOLEAN, ValueKind.LEVEL)


def u4ssc_context() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((resources.files("citykpi.exchange") / "data" / CONTEXT_FILE).read_text("utf-8"))
    return data


def entity_id(city: str, year: int, code: str, data_point: str) -> str:
    return f"urn:ngsi-ld:{ENTITY_TYPE}:{ascii_token(city, '-')}:{year}:{ascii_token(code, '-')}:{data_point}"


def _kind(kpi: Kpi | None, data_point: str) -> ValueKind | None:
    point = next((d for d in kpi.data_points if d.key == data_point), None) if kpi else None
    return point.kind if point else None


def entity(
    profile: CityProfile, r: KpiResult, kpi: Kpi | None = None, book: TargetBook | None = None
) -> dict[str, Any]:
    """Key-values form of one result; `kpi` adds definition, formula and SDG targets, `book` the target and band."""
    qualitative = _kind(kpi, r.data_point) in _QUALITATIVE or (r.value is None and r.value_text is not None)
    attrs: dict[str, Any] = {
        "id": entity_id(profile.city, profile.year, r.code, r.data_point),
        "type": ENTITY_TYPE,
        "name": r.name,
        "category": ["qualitative" if qualitative else "quantitative"],
        "organization": profile.city,
        "address": {
            "addressLocality": profile.city,
            **({"addressCountry": profile.country} if profile.country else {}),
        },
        "process": r.category,
        "calculationFrequency": "yearly",
        "calculationPeriod": {"from": f"{profile.year:04d}-01-01", "to": f"{profile.year:04d}-12-31"},
        "kpiCode": r.code,
        "dataPoint": r.data_point,
        "unit": r.unit,
        "kpiLevel": r.level,
        "u4sscDimension": r.dimension,
        "u4sscSubdimension": r.subdimension,
        "u4sscCategory": r.category,
        "resultStatus": r.status.value,
    }
    if r.status in _METHOD:
        attrs["calculationMethod"] = _METHOD[r.status]
    if r.value is not None:
        attrs["kpiValue"] = r.value
        if r.value_text is not None:
            attrs["valueText"] = r.value_text
    elif r.value_text is not None:
        attrs["kpiValue"] = r.value_text
    optional = {
        "statusReason": r.reason,
        "dataQuality": int(r.quality) if r.quality is not None else None,
        "dataOrigin": r.origin,
        "dataSource": r.source,
        "verified": r.verified,
    }
    attrs |= {k: v for k, v in optional.items() if v not in (None, "")}
    if kpi is not None:
        attrs |= {k: v for k, v in _catalogue_attrs(kpi).items() if v}
    if book is not None:
        attrs |= _score_attrs(r, book)
    return attrs


def _catalogue_attrs(kpi: Kpi) -> dict[str, Any]:
    return {"description": kpi.definition, "calculationFormula": kpi.formula_text, "sdgTargets": list(kpi.sdg_targets)}


def _score_attrs(r: KpiResult, book: TargetBook) -> dict[str, Any]:
    scored = score_item(r, book)
    attrs: dict[str, Any] = {}
    if scored.benchmark is not None:
        attrs["target"] = scored.benchmark.value
        attrs["targetSource"] = scored.benchmark.source
        if scored.benchmark.year is not None:
            attrs["targetYear"] = scored.benchmark.year
    if scored.band is not None:
        attrs["currentStanding"] = STANDING[int(scored.band)]
        attrs["benchmarkPoints"] = int(scored.band)
    return attrs


def normalized(attrs: Mapping[str, Any]) -> dict[str, Any]:
    """The NGSI-LD normalized form: every attribute but id and type becomes a Property."""
    return {k: v if k in ("id", "type") else {"type": "Property", "value": v} for k, v in attrs.items()}


def key_values(entity: Mapping[str, Any]) -> dict[str, Any]:
    """Inverse of `normalized`; key-values entities pass unchanged. @context is dropped."""
    out: dict[str, Any] = {}
    for k, v in entity.items():
        if k == "@context":
            continue
        is_attribute = isinstance(v, dict) and v.get("type") in ("Property", "GeoProperty", "Relationship")
        out[k] = v.get("value", v.get("object")) if is_attribute else v
    return out


def entities(
    assessments: Sequence[Assessment],
    kpis: Mapping[str, Kpi],
    book: TargetBook | None = None,
    form: str = "normalized",
) -> list[dict[str, Any]]:
    context = [CORE_CONTEXT, MODEL_CONTEXT, u4ssc_context()["@context"]]
    shape = normalized if form == "normalized" else dict
    return [
        shape(entity(a.profile, r, kpis.get(r.code), book)) | {"@context": context}
        for a in assessments
        for r in a.results
    ]


def export_ngsi(
    assessments: Sequence[Assessment],
    kpis: Mapping[str, Kpi],
    out: Path,
    book: TargetBook | None = None,
    form: str = "normalized",
) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    target = out / ENTITIES_FILE
    target.write_text(json.dumps(entities(assessments, kpis, book, form), ensure_ascii=False), encoding="utf-8")
    (out / CONTEXT_FILE).write_text(json.dumps(u4ssc_context(), indent=2), encoding="utf-8")
    return [target, out / CONTEXT_FILE]


def result_of(kv: Mapping[str, Any]) -> tuple[CityProfile, KpiResult]:
    """Profile (city, country, year) and result of one key-values entity; raises RecordError."""
    period = kv.get("calculationPeriod") or {}
    start = str(period.get("from", "")) if isinstance(period, dict) else ""
    if not re.match(r"^\d{4}-", start):
        raise RecordError("calculationPeriod", "calculationPeriod.from must be a date such as 2021-01-01")
    address = kv.get("address")
    country = address.get("addressCountry", "") if isinstance(address, dict) else ""
    value = kv.get("kpiValue")
    if isinstance(value, bool) or not isinstance(value, int | float | str | type(None)):
        raise RecordError("kpiValue", f"kpiValue {value!r} is neither a number nor a text")
    for required in ("kpiCode", "dataPoint", "resultStatus", "organization"):
        if not isinstance(kv.get(required), str):
            raise RecordError(required, f"attribute {required!r} is missing or not a text")
    dq = kv.get("dataQuality")
    result = KpiResult(
        code=kv["kpiCode"],
        data_point=kv["dataPoint"],
        name=str(kv.get("name", "")),
        dimension=str(kv.get("u4sscDimension", "")),
        subdimension=str(kv.get("u4sscSubdimension", "")),
        category=str(kv.get("u4sscCategory", "")),
        level=str(kv.get("kpiLevel", "")),
        unit=str(kv.get("unit", "")),
        value=float(value) if isinstance(value, int | float) else None,
        value_text=value if isinstance(value, str) else kv.get("valueText"),
        status=status(kv["resultStatus"]),
        quality=quality(str(dq)) if dq is not None else None,
        source=str(kv.get("dataSource", "")),
        origin=str(kv.get("dataOrigin", "")),
        verified=kv.get("verified") if isinstance(kv.get("verified"), bool) else None,
        reason=str(kv.get("statusReason", "")),
    )
    profile = CityProfile(city=kv["organization"], country=str(country), year=int(start[:4]))
    return profile, result


def import_ngsi(path: Path) -> list[Assessment]:
    """Reads entities.jsonld (a folder holding it, or any JSON array of entities, either form)."""
    file = path / ENTITIES_FILE if path.is_dir() else path
    data = read_json(file)
    items = data if isinstance(data, list) else [data]
    profiles: dict[tuple[str, int], CityProfile] = {}
    results: list[tuple[str, int, KpiResult]] = []
    for index, item in enumerate(items):
        if not isinstance(item, dict) or item.get("type") != ENTITY_TYPE:
            raise fail("type-error", f"entity {index} is not a {ENTITY_TYPE}", file=file.name, row=index + 1)
        try:
            profile, result = result_of(key_values(item))
        except RecordError as exc:
            raise fail("type-error", str(exc), file=file.name, row=index + 1, field=exc.field) from None
        except ValueError as exc:
            raise fail("type-error", str(exc).splitlines()[0], file=file.name, row=index + 1) from None
        profiles.setdefault((profile.city, profile.year), profile)
        results.append((profile.city, profile.year, result))
    return group(((p, []) for p in profiles.values()), results)
