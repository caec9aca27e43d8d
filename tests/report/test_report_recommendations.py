"""The SSC City Profile's recommendations: each says when it applies, and applies only to weak reported data."""

from __future__ import annotations

from pathlib import Path

from citykpi.framework.catalogue import Catalogue
from citykpi.model.assessment import Assessment, ResultStatus
from citykpi.report.content import build
from citykpi.report.pages import city_html
from citykpi.report.recommendations import for_subdimension, read_recommendations
from citykpi.scoring.scorecard import score
from citykpi.scoring.targets import TargetBook

BISHKEK_THEMES = {
    "Urban data methods",
    "Informal settlements register",
    "Affordable housing",
    "Low-carbon public transport",
    "Internet access and digital literacy",
    "Water and sanitation renovation",
    "Solid-waste recycling",
}
WASTE = "EN: EN: WA: 1C"
BURNING = "End open burning of waste"


def with_values(assessment: Assessment, values: dict[tuple[str, str], float | None]) -> Assessment:
    """The assessment with some data points set to a value, or to not reported (None)."""

    def changed(r):  # type: ignore[no-untyped-def]
        if (r.code, r.data_point) not in values:
            return r
        value = values[(r.code, r.data_point)]
        if value is None:
            return r.model_copy(update={"value": None, "value_text": None, "status": ResultStatus.NOT_AVAILABLE})
        return r.model_copy(update={"value": value, "value_text": None, "status": ResultStatus.REPORTED})

    return assessment.model_copy(update={"results": [changed(r) for r in assessment.results]})


def test_seed_set_covers_the_bishkek_themes_and_every_subdimension(catalogue: Catalogue) -> None:
    seed, report = read_recommendations()
    assert report.valid and seed is not None
    assert {r.theme for r in seed.recommendations} >= BISHKEK_THEMES
    subdimensions = {k.subdimension for k in catalogue.kpis.values()}
    assert subdimensions == {r.subdimension for r in seed.recommendations}
    for r in seed.recommendations:
        assert r.when, r.theme
        for c in r.when:  # each condition names a data point of the recommendation's own group
            kpi = catalogue.kpis[c.kpi]
            assert kpi.subdimension == r.subdimension and (r.category is None or kpi.category == r.category), r.theme
            assert c.data_point in {d.key for d in kpi.data_points}, (r.theme, c.data_point)


def test_a_city_burning_no_waste_is_not_told_to_stop_burning_waste(history: list[Assessment], book: TargetBook) -> None:
    seed, _ = read_recommendations()
    assert seed is not None
    burning = with_values(history[-1], {(WASTE, "burnt"): 30.0})
    none_burnt = with_values(history[-1], {(WASTE, "burnt"): 0.0})
    assert BURNING in {r.theme for r in for_subdimension(seed, "Environment", score(burning, book))}
    assert BURNING not in {r.theme for r in for_subdimension(seed, "Environment", score(none_burnt, book))}


def test_nothing_is_recommended_on_data_points_not_reported_or_scoring_well(
    history: list[Assessment], book: TargetBook
) -> None:
    seed, _ = read_recommendations()
    assert seed is not None
    housing = [("SC: SH: HO: 1C", "value"), ("SC: SH: HO: 2A", "value")]
    unreported = score(with_values(history[-1], dict.fromkeys(housing)), book)
    themes = {r.theme for r in for_subdimension(seed, "Safety, Housing and Social Inclusion", unreported)}
    assert not themes & {"Affordable housing", "Informal settlements register"}
    # reported and weak: informal settlements above zero (target 0), housing costs far above a third of income
    weak = score(with_values(history[-1], {housing[0]: 12.0, housing[1]: 80.0}), book)
    themes = {r.theme for r in for_subdimension(seed, "Safety, Housing and Social Inclusion", weak)}
    assert {"Affordable housing", "Informal settlements register"} <= themes
    good = score(with_values(history[-1], {housing[0]: 0.0, housing[1]: 10.0}), book)
    themes = {r.theme for r in for_subdimension(seed, "Safety, Housing and Social Inclusion", good)}
    assert not themes & {"Affordable housing", "Informal settlements register"}


def test_profile_names_no_unreported_category_as_weak(
    history: list[Assessment], book: TargetBook, catalogue: Catalogue
) -> None:
    seed, _ = read_recommendations()
    report = build(history, catalogue.kpis, book)
    page = city_html(report, "profile", "en", seed)
    for _sub, categories, recommendations in _advice(report, seed):
        for c in categories:
            assert c.percent is not None and c.percent < 66
        for r in recommendations:
            assert r.applies(report.card) and r.theme in page
    assert "No benchmark)" not in page.split("Annex", 1)[0]


def _advice(report, seed):  # type: ignore[no-untyped-def]
    from citykpi.report.pages import _profile_context

    return _profile_context(report, seed)["advice"]


def test_broken_recommendation_files_are_reported(tmp_path: Path) -> None:
    missing, report = read_recommendations(tmp_path / "none.yaml")
    assert missing is None and report.errors[0].type == "file-error"
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nname: y\nrecommendations:\n  - {subdimension: ICT}\n", encoding="utf-8")
    found, report = read_recommendations(bad)
    assert found is None and "theme" in report.errors[0].location.field
    unconditional = tmp_path / "always.yaml"
    unconditional.write_text(
        "id: x\nname: y\nrecommendations:\n  - {subdimension: ICT, theme: t, text: x, when: []}\n", encoding="utf-8"
    )
    found, report = read_recommendations(unconditional)
    assert found is None and "when" in report.errors[0].location.field
