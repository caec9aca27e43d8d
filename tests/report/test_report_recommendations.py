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
    assert BURNING in {r.theme for r in for_subdimension(seed, "Environment", score(burning, book), {})}
    assert BURNING not in {r.theme for r in for_subdimension(seed, "Environment", score(none_burnt, book), {})}


def test_nothing_is_recommended_on_data_points_not_reported_or_scoring_well(
    history: list[Assessment], book: TargetBook
) -> None:
    seed, _ = read_recommendations()
    assert seed is not None
    housing = [("SC: SH: HO: 1C", "value"), ("SC: SH: HO: 2A", "value")]
    unreported = score(with_values(history[-1], dict.fromkeys(housing)), book)
    themes = {r.theme for r in for_subdimension(seed, "Safety, Housing and Social Inclusion", unreported, {})}
    assert not themes & {"Affordable housing", "Informal settlements register"}
    # reported and weak: informal settlements above zero (target 0), housing costs far above a third of income
    weak = score(with_values(history[-1], {housing[0]: 12.0, housing[1]: 80.0}), book)
    themes = {r.theme for r in for_subdimension(seed, "Safety, Housing and Social Inclusion", weak, {})}
    assert {"Affordable housing", "Informal settlements register"} <= themes
    good = score(with_values(history[-1], {housing[0]: 0.0, housing[1]: 10.0}), book)
    themes = {r.theme for r in for_subdimension(seed, "Safety, Housing and Social Inclusion", good, {})}
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

    return _profile_context(report, seed, {}, "en")["advice"]


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


AIR = "EN: EN: AQ: 1C"
HEATING, TRAFFIC = "Cleaner household heating", "Low-emission traffic"
POOR_CITY_ONLY = {"Informal settlements register", "Solid-waste collection"}


def test_seed_set_tags_recommendations_by_income_group_and_pollution_source() -> None:
    seed, _ = read_recommendations()
    assert seed is not None and set(seed.contexts) == {"income-group", "pollution-source"}
    tagged = {r.theme: r.context for r in seed.recommendations if r.context}
    assert tagged[HEATING] == {"pollution-source": ["heating"]} and tagged[TRAFFIC] == {"pollution-source": ["traffic"]}
    assert all("high" not in tagged[t]["income-group"] for t in POOR_CITY_ONLY)
    for kind in seed.contexts.values():  # every tag is said in French too
        assert kind.name.fr and all(v.fr for v in kind.values.values())


def test_context_tags_leave_out_what_is_meant_for_other_cities(history: list[Assessment], book: TargetBook) -> None:
    seed, _ = read_recommendations()
    assert seed is not None
    polluted = score(with_values(history[-1], {(AIR, "pm10"): 80.0, (AIR, "pm2_5"): 60.0, (AIR, "no2"): 90.0}), book)

    def shown(city: dict[str, str]) -> set[str]:
        return {r.theme for r in for_subdimension(seed, "Environment", polluted, city)}

    assert {HEATING, TRAFFIC, "Clean air"} <= shown({})  # no source given: each is shown, with its tags
    assert HEATING in shown({"pollution-source": "heating"}) and TRAFFIC not in shown({"pollution-source": "heating"})
    assert TRAFFIC in shown({"pollution-source": "traffic"}) and HEATING not in shown({"pollution-source": "traffic"})
    assert "Clean air" in shown({"pollution-source": "industry"})  # untagged: for every city
    # reported and weak, yet meant for cities of lower income: not told to a high-income one
    housing = score(with_values(history[-1], {("SC: SH: HO: 1C", "value"): 12.0}), book)
    sub = "Safety, Housing and Social Inclusion"
    assert "Informal settlements register" in {r.theme for r in for_subdimension(seed, sub, housing, {})}
    rich = for_subdimension(seed, sub, housing, {"income-group": "high"})
    assert "Informal settlements register" not in {r.theme for r in rich}


def test_a_tag_the_file_does_not_declare_is_refused(tmp_path: Path) -> None:
    seed, _ = read_recommendations()
    assert seed is not None
    city, problems = seed.city_context(["income-group=high", "pollution-source = heating"])
    assert city == {"income-group": "high", "pollution-source": "heating"} and problems == []
    _, problems = seed.city_context(["income-group=rich", "climate=cold", "income-group=high", "income-group=low"])
    assert problems == [
        "'income-group=rich': income-group is one of low, lower-middle, upper-middle, high",
        "'climate=cold': no context kind 'climate' in Policy recommendations for SSC City Profiles (citykpi seed set)"
        " (it has: income-group, pollution-source); write KIND=VALUE",
        "'income-group=low': income-group is given twice (high and low)",
    ]
    undeclared = tmp_path / "tags.yaml"
    undeclared.write_text(
        "id: x\nname: y\ncontexts:\n  income-group:\n    name: {en: income group}\n    values: {low: {en: low}}\n"
        "recommendations:\n  - subdimension: ICT\n    theme: t\n    text: x\n    context: {income-group: [rich]}\n"
        "    when: [{kpi: 'EC: ICT: ICT: 1C'}]\n",
        encoding="utf-8",
    )
    found, report = read_recommendations(undeclared)
    assert found is None
    assert "recommendations.0.context.income-group (t): give one or more of low" in str(report.errors[0])
    undeclared.write_text(undeclared.read_text(encoding="utf-8").replace("context: {income-group", "context: {climate"))
    found, report = read_recommendations(undeclared)
    assert found is None and "no context kind 'climate' in 'contexts' (declared: income-group)" in str(report.errors[0])


def test_the_profile_says_the_context_and_the_tags_in_french(
    history: list[Assessment], book: TargetBook, catalogue: Catalogue
) -> None:
    seed, _ = read_recommendations()
    assert seed is not None
    worse = with_values(history[-1], {(AIR, k): 200.0 for k in ("pm10", "pm2_5", "no2")})
    report = build([*history[:-1], worse], catalogue.kpis, book)
    assert "Environment" in {s.name for s in report.weakest_subdimensions(3)}, "the test needs air among the weakest"
    page = city_html(report, "profile", "fr", seed, {"income-group": "high"})
    assert "Le contexte de la ville, tel que son équipe l'a indiqué : groupe de revenu : revenu élevé." in page
    assert "Non indiqué : principale source de pollution de l&#39;air." in page
    assert HEATING in page
    assert "Destinée aux villes de ce contexte : principale source de pollution de l&#39;air : chauffage" in page
    english = city_html(report, "profile", "en", seed, {"pollution-source": "traffic"})
    assert TRAFFIC in english and HEATING not in english and "main source of air pollution: road traffic" in english
