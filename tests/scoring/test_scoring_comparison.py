"""Fair comparisons, checked by hand: common basis, who is ranked, one cohort per year."""

from __future__ import annotations

import pytest
from scoring_helpers import make_assessment, make_result

from citykpi.model.assessment import ResultStatus
from citykpi.scoring.comparison import RANK_MIN_SHARE, Entrant, compare, entrant
from citykpi.scoring.scorecard import score
from citykpi.scoring.targets import Target, TargetBook, TargetSet

BOOK = TargetBook(
    [
        TargetSet(
            id="t",
            name="t",
            targets=[
                Target.model_validate({"kpi": f"K{i}", "value": 100, "direction": "higher", "source": "test"})
                for i in range(1, 5)
            ],
        )
    ]
)


def city(year: int, *values: float | None, na: tuple[int, ...] = ()) -> Entrant:
    """K1..K4 against a target of 100 (100 -> 4 points, 70 -> 3, 50 -> 2, 20 -> 1); None = not reported."""
    results = [
        make_result(f"K{n}", status=ResultStatus.NOT_APPLICABLE) if n in na else make_result(f"K{n}", v)
        for n, v in enumerate(values, start=1)
    ]
    results.append(make_result("K9", 5.0))  # reported without a benchmark: neither scored nor benchmarked
    return entrant(score(make_assessment(results, year=year), BOOK))


def test_cities_are_ranked_on_the_data_points_every_ranked_city_scored() -> None:
    a = city(2024, 100, 50, 100, None)  # own score 10/12 = 83 %; scored 3 of 4 benchmarked
    b = city(2024, 20, 100, 70, 100)  # own score 12/16 = 75 %; 4 of 4
    c = city(2024, 100, None, None, None)  # own score 100 %, but 1 of 4 benchmarked: shown, not ranked
    (cohort,) = compare([a, b, c])
    assert cohort.year == 2024 and cohort.basis == 3  # K1-K3: K4 is missing from A
    first, second, third = cohort.placings
    # A: 4 + 2 + 4 of 12 on K1-K3; B: 1 + 4 + 3 of 12
    assert (first.index, first.rank, first.percent, first.scored) == (0, 1, pytest.approx(250 / 3), 3)
    assert (second.index, second.rank, second.percent) == (1, 2, pytest.approx(200 / 3))
    # C keeps its common-basis score over the one common data point it has, with no rank
    assert (third.index, third.rank, third.percent, third.scored, third.share) == (2, None, 100.0, 1, 0.25)
    assert [p.index for p in cohort.ranked] == [0, 1] and [p.index for p in cohort.unranked] == [2]


def test_the_threshold_counts_benchmarked_data_points_that_apply() -> None:
    assert RANK_MIN_SHARE == 0.5
    half = city(2024, 100, 100, None, None)  # 2 of 4: exactly at the threshold, ranked
    declared = city(2024, 100, None, None, None, na=(3, 4))  # 1 of 2 that apply: ranked
    below = city(2024, None, None, None, 100.0)  # K4 only; 1 of 4
    assert (half.benchmarked, half.ranked) == (4, True)
    assert (declared.benchmarked, declared.share, declared.ranked) == (2, 0.5, True)
    assert (below.share, below.ranked) == (0.25, False)


def test_years_are_never_ranked_together_and_ties_share_a_rank() -> None:
    old = city(2023, 100, 100, 100, 100)
    x = city(2024, 100, 50, None, None)
    y = city(2024, 50, 100, None, None)
    z = city(2024, 20, 20, 20, None)
    cohorts = compare([old, x, y, z])
    assert [c.year for c in cohorts] == [2024, 2023]  # newest first
    new, previous = cohorts
    assert new.basis == 2  # K1, K2
    assert [(p.index, p.rank) for p in new.placings] == [(1, 1), (2, 1), (3, 3)]
    assert [(p.index, p.rank, p.percent) for p in previous.placings] == [(0, 1, 100.0)]


def test_no_rank_without_a_data_point_in_common() -> None:
    left = city(2024, 100, 100, None, None)
    right = city(2024, None, None, 100, 100)
    (cohort,) = compare([left, right])
    assert cohort.basis == 0 and cohort.ranked == []
    assert [p.percent for p in cohort.placings] == [None, None]
