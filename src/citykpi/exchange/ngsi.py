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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic_core import to_json

from citykpi.exchange.records import ascii_token
from citykpi.framework.model import Kpi, ValueKind
from citykpi.model.assessment import Assessment, KpiResult, ResultStatus
from citykpi.model.submission import CityProfile
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


def entity_id(city: str, country: str, year: int, code: str, data_point: str) -> str:
    """Names the country (when known) so that two cities named London are two sets of entities."""
    place = f"{_token(city)}:{_token(country)}" if country else _token(city)
    return f"urn:ngsi-ld:{ENTITY_TYPE}:{place}:{year}:{_token(code)}:{data_point}"


@lru_cache(maxsize=4096)
def _token(text: str) -> str:
    return ascii_token(text, "-")


@dataclass(frozen=True)
class KpiAttributes:
    """What an entity takes from the catalogue, computed once per KPI rather than once per entity."""

    attrs: dict[str, Any]
    qualitative: frozenset[str]  # data point keys answered yes/no or by a level

    @classmethod
    def of(cls, kpi: Kpi) -> KpiAttributes:
        attrs = {"description": kpi.definition, "calculationFormula": kpi.formula_text, "sdgTargets": kpi.sdg_targets}
        return cls(
            {k: v for k, v in attrs.items() if v}, frozenset(d.key for d in kpi.data_points if d.kind in _QUALITATIVE)
        )


def _city_attrs(profile: CityProfile) -> dict[str, Any]:
    """Attributes every entity of one city-year shares."""
    address = {"addressLocality": profile.city, **({"addressCountry": profile.country} if profile.country else {})}
    return {
        "organization": profile.city,
        "address": address,
        "calculationFrequency": "yearly",
        "calculationPeriod": {"from": f"{profile.year:04d}-01-01", "to": f"{profile.year:04d}-12-31"},
    }


def _kpi_attrs(r: KpiResult, kpi: KpiAttributes | None) -> dict[str, Any]:
    """Attributes every city-year's entity of one KPI data point shares."""
    qualitative = (kpi is not None and r.data_point in kpi.qualitative) or (
        r.value is None and r.value_text is not None
    )
    return {
        "name": r.name,
        "category": ["qualitative" if qualitative else "quantitative"],
        "process": r.category,
        "kpiCode": r.code,
        "dataPoint": r.data_point,
        "unit": r.unit,
        "kpiLevel": r.level,
        "u4sscDimension": r.dimension,
        "u4sscSubdimension": r.subdimension,
        "u4sscCategory": r.category,
        **(kpi.attrs if kpi is not None else {}),
    }


def _result_attrs(r: KpiResult, book: TargetBook | None) -> dict[str, Any]:
    """Attributes of this value alone."""
    attrs: dict[str, Any] = {"resultStatus": r.status.value}
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
    if book is not None:
        attrs |= _score_attrs(r, book)
    return attrs


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


def _properties(attrs: Mapping[str, Any]) -> dict[str, Any]:
    """The NGSI-LD normalized form of attributes: each becomes a Property."""
    return {k: {"type": "Property", "value": v} for k, v in attrs.items()}


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
    context_url: str = CONTEXT_FILE,
) -> list[dict[str, Any]]:
    """`context_url` is where the U4SSC @context is published; by default the context.jsonld written
    beside the entities, as a reference relative to the entities file."""
    context = [CORE_CONTEXT, MODEL_CONTEXT, context_url]
    shape = _properties if form == "normalized" else dict
    static = {code: KpiAttributes.of(kpi) for code, kpi in kpis.items()}
    # The attributes shared by a city-year or by a KPI data point are shaped once and the same
    # objects referenced from every entity: 85 000 entities then cost a third of the dictionaries.
    shared: dict[tuple[str, ...], dict[str, Any]] = {}
    found = []
    for a in assessments:
        city = shape(_city_attrs(a.profile))
        for r in a.results:
            key = (r.code, r.data_point, r.name, r.unit, r.level, r.dimension, r.subdimension, r.category,
                   str(r.value is None and r.value_text is not None))  # fmt: skip
            if key not in shared:
                shared[key] = shape(_kpi_attrs(r, static.get(r.code)))
            e: dict[str, Any] = {
                "id": entity_id(a.profile.city, a.profile.country, a.profile.year, r.code, r.data_point)
            }
            e["type"] = ENTITY_TYPE
            e |= shared[key]
            e |= city
            e |= shape(_result_attrs(r, book))
            e["@context"] = context
            found.append(e)
    return found


def export_ngsi(
    assessments: Sequence[Assessment],
    kpis: Mapping[str, Kpi],
    out: Path,
    book: TargetBook | None = None,
    form: str = "normalized",
    context_url: str = CONTEXT_FILE,
) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    target = out / ENTITIES_FILE
    found = entities(assessments, kpis, book, form, context_url)
    # pydantic-core's serializer, one entity a line: still one JSON array for a broker's batch
    # create, and the import can then validate it a slice of lines at a time (see ngsi_import).
    target.write_bytes(b"[\n" + b",\n".join(to_json(e) for e in found) + b"\n]\n")
    (out / CONTEXT_FILE).write_text(json.dumps(u4ssc_context(), indent=2), encoding="utf-8")
    return [target, out / CONTEXT_FILE]
