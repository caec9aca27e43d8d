"""The frameworks shipped beside U4SSC: loaded by name, true to their reference rows, maturity models well formed."""

from __future__ import annotations

import csv
import json
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import yaml
from pydantic import ValidationError

from citykpi.framework.catalogue import Catalogue, shipped_framework_path, shipped_names
from citykpi.framework.model import MATURITY_LEVELS, Framework
from citykpi.model.errors import DiagnosticError

DATA = Path(str(resources.files("citykpi.framework") / "data" / "frameworks"))
ROOT = Path(__file__).resolve().parents[2]
INDICATORS = {
    "net-zero": "net-zero.csv",
    "cercle-indicateurs": "cercle-indicateurs.csv",
    "fgssc-knowledge-economy": "fgssc-knowledge-economy-singapore.csv",
}
MATURITY = ("net-zero-maturity", "dt-policy-maturity")


def test_every_shipped_framework_loads_by_name_beside_u4ssc() -> None:
    assert shipped_names() == sorted([*INDICATORS, *MATURITY])
    catalogue = Catalogue.load([Path(name) for name in shipped_names()])
    assert {f.id for f in catalogue.frameworks} == {"u4ssc", *INDICATORS, *MATURITY}
    schema = json.loads((ROOT / "docs" / "framework.schema.json").read_text(encoding="utf-8"))
    for name in shipped_names():
        jsonschema.validate(yaml.safe_load(shipped_framework_path(Path(name)).read_text(encoding="utf-8")), schema)


def test_an_unknown_name_lists_the_shipped_ones() -> None:
    with pytest.raises(DiagnosticError, match=r"no shipped framework of that name \(shipped: cercle-indicateurs"):
        Catalogue.load([Path("net-zero-typo")])


@pytest.mark.parametrize(("name", "reference"), INDICATORS.items())
def test_indicator_frameworks_carry_their_reference_rows(name: str, reference: str) -> None:
    framework = Catalogue.load([Path(name)]).frameworks[1]
    rows = list(csv.DictReader((DATA / "reference" / reference).open(encoding="utf-8")))
    by_name = {k.name: k for k in framework.kpis}
    shipped = [r for r in rows if r["name"] in by_name]
    # Only the Cercle row known by its name alone (no unit, no definition) is not shipped.
    assert [r["name"] for r in rows if r["name"] not in by_name] == (
        ["Energieverbrauch (energy consumption)"] if name == "cercle-indicateurs" else []
    )
    assert len(shipped) == len(framework.kpis)
    for row in shipped:
        kpi = by_name[row["name"]]
        assert kpi.provenance.sources == [row["source"]]
        assert kpi.provenance.confidence.value == row["confidence"].split()[0]
        direction = {"n/a": "none"}.get(row["direction"].split()[0], row["direction"].split()[0])
        assert kpi.data_points[0].direction.value == direction
        assert row["confidence"] in kpi.provenance.basis
        if row["code"]:
            assert kpi.code == row["code"]
    assert "not" in framework.description  # each says what is not public


@pytest.mark.parametrize("name", MATURITY)
def test_maturity_frameworks_describe_five_levels_per_criterion(name: str) -> None:
    framework = Catalogue.load([Path(name)]).frameworks[1]
    assert framework.kind == "maturity" and len(framework.kpis) == 6
    for kpi in framework.kpis:
        (point,) = kpi.data_points
        assert point.levels == MATURITY_LEVELS
        assert point.level_descriptions is not None
        assert [d.split(" ")[1] for d in point.level_descriptions] == MATURITY_LEVELS
        assert kpi.provenance.open_questions  # what the sources leave open is said


def test_dt_maturity_has_the_published_criterion_groups() -> None:
    names = [k.name for k in Catalogue.load([Path("dt-policy-maturity")]).frameworks[1].kpis]
    assert names == [
        "People Centric",
        "Institutions and Mechanisms",
        "Digitalization",
        "Society",
        "Sustainability",
        "Economy",
    ]


def test_a_maturity_criterion_without_five_described_levels_is_refused() -> None:
    doc = yaml.safe_load((DATA / "net-zero-maturity.yaml").read_text(encoding="utf-8"))
    doc["kpis"][0]["data_points"][0]["levels"] = ["1", "2", "3", "4"]
    with pytest.raises(ValidationError, match="one level description per level"):
        Framework.model_validate(doc)
    doc = yaml.safe_load((DATA / "net-zero-maturity.yaml").read_text(encoding="utf-8"))
    del doc["kpis"][1]["data_points"][0]["level_descriptions"]
    with pytest.raises(ValidationError, match="criterion NZM: 2: describe every level"):
        Framework.model_validate(doc)
