"""Outlier treatment: estimators, the OR test, winsorisation, log_CT, Box-Cox and overrides."""

from __future__ import annotations

import numpy as np
import pytest
from core_helpers import make_index
from scipy import stats

from citykpi.index import treat

OUTLIERS = np.r_[np.arange(1.0, 11.0), 30.0, 100.0]  # the reference's own example vector


def _treated(columns: dict[str, np.ndarray], **params: object) -> tuple[np.ndarray, dict[str, object]]:
    index = make_index({k: list(v) for k, v in columns.items()})
    out = treat.run(index, treat.Params.model_validate(params))
    return out.datasets["Treated"], out.log[-1].summary | {"flags": out.flags["treated"]}


def test_skew_and_kurtosis_are_the_type_2_estimators() -> None:
    rng = np.random.default_rng(3)
    x = rng.lognormal(size=(40, 3))
    x[5, 1] = np.nan
    sk, ku = treat.skew_kurt(x)
    for j in range(3):
        col = x[~np.isnan(x[:, j]), j]
        assert np.isclose(sk[j], stats.skew(col, bias=False))
        assert np.isclose(ku[j], stats.kurtosis(col, bias=False))
    # the reference's example: skew 3.063, kurtosis 9.741 (Excel SKEW/KURT)
    sk1, ku1 = treat.skew_kurt(OUTLIERS[:, None])
    assert round(float(sk1[0]), 3) == 3.063 and round(float(ku1[0]), 3) == 9.741


def test_test_passes_if_either_statistic_is_within_bounds() -> None:
    x = OUTLIERS[:, None]  # skew 3.06, kurtosis 9.74
    assert not treat.passes(x, np.array([2.0]), np.array([3.5]))[0]
    assert treat.passes(x, np.array([4.0]), np.array([3.5]))[0]  # skew within bounds only
    assert treat.passes(x, np.array([2.0]), np.array([10.0]))[0]  # kurtosis within bounds only


def test_winsorisation_replaces_the_largest_value_until_the_test_passes() -> None:
    y, summary = _treated({"a": OUTLIERS})
    np.testing.assert_array_equal(y[:, 0], np.r_[np.arange(1.0, 11.0), 30.0, 30.0])
    assert summary["winsorised_points"] == 1
    assert summary["flags"][:, 0].tolist() == [False] * 11 + [True]
    sk, ku = treat.skew_kurt(y)  # the logged statistics describe the treated column
    details = summary["treated_indicators"]["a"]  # type: ignore[index]
    assert np.isclose(details["skew"], sk[0]) and np.isclose(details["kurt"], ku[0])


def test_log_ct_on_the_original_data_when_winsorisation_is_not_enough() -> None:
    x = np.r_[np.ones(20), 2.0, 50.0, 1000.0, 1e5]
    y, summary = _treated({"a": x}, winmax=1)
    expected = np.log(x - x.min() + 0.01 * (x.max() - x.min()))
    np.testing.assert_allclose(y[:, 0], expected)
    assert summary["treated_indicators"]["a"]["f2"] == "log_CT"
    assert not summary["flags"].any()  # winsorised points undone: log_CT applies to the original


FORCED = np.r_[2.0, np.arange(2.0, 11.0), 10.0, 10.0]


def test_force_win_winsorises_winmax_points() -> None:
    # passes after one point, but forced on: 100 -> 30, both 30s -> 10, then the skew turns
    # negative and the minimum 1 -> 2: three points, as the reference counts them
    y, summary = _treated({"a": OUTLIERS}, winmax=3, force_win=True)
    np.testing.assert_array_equal(y[:, 0], FORCED)
    assert summary["winsorised_points"] == 3


def test_per_indicator_overrides_and_none() -> None:
    cols = {"a": OUTLIERS, "b": OUTLIERS.copy(), "c": OUTLIERS.copy()}
    y, _ = _treated(cols, indicators={"b": "none", "c": {"winmax": 3, "force_win": True}})
    np.testing.assert_array_equal(y[:, 0], np.r_[np.arange(1.0, 11.0), 30.0, 30.0])
    np.testing.assert_array_equal(y[:, 1], OUTLIERS)
    np.testing.assert_array_equal(y[:, 2], FORCED)


def test_box_cox_as_treatment_with_fixed_and_fitted_lambda() -> None:
    # values are first shifted to x - min + 1 (= x here, min is 1)
    y, _ = _treated({"a": OUTLIERS}, f1="boxcox", f2="none", boxcox_lambda=0.5)
    np.testing.assert_allclose(y[:, 0], (np.sqrt(OUTLIERS) - 1) / 0.5)
    shifted, _ = treat.boxcox(OUTLIERS[:, None] - 5, 0.5)
    np.testing.assert_allclose(shifted[:, 0], (np.sqrt(OUTLIERS) - 1) / 0.5)
    fitted, lam = treat.boxcox(OUTLIERS[:, None], None)
    expected, expected_lam = stats.boxcox(OUTLIERS)
    np.testing.assert_allclose(fitted[:, 0], expected)
    assert np.isclose(lam[0], expected_lam)


def test_negative_skew_is_winsorised_from_below() -> None:
    y, _ = _treated({"a": -OUTLIERS})
    np.testing.assert_array_equal(y[:, 0], -np.r_[np.arange(1.0, 11.0), 30.0, 30.0])


def test_columns_passing_the_test_are_untouched() -> None:
    x = np.arange(1.0, 13.0)
    y, summary = _treated({"a": x})
    np.testing.assert_array_equal(y[:, 0], x)
    assert summary["treated_indicators"] == {}


def _reference_winsorise(x: np.ndarray, winmax: int, force: bool) -> np.ndarray:
    """The reference's loop, literally: one column, replace the extreme tie set by the next value."""
    x = x.copy()
    ok = ~np.isnan(x)
    passing = bool(treat.passes(x[:, None], np.array([2.0]), np.array([3.5]))[0])
    if passing:
        return x
    n_win, i_max, i_min = 0, np.array([], dtype=int), np.array([], dtype=int)
    while (not passing or force) and n_win < winmax:
        v = x[ok]
        if treat.skew_kurt(x[:, None])[0][0] >= 0:
            i_max = np.flatnonzero(ok & (x == v.max()))
            x[i_max] = v[v < v.max()].max()
        else:
            i_min = np.flatnonzero(ok & (x == v.min()))
            x[i_min] = v[v > v.min()].min()
        n_win = len(i_max) + len(i_min)
        passing = bool(treat.passes(x[:, None], np.array([2.0]), np.array([3.5]))[0])
    return x


@pytest.mark.parametrize("seed", range(6))
def test_fast_winsorisation_equals_the_literal_algorithm(seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = np.round(rng.lognormal(sigma=1.5, size=(60, 8)), 1)  # rounding makes ties
    x[rng.random(x.shape) < 0.1] = np.nan
    x[:, 3] = -x[:, 3]  # negative skew
    winmax = np.array([1, 2, 3, 5, 5, 8, 10, 4], dtype=float)
    force = np.array([False, False, True, False, True, False, False, False])
    y, mask = treat.winsorise(x, winmax, force, np.full(8, 2.0), np.full(8, 3.5))
    for j in range(8):
        expected = _reference_winsorise(x[:, j], int(winmax[j]), bool(force[j]))
        np.testing.assert_array_equal(y[:, j], expected, err_msg=f"column {j}")
        np.testing.assert_array_equal(mask[:, j], ~np.isnan(x[:, j]) & (x[:, j] != expected))


def test_log_ct_plus_mirrors_negative_skew_keeping_the_order() -> None:
    x = -np.r_[np.ones(20), 2.0, 50.0, 1000.0, 1e5]
    y, summary = _treated({"a": x}, winmax=1, f2="log_CT_plus")
    span = x.max() - x.min()
    np.testing.assert_allclose(y[:, 0], -np.log(x.max() - x + 0.01 * span))
    assert summary["treated_indicators"]["a"]["f2"] == "log_CT_plus"
    assert np.all(np.diff(y[np.argsort(x), 0]) >= 0)  # larger raw value, larger treated value


def test_cases_of_the_reference_test_suite() -> None:
    # COINr tests/testthat/test-treat.R, re-stated: one outlier is pulled to the next value and passes
    x = np.r_[np.arange(1.0, 11.0), 100.0]
    y, _ = _treated({"a": x}, winmax=5)
    np.testing.assert_array_equal(y[:, 0], np.r_[np.arange(1.0, 11.0), 10.0])
    # two outliers, winmax 1 and no second treatment: still failing
    x = np.r_[np.arange(1.0, 21.0), 100.0, 200.0]
    y, summary = _treated({"a": x}, winmax=1, f2="none")
    assert summary["failing_after"] == ["a"]
    # forced winsorisation with winmax 3 treats exactly 3 points
    y, summary = _treated({"a": x}, winmax=3, force_win=True)
    assert summary["winsorised_points"] == 3
    # 200 -> 100, both 100s -> 20, then the skew is negative and 1 -> 2
    np.testing.assert_array_equal(y[:, 0], np.r_[2.0, np.arange(2.0, 21.0), 20.0, 20.0])


def test_combine_applies_f2_to_the_winsorised_column() -> None:
    x = np.r_[np.ones(20), 2.0, 50.0, 1000.0, 1e5]
    y, summary = _treated({"a": x, "b": x.copy()}, winmax=1, indicators={"b": {"combine": True}})
    np.testing.assert_allclose(y[:, 0], np.log(x - x.min() + 0.01 * (x.max() - x.min())))
    w = np.r_[np.ones(20), 2.0, 50.0, 1000.0, 1000.0]  # b: the largest value winsorised first
    np.testing.assert_allclose(y[:, 1], np.log(w - w.min() + 0.01 * (w.max() - w.min())))
    assert summary["flags"][:, 1].sum() == 1 and not summary["flags"][:, 0].any()


def test_box_cox_lambda_per_indicator() -> None:
    cols = {"a": OUTLIERS, "b": OUTLIERS.copy()}
    y, _ = _treated(cols, f1="boxcox", f2="none", boxcox_lambda=0.5, indicators={"b": {"boxcox_lambda": 0.0}})
    np.testing.assert_allclose(y[:, 0], (np.sqrt(OUTLIERS) - 1) / 0.5)
    np.testing.assert_allclose(y[:, 1], np.log(OUTLIERS))
