"""Offline validation against the FIWARE KeyPerformanceIndicator JSON Schema (key-values form).

The schema refers to the shared common schema by URL; a local registry answers that URL with the
copy shipped in `data/fiware/`, so validation works without network and always against the same
version (0.2.1). Date and date-time formats are checked too.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

COMMON_URL = "https://smart-data-models.github.io/data-models/common-schema.json"


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (resources.files("citykpi.exchange") / "data" / "fiware" / name).read_text("utf-8")
    )
    return data


@lru_cache(maxsize=1)
def validator() -> Draft202012Validator:
    schema = _load("schema.json")
    common = Resource.from_contents(_load("common-schema.json"), default_specification=DRAFT202012)
    registry: Registry[Any] = Registry().with_resource(COMMON_URL, common)
    return Draft202012Validator(schema, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)


def schema_errors(entity: dict[str, Any]) -> list[str]:
    """Messages for every violation, each prefixed with the attribute path."""
    return [
        f"{'/'.join(str(p) for p in e.absolute_path) or '(entity)'}: {e.message}"
        for e in validator().iter_errors(entity)
    ]
