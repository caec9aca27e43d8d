from __future__ import annotations

import pytest

from citykpi.scoring.rules import Band, band_of, group_percent, percent_of_target
from citykpi.scoring.targets import Target, TargetDirection


def target(value: float | bool, direction: str, worst: float | None = None) -> Target:
    return Target(kpi="X", value=value, direction=TargetDirection(direction), worst=worst, source="test")


@pytest.mark.parametrize(
    ("percent", "band"),
    [
        (0, Band.BELOW_33),
        (32.999, Band.BELOW_33),
        (33, Band.FROM_33_TO_66),  # exact edges belong to the upper band
        (65.9999, Band.FROM_33_TO_66),
        (66, Band.FROM_66_TO_95),
        (94.99, Band.FROM_66_TO_95),
        (95, Band.FROM_95),
        (250, Band.FROM_95),
    ],
)
def test_band_edges_are_lower_inclusive(percent: float, band: Band) -> None:
    assert band_of(percent) is band


def test_float_noise_at_an_edge_does_not_drop_a_band() -> None:
    pct = percent_of_target(19, None, target(20, "higher"))
    assert pct is not None and band_of(pct) is Band.FROM_95
    pct = percent_of_target(3.3, None, target(10, "higher"))  # 32.99999999999999 in floating point
    assert pct is not None and band_of(pct) is Band.FROM_33_TO_66


def test_worked_example_of_the_published_reports() -> None:
    assert group_percent([1, 3, 4, 1]) == 56.25
    assert band_of(56.25) is Band.FROM_33_TO_66
    assert group_percent([3, 4, 2]) == 75.0
    assert band_of(75.0) is Band.FROM_66_TO_95
    assert group_percent([]) is None


def test_higher_is_better_is_value_over_target_and_may_exceed_100() -> None:
    assert percent_of_target(50, None, target(100, "higher")) == 50
    assert percent_of_target(120, None, target(100, "higher")) == 120


def test_lower_is_better_is_target_over_value() -> None:
    assert percent_of_target(10, None, target(5, "lower")) == 50  # PM2.5 10 against WHO 5
    assert percent_of_target(4, None, target(5, "lower")) == 125  # already below the target
    assert percent_of_target(0, None, target(5, "lower")) == 100  # zero value, positive target: met


def test_zero_target_is_met_or_not() -> None:
    assert percent_of_target(0, None, target(0, "lower")) == 100
    assert percent_of_target(0.5, None, target(0, "lower")) == 0
    assert percent_of_target(3, None, target(0, "higher")) == 100


def test_goalposts_with_worst_bound_in_both_directions() -> None:
    assert percent_of_target(20, None, target(5, "lower", worst=35)) == 50
    assert percent_of_target(40, None, target(5, "lower", worst=35)) == 0  # beyond the worst bound: floored
    assert percent_of_target(0.5, None, target(0, "lower", worst=10)) == 95  # zero target graded
    assert percent_of_target(60, None, target(100, "higher", worst=20)) == 50


def test_two_sided_target() -> None:
    assert percent_of_target(0.8, None, target(1.0, "target")) == pytest.approx(80)
    assert percent_of_target(1.2, None, target(1.0, "target")) == pytest.approx(80)
    assert percent_of_target(1.0, None, target(1.0, "target")) == 100
    assert percent_of_target(0.9, None, target(1.0, "target", worst=0.5)) == pytest.approx(80)


def test_yes_no_answers() -> None:
    yes = target(True, "yes")
    assert percent_of_target(None, "Yes", yes) == 100
    assert percent_of_target(None, "no", yes) == 0
    assert percent_of_target(1.0, None, yes) == 100
    assert percent_of_target(None, "partial", yes) == 50  # middle level of yes/partial/no: 2 points
    assert percent_of_target(None, "yes", target(False, "yes")) == 0
    assert percent_of_target(None, "perhaps", yes) is None


def test_target_model_rejects_inconsistent_targets() -> None:
    with pytest.raises(ValueError, match="yes/no"):
        target(True, "higher")
    with pytest.raises(ValueError, match="good side"):
        target(5, "lower", worst=1)
