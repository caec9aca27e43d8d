"""The assessment engine on hand-checked cases over a small real framework file."""

from __future__ import annotations

import pytest

from citykpi.assess.engine import assess
from citykpi.framework.catalogue import Catalogue
from citykpi.model.assessment import Assessment, KpiResult, ResultStatus
from citykpi.model.submission import CityProfile, DataQuality, Entry, EntryKind, Status, Submission

R = Status.REPORTED


@pytest.fixture
def framework(mini: Catalogue) -> Catalogue:
    return mini


def given(*entries: Entry, **profile: float | None) -> Submission:
    fields: dict[str, float | None] = {"population": 20_000, "households": 8_000, **profile}
    return Submission(profile=CityProfile(city="Testville", year=2023, **fields), entries=list(entries))


def inp(kpi: str, name: str, value: object, status: Status = R, **extra: object) -> Entry:
    return Entry(kpi=kpi, kind=EntryKind.INPUT, name=name, value=value, status=status, **extra)  # type: ignore[arg-type]


def val(kpi: str, key: str, value: object, status: Status = R, **extra: object) -> Entry:
    return Entry(kpi=kpi, kind=EntryKind.VALUE, name=key, value=value, status=status, **extra)  # type: ignore[arg-type]


def result(assessment: Assessment, code: str, key: str = "value") -> KpiResult:
    (found,) = [r for r in assessment.results if r.code == code and r.data_point == key]
    return found


def test_computes_a_percentage_from_an_input_and_the_profile(framework: Catalogue) -> None:
    a = assess(given(inp("EC: T: 1C", "households_with_internet", 6_000)), framework)
    r = result(a, "EC: T: 1C")
    assert (r.status, r.value, r.reason) == (ResultStatus.COMPUTED, 75.0, "")
    assert (r.dimension, r.subdimension, r.level, r.unit) == ("Economy", "ICT", "core", "%")


def test_every_data_point_of_the_catalogue_gets_a_row(framework: Catalogue) -> None:
    a = assess(given(), framework)
    assert len(a.results) == sum(len(k.data_points) for k in framework.kpis.values()) == 10
    assert {r.status for r in a.results} == {ResultStatus.NOT_REPORTED}


def test_a_directly_reported_value_overrides_the_formula_and_says_so(framework: Catalogue) -> None:
    a = assess(
        given(
            inp("EC: T: 1C", "households_with_internet", 6_000),
            val("EC: T: 1C", "value", 80.5, quality=DataQuality.HIGHER_LEVEL_EXTRAPOLATION, source="ITU 2023"),
        ),
        framework,
    )
    r = result(a, "EC: T: 1C")
    assert (r.status, r.value, r.quality, r.source) == (
        ResultStatus.REPORTED,
        80.5,
        DataQuality.HIGHER_LEVEL_EXTRAPOLATION,
        "ITU 2023",
    )


def test_an_empty_override_row_falls_back_to_the_formula(framework: Catalogue) -> None:
    a = assess(
        given(
            inp("EC: T: 1C", "households_with_internet", 2_000), val("EC: T: 1C", "value", None, Status.NOT_REPORTED)
        ),
        framework,
    )
    assert (result(a, "EC: T: 1C").status, result(a, "EC: T: 1C").value) == (ResultStatus.COMPUTED, 25.0)


def test_zero_denominator_is_an_error_naming_the_denominator(framework: Catalogue) -> None:
    a = assess(given(inp("EC: T: 1C", "households_with_internet", 10), households=0), framework)
    r = result(a, "EC: T: 1C")
    assert r.status is ResultStatus.ERROR and r.value is None
    assert r.reason == "zero denominator: households is 0"


def test_a_missing_input_beside_reported_ones_is_an_error_naming_it(framework: Catalogue) -> None:
    a = assess(given(inp("EN: T: 2C", "waste_landfill", 50)), framework)
    r = result(a, "EN: T: 2C", "landfill")
    assert r.status is ResultStatus.ERROR
    assert r.reason == "needs waste_total (not reported)"


def test_a_missing_profile_field_is_named(framework: Catalogue) -> None:
    a = assess(given(inp("SC: T: 1C", "physicians", 50), population=None), framework)
    assert result(a, "SC: T: 1C").reason == "needs population (city profile, not given)"


def test_nothing_reported_is_not_reported_with_what_it_needs(framework: Catalogue) -> None:
    r = result(assess(given(), framework), "SC: T: 1C")
    assert (r.status, r.reason) == (ResultStatus.NOT_REPORTED, "needs physicians (not reported)")


def test_not_applicable_and_not_available_are_carried_through(framework: Catalogue) -> None:
    a = assess(
        given(
            inp("EN: T: 2C", "waste_total", 1_000),
            inp("EN: T: 2C", "waste_incinerated", None, Status.NOT_APPLICABLE),
            inp("SC: T: 1C", "physicians", None, Status.NOT_AVAILABLE),
            val("EC: T: 3A", "value", None, Status.NOT_APPLICABLE, notes="no planning authority"),
        ),
        framework,
    )
    assert result(a, "EN: T: 2C", "incinerated").status is ResultStatus.NOT_APPLICABLE
    assert result(a, "EN: T: 2C", "incinerated").reason == "waste_incinerated not applicable"
    assert result(a, "SC: T: 1C").status is ResultStatus.NOT_AVAILABLE
    assert (result(a, "EC: T: 3A").status, result(a, "EC: T: 3A").reason) == (
        ResultStatus.NOT_APPLICABLE,
        "no planning authority",
    )


def test_computed_value_above_its_maximum_is_an_error(framework: Catalogue) -> None:
    a = assess(given(inp("EC: T: 2C", "fixed_broadband_subscriptions", 9_000)), framework)
    r = result(a, "EC: T: 2C")
    assert r.status is ResultStatus.ERROR and r.value is None
    assert r.reason == "computed value 112.5 is above the maximum 100 %"


def test_an_input_below_its_minimum_or_not_a_number_is_an_error(framework: Catalogue) -> None:
    a = assess(
        given(inp("SC: T: 1C", "physicians", -4), inp("EC: T: 1C", "households_with_internet", "many")),
        framework,
    )
    assert result(a, "SC: T: 1C").reason == "physicians = -4 is negative; a value in 'persons' cannot be below 0"
    assert result(a, "EC: T: 1C").reason == "households_with_internet is not a number ('many')"


def test_qualitative_answers_keep_their_text_and_yes_no_scores_one_or_zero(framework: Catalogue) -> None:
    a = assess(given(val("EC: T: 3A", "value", True), val("EC: T: 4A", "value", "Partial")), framework)
    yes = result(a, "EC: T: 3A")
    assert (yes.status, yes.value, yes.value_text) == (ResultStatus.REPORTED, 1.0, "yes")
    level = result(a, "EC: T: 4A")
    assert (level.status, level.value, level.value_text) == (ResultStatus.REPORTED, None, "partial")
    no = result(assess(given(val("EC: T: 3A", "value", "no")), framework), "EC: T: 3A")
    assert (no.value, no.value_text) == (0.0, "no")


def test_an_unknown_level_is_an_error_listing_the_allowed_ones(framework: Catalogue) -> None:
    r = result(assess(given(val("EC: T: 4A", "value", "mostly")), framework), "EC: T: 4A")
    assert r.status is ResultStatus.ERROR
    assert r.reason == "expected one of no, partial, yes; got 'mostly'"


def test_quality_is_the_worst_input_and_sources_are_combined(framework: Catalogue) -> None:
    a = assess(
        given(
            inp("EN: T: 2C", "waste_total", 1_000, quality=DataQuality.ACCURATE_MEASUREMENT, source="Waste agency"),
            inp(
                "EN: T: 2C",
                "waste_landfill",
                250,
                quality=DataQuality.ASSUMPTION_ESTIMATE,
                source="Landfill operator",
                verified=True,
            ),
        ),
        framework,
    )
    r = result(a, "EN: T: 2C", "landfill")
    assert (r.status, r.value) == (ResultStatus.COMPUTED, 25.0)
    assert r.quality is DataQuality.ASSUMPTION_ESTIMATE
    assert r.source == "Landfill operator; Waste agency"  # in the order of the input names
    assert r.verified is None  # one of the two inputs was not verified either way


def test_multi_data_point_kpis_name_each_data_point(framework: Catalogue) -> None:
    a = assess(given(inp("EN: T: 1C", "pm25_mean", 12.0)), framework)
    assert result(a, "EN: T: 1C", "pm25").name == "Air Pollution (PM2.5)"
    assert result(a, "EN: T: 1C", "pm25").value == 12.0
    assert result(a, "EN: T: 1C", "no2").status is ResultStatus.NOT_REPORTED
