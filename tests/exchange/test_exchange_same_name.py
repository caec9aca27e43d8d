"""A city is its name and its country in every exchange format: two Londons of one year go out and
come back as two cities, each with its own values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from citykpi.exchange.formats import FORMATS, import_any
from citykpi.exchange.records import group
from citykpi.framework.catalogue import Catalogue
from citykpi.model.assessment import Assessment
from citykpi.model.submission import CityProfile


def londons(template: Assessment) -> list[Assessment]:
    out = []
    for country, shift in (("Canada", 0.0), ("United Kingdom", 5.0)):
        results = [
            r.model_copy(update={"value": r.value + shift}) if r.value is not None else r for r in template.results
        ]
        profile = template.profile.model_copy(update={"city": "London", "country": country, "year": 2016})
        out.append(template.model_copy(update={"profile": profile, "results": results}))
    return out


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_two_londons_of_one_year_stay_two_cities(
    fmt: str, assessments: list[Assessment], catalogue: Catalogue, tmp_path: Path
) -> None:
    both = londons(assessments[0])
    FORMATS[fmt].export(both, catalogue.kpis, tmp_path / fmt, None)
    back = {a.profile.place: a for a in import_any(tmp_path / fmt)}
    assert set(back) == {("London", "Canada"), ("London", "United Kingdom")}
    for sent in both:
        got = back[sent.profile.place]
        assert got.profile.year == 2016
        values = sorted((r.code, r.data_point, r.value) for r in got.results)
        assert values == sorted((r.code, r.data_point, r.value) for r in sent.results)


def test_sdmx_and_ngsi_identifiers_name_the_country(
    assessments: list[Assessment], catalogue: Catalogue, tmp_path: Path
) -> None:
    both = londons(assessments[0])
    FORMATS["sdmx-csv"].export(both, catalogue.kpis, tmp_path / "sdmx", None)
    structure = json.loads((tmp_path / "sdmx" / "structure.json").read_text(encoding="utf-8"))
    codes = structure["codelists"]["CL_CITY"]
    assert [(c["id"], c["country"]) for c in codes] == [("LONDON", "Canada"), ("LONDON_2", "United Kingdom")]
    FORMATS["ngsi-ld"].export(both, catalogue.kpis, tmp_path / "ngsi", None)
    entities = json.loads((tmp_path / "ngsi" / "entities.jsonld").read_text(encoding="utf-8"))
    places = {":".join(e["id"].split(":")[3:5]) for e in entities}  # urn:ngsi-ld:Type:city:country:year:...
    assert places == {"London:Canada", "London:United-Kingdom"}


def test_a_result_without_a_country_joins_the_one_city_of_its_name(assessments: list[Assessment]) -> None:
    """Data packages written before results carried a country: joined when the name is unambiguous."""
    result = assessments[0].results[0].model_copy

    profiles = [(CityProfile(city="Pully", country="Switzerland", year=2020), [])]
    (one,) = group(profiles, [(("Pully", "", 2020), result())])
    assert one.profile.country == "Switzerland" and len(one.results) == 1
    two = [*profiles, (CityProfile(city="Pully", country="Elsewhere", year=2020), [])]
    assert len(group(two, [(("Pully", "", 2020), result())])) == 3  # ambiguous: kept apart, not guessed
