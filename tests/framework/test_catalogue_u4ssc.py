from __future__ import annotations

import csv
import importlib.util
import json
from collections import Counter
from pathlib import Path
from types import ModuleType

import jsonschema
import pytest
import yaml

from citykpi.framework.catalogue import Catalogue, builtin_framework_path, load_framework
from citykpi.framework.formula import parse
from citykpi.framework.model import Direction, ValueKind
from citykpi.framework.validation import Source
from citykpi.model.errors import DiagnosticError

ROOT = Path(__file__).resolve().parents[2]
PULLY = ROOT / "examples" / "frameworks" / "pully-local.yaml"


def _build_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_catalogue", ROOT / "scripts" / "build_catalogue.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.load()


def test_shipped_files_equal_a_fresh_build() -> None:
    outputs = _build_script().build_outputs()
    assert builtin_framework_path() in outputs and len(outputs) == 3
    for path, text in outputs.items():
        assert path.read_text(encoding="utf-8") == text, f"{path} is stale: run scripts/build_catalogue.py"


def test_framework_identity() -> None:
    framework = load_framework(builtin_framework_path())
    assert (framework.id, framework.version) == ("u4ssc", "2022.1")
    assert builtin_framework_path().is_relative_to(ROOT / "src" / "citykpi")


def test_counts(catalogue: Catalogue) -> None:
    kpis = list(catalogue.kpis.values())
    assert len(kpis) == 91
    assert Counter(k.level.value for k in kpis) == {"core": 54, "advanced": 37}
    assert Counter(k.dimension for k in kpis) == {"Economy": 45, "Environment": 17, "Society and Culture": 29}
    assert len({k.subdimension for k in kpis}) == 7
    assert len({k.category for k in kpis}) == 22
    by_dimension_level = Counter((k.dimension, k.level.value) for k in kpis)
    assert by_dimension_level == {
        ("Economy", "core"): 23,
        ("Economy", "advanced"): 22,
        ("Environment", "core"): 12,
        ("Environment", "advanced"): 5,
        ("Society and Culture", "core"): 19,
        ("Society and Culture", "advanced"): 10,
    }
    assert Counter(k.subdimension for k in kpis) == {
        "ICT": 17,
        "Productivity": 7,
        "Infrastructure": 21,
        "Environment": 13,
        "Energy": 4,
        "Education, Health and Culture": 12,
        "Safety, Housing and Social Inclusion": 17,
    }


def test_every_input_says_what_to_count(catalogue: Catalogue) -> None:
    """The workbook's definition column is the only guidance a data owner sees beside the label."""
    undefined = [f"{k.code} {i.name}" for k in catalogue.kpis.values() for i in k.inputs if not i.definition.strip()]
    assert undefined == []


def test_confidence_is_carried_from_the_reference(catalogue: Catalogue) -> None:
    counts = Counter(k.provenance.confidence.value for k in catalogue.kpis.values())
    assert counts == {"high": 25, "medium-code": 44, "medium": 21, "low": 1}
    assert catalogue.kpi("SC: EH: C: 1C").provenance.confidence.value == "low"
    for kpi in catalogue.kpis.values():
        assert kpi.provenance.basis and kpi.provenance.sources, kpi.code


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("EC: ICT: ICT: 3C", "per 100 000"),
        ("EN: EN: WS: 3C", "m3 per capita"),
        ("EC: ICT: ICT: 5A", "5C"),
        ("EN: EN: WS: 4C", "WS: 3C"),
        ("SC: EH: H: 6A", "ED: 5A"),
        ("SC: EH: C: 1C", "Denominator not read"),
        ("EN: EN: PSN: 1C", "hectares"),
        ("EC: P: EM: 2C", "age band"),
        ("EC: I: UP: 2A", "partial"),
    ],
)
def test_unsettled_points_are_open_questions(catalogue: Catalogue, code: str, fragment: str) -> None:
    assert any(fragment in q for q in catalogue.kpi(code).provenance.open_questions)


def test_catalogue_order_and_fields_follow_the_reference_csv(catalogue: Catalogue) -> None:
    csv_path = ROOT / "src" / "citykpi" / "framework" / "data" / "reference" / "u4ssc-kpis.csv"
    rows = list(csv.DictReader(csv_path.open(encoding="utf-8")))
    assert [r["code"] for r in rows] == list(catalogue.kpis)
    for row in rows:
        kpi = catalogue.kpi(row["code"])
        assert (kpi.name, kpi.unit, kpi.category, kpi.formula_text) == (
            row["name"],
            row["unit"],
            row["category"],
            row["formula"],
        )


def test_data_points(catalogue: Catalogue) -> None:
    assert sum(len(k.data_points) for k in catalogue.kpis.values()) == 112
    multi = {k.code: len(k.data_points) for k in catalogue.kpis.values() if k.is_multi}
    assert multi == {
        "EC: ICT: ICT: 4C": 2,
        "EC: ICT: PS: 1A": 2,
        "EC: I: T: 4A": 5,
        "EC: I: UP: 2A": 5,
        "EN: EN: AQ: 1C": 5,
        "EN: EN: WS: 4C": 3,
        "EN: EN: WA: 1C": 6,
    }
    directions = {(k.code, d.key): d.direction for k in catalogue.kpis.values() for d in k.data_points}
    assert directions["EC: I: T: 4A", "private_vehicle"] is Direction.LOWER
    assert directions["EC: I: T: 4A", "cycling"] is Direction.HIGHER
    assert directions["EN: EN: WA: 1C", "landfill"] is Direction.LOWER
    assert directions["EN: EN: WA: 1C", "open_dump"] is Direction.LOWER
    assert directions["EN: EN: WA: 1C", "recycled"] is Direction.HIGHER
    assert directions["SC: SH: SI: 1C", "value"] is Direction.TARGET
    plan = catalogue.kpi("EC: I: UP: 2A").data_points[0]
    assert (plan.kind, plan.levels) == (ValueKind.LEVEL, ["no", "partial", "yes"])
    assert catalogue.kpi("SC: SH: SA: 3A").data_points[0].kind is ValueKind.BOOLEAN
    pm = catalogue.kpi("EN: EN: AQ: 1C").data_points
    assert [d.unit for d in pm] == ["μg/m3"] * 5 and all(d.formula is None for d in pm)
    direct = {k.code for k in catalogue.kpis.values() if all(d.formula is None for d in k.data_points)}
    assert {"SC: EH: H: 1C", "SC: SH: SI: 2C", "EC: I: T: 5A", "SC: SH: SA: 5A"} <= direct


def test_percentages_are_capped_except_where_the_sheet_allows_more(catalogue: Catalogue) -> None:
    enrolment = catalogue.kpi("SC: EH: ED: 2C").data_points[0]
    assert (enrolment.minimum, enrolment.maximum) == (0, None)
    assert catalogue.kpi("EC: ICT: ICT: 1C").data_points[0].maximum == 100


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("SC: EH: ED:2C", "SC: EH: ED: 2C"),
        ("ec:ict:ict:1c", "EC: ICT: ICT: 1C"),
        ("  EN : EN : AQ : 1C ", "EN: EN: AQ: 1C"),
        ("EC: ICT: ICT: 5C", "EC: ICT: ICT: 5A"),
        ("SC: EH: ED: 5A", "SC: EH: H: 6A"),
        ("EC: ICT: ICT: 9C", None),
        ("", None),
    ],
)
def test_normalise_code(catalogue: Catalogue, typed: str, code: str | None) -> None:
    assert catalogue.normalise_code(typed) == code


def test_lookups(catalogue: Catalogue) -> None:
    assert catalogue.kpi("ec:ict:ict:2c").name == "Fixed Broadband Subscriptions"
    with pytest.raises(KeyError, match=r"no KPI with code 'EC: ICT: ICT: 6C'; did you mean 'EC: ICT: ICT: "):
        catalogue.kpi("EC: ICT: ICT: 6C")
    kpi, item = catalogue.input("customer_interruptions")
    assert (kpi.code, item.unit) == ("EC: I: ES: 1C", "interruptions")
    with pytest.raises(KeyError, match="did you mean 'households_with_internet'"):
        catalogue.input("household_with_internet")
    assert catalogue.framework_of("EC: I: ES: 2C") == "u4ssc"


def test_pully_framework_loads_beside_u4ssc() -> None:
    catalogue = Catalogue.load([PULLY])
    assert [f.id for f in catalogue.frameworks] == ["u4ssc", "pully-local"]
    assert len(catalogue.kpis) == 96
    assert catalogue.framework_of("pu:l:1") == "pully-local"
    assert catalogue.framework_of("EC: I: T: 3C") == "u4ssc"
    local = catalogue.kpi("PU: L: 1")
    assert local.provenance.confidence.value == "local"
    assert local.data_points[0].formula == "100 * (100000 * bicycle_network_km / population) / 49"


def test_pully_framework_alone_cannot_resolve_u4ssc_names() -> None:
    with pytest.raises(DiagnosticError) as info:
        Catalogue.of([Source(load_framework(PULLY), PULLY.name)])
    types = {d.type for d in info.value.diagnostics}
    assert types == {"unknown-framework", "unknown-name", "unknown-kpi"}
    assert all(d.location.file == "pully-local.yaml" for d in info.value.diagnostics)


def test_shipped_frameworks_satisfy_the_published_json_schema() -> None:
    schema = json.loads((ROOT / "docs" / "framework.schema.json").read_text(encoding="utf-8"))
    for path in (builtin_framework_path(), PULLY):
        jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), schema)


@pytest.mark.parametrize(
    ("code", "inputs", "expected"),
    [
        ("CH: CI: NR: 1", {"ecologically_valuable_area_km2": 5, "area_km2": 25}, 20.0),
        ("CH: CI: PC: 1", {"municipal_waste_separate_t": 3000, "municipal_waste_t": 6000}, 50.0),
        ("CH: CI: SC: 1", {"social_assistance_recipients": 1500, "population": 50000}, 3.0),
        ("PU: L: 1", {"bicycle_network_km": 35, "population": 50000}, 7000 / 49),  # 70 km per 100 000 vs 49
        ("PU: L: 2", {"municipal_services_online": 30, "municipal_services": 120}, 25.0),
    ],
)
def test_pully_formulas_by_hand(code: str, inputs: dict[str, float], expected: float) -> None:
    formula = Catalogue.load([PULLY]).kpi(code).data_points[0].formula
    assert formula is not None
    assert parse(formula).evaluate(inputs) == pytest.approx(expected, rel=1e-12)
