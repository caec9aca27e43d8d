from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml


def _minimal_kpi(code: str = "XX: L: 1", **changes: Any) -> dict[str, Any]:
    kpi: dict[str, Any] = {
        "code": code,
        "name": "Local test KPI",
        "dimension": "Local",
        "subdimension": "Test",
        "category": "Test",
        "level": "core",
        "unit": "Percentage",
        "inputs": [{"name": "local_part", "label": "Part", "unit": "items"}],
        "data_points": [{"key": "value", "unit": "Percentage", "formula": "100 * local_part / population"}],
        "provenance": {"confidence": "local", "basis": "written for a test"},
    }
    kpi.update(changes)
    return kpi


@pytest.fixture
def local_kpi() -> Callable[..., dict[str, Any]]:
    """A valid local KPI as a dict; tests break one field at a time."""
    return _minimal_kpi


@pytest.fixture
def framework_file(tmp_path: Path) -> Callable[..., Path]:
    """Writes a framework file (YAML unless the name ends in .json) from KPI dicts."""

    def write(*kpis: dict[str, Any], name: str = "local.yaml", **top: Any) -> Path:
        data = {"id": name.split(".")[0], "name": "Test framework", "version": "1", **top, "kpis": list(kpis)}
        path = tmp_path / name
        text = json.dumps(data) if name.endswith(".json") else yaml.safe_dump(data, allow_unicode=True)
        path.write_text(text, encoding="utf-8")
        return path

    return write
