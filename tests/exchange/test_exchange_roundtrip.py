"""Every format: export -> import gives identical values and metadata, and the export passes its schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from citykpi.exchange.fiware import schema_errors
from citykpi.exchange.formats import FORMATS, import_any
from citykpi.exchange.ngsi import export_ngsi, key_values
from citykpi.model.assessment import Assessment
from citykpi.model.errors import DiagnosticError
from citykpi.scoring.targetfiles import default_target_set
from citykpi.scoring.targets import TargetBook

# What each format carries besides the results: the full profile only travels in the data package.
PROFILE_KEPT = {
    "frictionless": {"city", "country", "year", "population", "households", "area_km2", "gdp", "currency"},
    "ngsi-ld": {"city", "country", "year"},
    "sdmx-csv": {"city", "country", "year"},
    "open-sdg": {"city", "country", "year"},
}


def comparable(assessments: list[Assessment], fmt: str) -> list[tuple[dict, list[dict]]]:
    return sorted(
        (
            (a.profile.model_dump(include=PROFILE_KEPT[fmt]), sorted((r.model_dump() for r in a.results), key=str))
            for a in assessments
        ),
        key=str,
    )


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_round_trip_is_lossless(fmt: str, assessments, catalogue, tmp_path: Path) -> None:
    book = TargetBook([default_target_set()])
    FORMATS[fmt].export(assessments, catalogue.kpis, tmp_path / fmt, book)
    back = import_any(tmp_path / fmt)  # the format is detected from the folder
    assert comparable(back, fmt) == comparable(assessments, fmt)
    if fmt == "frictionless":
        assert [a.frameworks for a in back] == [a.frameworks for a in assessments]


def test_float_values_survive_exactly(assessments, catalogue, tmp_path: Path) -> None:
    # 0.1 + 0.2 = 0.30000000000000004 must not come back as 0.3 from any format
    for fmt, f in FORMATS.items():
        f.export(assessments, catalogue.kpis, tmp_path / fmt, None)
        values = {r.value for a in import_any(tmp_path / fmt) for r in a.results if r.data_point == "pm2_5"}
        assert 0.1 + 0.2 in values, fmt


def test_data_package_validates_with_frictionless(assessments, catalogue, tmp_path: Path) -> None:
    from frictionless import Package, validate

    FORMATS["frictionless"].export(assessments, catalogue.kpis, tmp_path, None)
    report = validate(tmp_path / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    schema = Package(tmp_path / "datapackage.json").get_resource("results").schema
    assert "EN: EN: AQ: 1C" in schema.get_field("code").constraints["enum"]


def test_data_package_constraint_catches_an_unknown_code(assessments, catalogue, tmp_path: Path) -> None:
    from frictionless import validate

    FORMATS["frictionless"].export(assessments, catalogue.kpis, tmp_path, None)
    results = tmp_path / "results.csv"
    results.write_text(results.read_text(encoding="utf-8").replace("EN: EN: AQ: 1C", "EN: EN: AQ: 9C", 1), "utf-8")
    report = validate(tmp_path / "datapackage.json")
    assert not report.valid
    assert "constraint-error" in {e.type for t in report.tasks for e in t.errors}


@pytest.mark.parametrize("form", ["normalized", "keyvalues"])
def test_ngsi_entities_validate_against_the_fiware_schema(form: str, assessments, catalogue, tmp_path: Path) -> None:
    export_ngsi(assessments, catalogue.kpis, tmp_path, TargetBook([default_target_set()]), form)
    entities = json.loads((tmp_path / "entities.jsonld").read_text(encoding="utf-8"))
    assert len(entities) == sum(len(a.results) for a in assessments)
    for e in entities:
        assert schema_errors(key_values(e)) == [], e["id"]
    ids = [e["id"] for e in entities]
    assert len(set(ids)) == len(ids)
    pm10 = next(
        key_values(e) for e in entities if ":Sao-Paulo:" in e["id"] and e["id"].endswith(":2021:EN-EN-AQ-1C:pm10")
    )
    assert pm10["kpiValue"] == pytest.approx(21.3) and pm10["unit"] == "μg/m3" and pm10["dataQuality"] == 1
    assert pm10["calculationPeriod"] == {"from": "2021-01-01", "to": "2021-12-31"}
    assert pm10["sdgTargets"] == ["11.6", "11.6.2"] and pm10["verified"] is True
    # WHO 2021 guideline 15 µg/m³ (public reference target set): 21.3 is 70 % of target -> band 3
    assert pm10["target"] == 15 and pm10["benchmarkPoints"] == 3 and pm10["currentStanding"] == "good"
    if form == "normalized":
        raw = next(e for e in entities if e["id"] == pm10["id"])
        assert raw["kpiValue"] == {"type": "Property", "value": pm10["kpiValue"]}
    context = json.loads((tmp_path / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    extra = set(pm10) - set(json.loads(Path(schema_path()).read_text())["allOf"][2]["properties"]) - COMMON
    assert extra <= set(context), extra - set(context)


COMMON = {"id", "type", "name", "description", "address", "location", "areaServed", "source", "dataProvider"}


def schema_path() -> str:
    from importlib import resources

    return str(resources.files("citykpi.exchange") / "data" / "fiware" / "schema.json")


def test_fiware_schema_rejects_a_broken_entity() -> None:
    broken = {"currentStanding": "great", "calculationPeriod": {"from": "2021-13-01"}, "calculationFrequency": "yes"}
    errors = schema_errors({"id": "urn:x", "type": "KeyPerformanceIndicator", **broken})
    assert len(errors) == 3 and any(e.startswith("currentStanding:") for e in errors)


def test_sdmx_csv_layout(assessments, catalogue, tmp_path: Path) -> None:
    FORMATS["sdmx-csv"].export(assessments, catalogue.kpis, tmp_path, None)
    lines = (tmp_path / "data.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("DATAFLOW,REF_AREA,KPI,DATA_POINT,TIME_PERIOD,OBS_VALUE,UNIT_MEASURE,")
    assert any(line.startswith("CITYKPI:U4SSC_KPI(1.0),SAO_PAULO,EN_EN_AQ_1C,pm10,2021,21.3,") for line in lines)
    structure = json.loads((tmp_path / "structure.json").read_text(encoding="utf-8"))
    cities = {c["id"]: c["name"] for c in structure["codelists"]["CL_CITY"]}
    assert cities == {"SAO_PAULO": "São Paulo", "ZURICH_KREIS_1": "Zürich, Kreis 1"}


def test_open_sdg_layout(assessments, catalogue, tmp_path: Path) -> None:
    import yaml

    FORMATS["open-sdg"].export(assessments, catalogue.kpis, tmp_path, None)
    header = (tmp_path / "data" / "indicator_en-en-aq-1c.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[0] == "Year" and header[-1] == "Value" and {"Units", "Series"} <= set(header)
    single = (tmp_path / "data" / "indicator_ec-ict-ict-1c.csv").read_text(encoding="utf-8").splitlines()[1]
    assert single.startswith("2021,São Paulo,BR,,")  # blank Series: the KPI's only data point
    meta = yaml.safe_load((tmp_path / "meta" / "en-en-aq-1c.yml").read_text(encoding="utf-8"))
    assert meta["indicator_number"] == "en-en-aq-1c" and meta["reporting_status"] == "complete"
    assert meta["sdg_targets"] == ["11.6", "11.6.2"]


def test_zip_export_for_web_downloads(assessments, catalogue, tmp_path: Path) -> None:
    import io
    import zipfile

    from citykpi.exchange.formats import export_zip

    with zipfile.ZipFile(io.BytesIO(export_zip(assessments, catalogue.kpis, "open-sdg"))) as archive:
        names = archive.namelist()
        archive.extractall(tmp_path)
    assert "meta/en-en-aq-1c.yml" in names and "data/indicator_en-en-aq-1c.csv" in names
    assert comparable(import_any(tmp_path), "open-sdg") == comparable(assessments, "open-sdg")


def test_key_values_entities_import_too(assessments, catalogue, tmp_path: Path) -> None:
    export_ngsi(assessments, catalogue.kpis, tmp_path, None, "keyvalues")
    assert comparable(import_any(tmp_path / "entities.jsonld"), "ngsi-ld") == comparable(assessments, "ngsi-ld")


def test_ngsi_import_gives_independent_results_with_every_field_set(assessments, catalogue, tmp_path: Path) -> None:
    # The import copies one template result per entity: each copy must own its fields, and all of
    # them count as set (a consumer dumping with exclude_unset must see the whole row).
    export_ngsi(assessments, catalogue.kpis, tmp_path, None)
    results = [r for a in import_any(tmp_path) for r in a.results]
    assert all(r.model_fields_set == set(type(r).model_fields) for r in results)
    assert len({id(r.__dict__) for r in results}) == len(results)
    assert len({(r.code, r.data_point, r.value, r.status) for r in results}) > 1


def test_ngsi_import_leaves_the_garbage_collector_as_it_was(assessments, catalogue, tmp_path: Path) -> None:
    import gc

    export_ngsi(assessments, catalogue.kpis, tmp_path, None)
    assert gc.isenabled()
    import_any(tmp_path)
    assert gc.isenabled()
    gc.disable()
    try:
        import_any(tmp_path)
        assert not gc.isenabled()
    finally:
        gc.enable()
    (tmp_path / "entities.jsonld").write_text("[{]", encoding="utf-8")
    with pytest.raises(DiagnosticError):
        import_any(tmp_path)
    assert gc.isenabled()
