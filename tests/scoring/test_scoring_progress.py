from __future__ import annotations

import math

import pytest
from scoring_helpers import make_assessment, make_result

from citykpi.framework.model import Direction
from citykpi.scoring.progress import ProgressStatus, item_progress, progress, projected_year
from citykpi.scoring.targets import Target, TargetBook, TargetDirection, TargetSet


def series(*pairs: tuple[int, float | None]) -> list[tuple[int, object]]:
    return [(year, make_result("K", value)) for year, value in pairs]


def target(value: float, direction: str = "higher", year: int | None = 2030) -> Target:
    return Target(kpi="K", value=value, direction=TargetDirection(direction), year=year, source="test")


def test_with_target_ratio_of_observed_to_required_growth() -> None:
    p = item_progress("K", "value", series((2015, 50), (2020, 60)), target(100))
    observed = 1.2 ** (1 / 5) - 1
    required = 2 ** (1 / 15) - 1
    assert p.progress_value == pytest.approx(observed / required)  # 0.785
    assert p.status is ProgressStatus.MODERATE
    assert p.projected_year == pytest.approx(2015 + 5 * math.log(2) / math.log(1.2))  # about 2034


def test_lower_is_better_with_target_on_track() -> None:
    p = item_progress("K", "value", series((2018, 20), (2022, 10)), target(5, "lower"))
    assert p.progress_value == pytest.approx((1 - 0.5**0.25) / (1 - 0.25 ** (1 / 12)))  # 1.46
    assert p.status is ProgressStatus.SUBSTANTIAL
    assert p.projected_year == pytest.approx(2026.0)


def test_target_already_met_and_beyond() -> None:
    p = item_progress("K", "value", series((2018, 90), (2022, 101)), target(100))
    assert p.status is ProgressStatus.TARGET_ACHIEVED and p.score == 5
    assert p.projected_year is None


def test_deterioration_and_no_projection_when_moving_away() -> None:
    p = item_progress("K", "value", series((2018, 60), (2022, 50)), target(100))
    assert p.status is ProgressStatus.DETERIORATION
    assert p.projected_year is None


def test_missing_years_need_two_values_and_gaps_are_bridged() -> None:
    assert item_progress("K", "value", series((2022, 50)), target(100)).status is ProgressStatus.NOT_AVAILABLE
    gap = item_progress("K", "value", series((2016, 50), (2018, None), (2020, 60)), target(100))
    assert (gap.base_year, gap.current_year) == (2016, 2020)


def test_base_year_is_2015_or_the_first_later_year() -> None:
    p = item_progress("K", "value", series((2012, 10), (2016, 50), (2020, 60)), target(100))
    assert p.base_year == 2016
    early = item_progress("K", "value", series((2010, 10), (2013, 50)), target(100))
    assert early.base_year == 2010  # no data from 2015 on: the first year is used


def test_without_target_uses_observed_growth_thresholds() -> None:
    up = item_progress("K", "value", series((2018, 100), (2020, 104)), None, Direction.HIGHER)
    assert up.status is ProgressStatus.SUBSTANTIAL  # 1.98 % a year >= 1.5 %
    slow = item_progress("K", "value", series((2018, 100), (2020, 102)), None, Direction.HIGHER)
    assert slow.status is ProgressStatus.MODERATE  # 1 % a year: between 0.5 % and 1.5 %
    rising_bad = item_progress("K", "value", series((2018, 100), (2020, 104)), None, Direction.LOWER)
    assert rising_bad.status is ProgressStatus.DETERIORATION
    undirected = item_progress("K", "value", series((2018, 100), (2020, 104)), None, Direction.NONE)
    assert undirected.status is ProgressStatus.NOT_AVAILABLE


def test_zero_target_uses_the_open_sdg_replacement_and_projects_nothing() -> None:
    p = item_progress("K", "value", series((2018, 10), (2022, 5)), target(0, "lower"))
    assert p.progress_value == pytest.approx((1 - 0.5**0.25) / (1 - (0.001 / 10) ** (1 / 12)))
    assert p.status is ProgressStatus.LIMITED
    assert p.projected_year is None


def test_zero_base_value_is_replaced() -> None:
    p = item_progress("K", "value", series((2018, 0), (2022, 50)), target(100))
    assert p.status is ProgressStatus.SUBSTANTIAL


def test_passed_target_year_falls_back_to_2030() -> None:
    p = item_progress("K", "value", series((2018, 50), (2022, 60)), target(100, year=2010))
    assert p.target_year == 2030
    missed = item_progress("K", "value", series((2018, 50), (2022, 60)), target(100, year=2020))
    assert missed.target_year == 2030
    ahead = item_progress("K", "value", series((2018, 50), (2022, 60)), target(100, year=2025))
    assert ahead.target_year == 2025


def test_yes_no_progress() -> None:
    yes = Target(kpi="K", value=True, direction=TargetDirection.YES, source="t")
    answers = [(2018, make_result("K", text="no")), (2022, make_result("K", text="yes"))]
    assert item_progress("K", "value", answers, yes).status is ProgressStatus.TARGET_ACHIEVED
    lost = [(2018, make_result("K", text="yes")), (2022, make_result("K", text="no"))]
    assert item_progress("K", "value", lost, yes).status is ProgressStatus.DETERIORATION


def test_projected_year_formula() -> None:
    assert projected_year(2015, 50, 2020, 60, 100) == pytest.approx(2034.0089, abs=1e-3)
    assert projected_year(2015, 50, 2020, 50, 100) is None
    # a pace this slow (1 % in five years) reaches 100 in about 2363: no forecast past the horizon
    assert projected_year(2015, 50, 2020, 50.5, 100) is None
    assert projected_year(2020, 50, 2025, 55, 100) == pytest.approx(2020 + 5 * math.log(2) / math.log(1.1))  # ~2056
    assert projected_year(2020, 2, 2024, 2.0001, 2.1) is None  # the pace behind "20401346"


def test_city_progress_over_assessments_and_group_mean() -> None:
    book = TargetBook([TargetSet(id="t", name="t", targets=[target(100)])])
    years = [
        make_assessment([make_result("K", 50), make_result("L", 10)], year=2018),
        make_assessment([make_result("K", 101), make_result("L", 8)], year=2022),
    ]
    result = progress(years, book, {("L", "value"): Direction.HIGHER})
    assert result.years == [2018, 2022]
    k, ll = result.item("K", "value"), result.item("L", "value")
    assert k is not None and k.status is ProgressStatus.TARGET_ACHIEVED
    assert ll is not None and ll.status is ProgressStatus.DETERIORATION
    city = result.group()
    assert city is not None and city.counted == 2
    assert city.score == pytest.approx((5 + ll.score) / 2)  # type: ignore[operator]
    category = result.group("Society and Culture", "Education, Health and Culture", "Education")
    assert category is not None and category.status is not ProgressStatus.TARGET_ACHIEVED


def test_met_then_missed_is_deterioration_without_a_projected_year() -> None:
    # Issue 12: PM10 10 -> 17 µg/m³ against 15 was shown as "Deterioration, target in 2016".
    p = item_progress("K", "pm10", series((2015, 10), (2016, 17)), target(15, "lower"))
    assert p.status is ProgressStatus.DETERIORATION and p.score == -5
    assert p.projected_year is None and p.note == "met the target in 2015, misses it in 2016"
    between = item_progress("K", "value", series((2015, 20), (2017, 14), (2019, 17)), target(15, "lower"))
    assert (
        between.status is ProgressStatus.DETERIORATION and between.note == "met the target in 2017, misses it in 2019"
    )


@pytest.mark.parametrize("direction", ["higher", "lower"])
def test_a_projected_year_is_always_after_the_last_data_year(direction: str) -> None:
    from hypothesis import given
    from hypothesis import strategies as st

    values = st.floats(min_value=0.5, max_value=500, allow_nan=False)

    @given(values, values, values, st.integers(2015, 2024), st.integers(1, 8))
    def check(first: float, last: float, goal: float, start: int, span: int) -> None:
        p = item_progress("K", "value", series((start, first), (start + span, last)), target(goal, direction))
        if p.projected_year is not None:
            assert p.projected_year > start + span
            towards = last > first if direction == "higher" else last < first
            unmet = last < goal if direction == "higher" else last > goal
            assert towards and unmet

    check()


def test_without_a_target_the_item_says_so() -> None:
    judged = item_progress("K", "value", series((2018, 50), (2022, 60)), None, Direction.HIGHER)
    assert judged.status is ProgressStatus.SUBSTANTIAL and not judged.with_target
    assert item_progress("K", "value", series((2018, 50), (2022, 60)), target(100)).with_target
