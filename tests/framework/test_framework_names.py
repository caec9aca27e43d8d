"""The French names of the U4SSC catalogue: complete, nothing extra, units consistent, said to be ours."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from citykpi.framework.catalogue import Catalogue
from citykpi.framework.model import Framework
from citykpi.framework.names import Translation, check_translation, names, read_translation, translation_path


@pytest.fixture(scope="module")
def u4ssc() -> Framework:
    return Catalogue.load().frameworks[0]


@pytest.fixture(scope="module")
def french() -> Translation:
    return read_translation(translation_path("u4ssc", "fr"))


def test_every_kpi_data_point_and_unit_has_its_french_and_nothing_more(u4ssc: Framework, french: Translation) -> None:
    assert check_translation(french, u4ssc) == []
    assert len(french.kpis) == len(u4ssc.kpis) == 91
    assert french.provenance.startswith("citykpi translation, not an official ITU text")
    for kpi in u4ssc.kpis:
        assert names("fr").kpi(kpi.code, kpi.name) != kpi.name or kpi.name in ("Innovation", "Culture"), kpi.code


def test_the_check_names_what_is_missing_extra_or_changed(u4ssc: Framework, french: Translation) -> None:
    kpis = dict(french.kpis)
    del kpis["EC: P: EM: 1C"]
    air = kpis["EN: EN: AQ: 1C"]
    kpis["EN: EN: AQ: 1C"] = air.model_copy(
        update={"data_points": {k: v for k, v in air.data_points.items() if k != "o3"}}
    )
    kpis["XX: 1"] = air
    waste = kpis["EN: EN: WA: 1C"]
    kpis["EN: EN: WA: 1C"] = waste.model_copy(update={"data_points": {**waste.data_points, "composted": "Compostage"}})
    units = {**french.units, "μg/m3": "mg/m3", "furlongs": "stades"}
    del units["years"]
    broken = french.model_copy(update={"kpis": kpis, "units": units})
    assert sorted(check_translation(broken, u4ssc)) == sorted(
        [
            "KPI EC: P: EM: 1C: no fr name",
            "KPI XX: 1: not in u4ssc",
            "KPI EN: EN: AQ: 1C, data point o3: no name",
            "KPI EN: EN: WA: 1C, data point composted: not in u4ssc",
            "unit 'years': no translation",
            "unit 'furlongs': not used by u4ssc",
            "unit 'μg/m3': 'mg/m3' does not keep its symbols ['μg/m3']",
        ]
    )


def test_a_translation_file_is_validated_field_by_field(french: Translation) -> None:
    doc = french.model_dump()
    with pytest.raises(ValidationError, match="provenance"):
        Translation.model_validate({k: v for k, v in doc.items() if k != "provenance"})
    with pytest.raises(ValidationError, match="name"):
        Translation.model_validate({**doc, "kpis": {"EC: P: EM: 1C": {"name": ""}}})
    with pytest.raises(ValidationError, match="Extra inputs"):
        Translation.model_validate({**doc, "kpis": {"EC: P: EM: 1C": {"name": "Chômage", "unit": "%"}}})


def test_names_fall_back_to_the_frameworks_own() -> None:
    fr, en = names("fr"), names("en")
    assert fr.kpi("EN: EN: AQ: 1C", "Air Pollution") == "Pollution de l'air"
    assert fr.data_point("EN: EN: AQ: 1C", "pm2_5", "PM2.5") == "Concentration moyenne annuelle de PM2,5"
    assert fr.unit("kWh/year/capita") == "kWh/an/habitant" and fr.unit("μg/m3") == "μg/m3"
    # a city's local KPI, a unit the catalogue does not use: the name they came with
    assert fr.kpi("PULLY: 1", "Trees planted") == "Trees planted" and fr.unit("trees") == "trees"
    assert (
        en.kpi("EN: EN: AQ: 1C", "Air Pollution") == "Air Pollution" and en.unit("kWh/year/capita") == "kWh/year/capita"
    )
