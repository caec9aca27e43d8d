from __future__ import annotations

from pathlib import Path

from citykpi.framework.catalogue import Catalogue
from citykpi.report.recommendations import for_subdimension, read_recommendations

BISHKEK_THEMES = {
    "Urban data methods",
    "Informal settlements register",
    "Affordable housing",
    "Low-carbon public transport",
    "Internet access and digital literacy",
    "Water and sanitation renovation",
    "Solid-waste recycling",
}


def test_seed_set_covers_the_bishkek_themes_and_every_subdimension(catalogue: Catalogue) -> None:
    seed, report = read_recommendations()
    assert report.valid and seed is not None
    assert {r.theme for r in seed.recommendations} >= BISHKEK_THEMES
    subdimensions = {k.subdimension for k in catalogue.kpis.values()}
    assert subdimensions == {r.subdimension for r in seed.recommendations}
    categories = {k.category for k in catalogue.kpis.values()}
    assert {r.category for r in seed.recommendations if r.category} <= categories


def test_category_bound_recommendations_only_for_weak_categories() -> None:
    seed, _ = read_recommendations()
    assert seed is not None
    housing_weak = {r.theme for r in for_subdimension(seed, "Safety, Housing and Social Inclusion", ["Housing"])}
    assert {"Affordable housing", "Informal settlements register"} <= housing_weak
    safety_weak = {r.theme for r in for_subdimension(seed, "Safety, Housing and Social Inclusion", ["Safety"])}
    assert "Affordable housing" not in safety_weak and safety_weak


def test_broken_recommendation_files_are_reported(tmp_path: Path) -> None:
    missing, report = read_recommendations(tmp_path / "none.yaml")
    assert missing is None and report.errors[0].type == "file-error"
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nname: y\nrecommendations:\n  - {subdimension: ICT}\n", encoding="utf-8")
    found, report = read_recommendations(bad)
    assert found is None and "theme" in report.errors[0].location.field
