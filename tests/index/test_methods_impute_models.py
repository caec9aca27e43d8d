"""k-nearest-neighbour and EM imputation, and the imputation-quality report, against hand values."""

from __future__ import annotations

import numpy as np
import pytest
from core_helpers import make_index

from citykpi.index import impute, impute_models

NAN = np.nan


def test_knn_takes_the_nearest_units_on_standardised_indicators() -> None:
    # Distance is over a only for U3 (b missing): nearest are U2 (|3-2|) and U1 (|3-1|).
    x = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, NAN], [10.0, 100.0]])
    np.testing.assert_allclose(impute_models.knn(x, k=2)[2, 1], 15.0)
    np.testing.assert_allclose(impute_models.knn(x, k=1)[2, 1], 20.0)


def test_knn_standardises_before_measuring() -> None:
    # Raw distance would be dominated by b (units of 1000): U3 is close to U1 on a standardised b
    # but close to U2 on raw a. Standardised: a sd 1, b sd 1000 -> U1 is nearer overall.
    x = np.array([[0.0, 0.0, 5.0], [1.0, 2000.0, 7.0], [1.5, 100.0, NAN], [3.0, 1000.0, 9.0]])
    z = (x[:, :2] - np.nanmean(x[:, :2], axis=0)) / np.nanstd(x[:, :2], axis=0, ddof=1)
    nearest = int(np.argmin([np.sum((z[2] - z[i]) ** 2) if i != 2 else np.inf for i in range(4)]))
    assert impute_models.knn(x, k=1)[2, 2] == x[nearest, 2]


def test_em_matches_the_complete_case_regression_on_a_monotone_pattern() -> None:
    # With b missing only, the EM maximum-likelihood conditional mean of b given a is the
    # least-squares line fitted on the complete rows (Little & Rubin 2002, 7.2).
    a = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    b = np.array([2.1, 3.9, 6.2, 7.8, NAN, NAN])
    slope, intercept = np.polyfit(a[:4], b[:4], 1)
    got = impute_models.em(np.column_stack([a, b]), tol=1e-12, max_iter=5000)
    np.testing.assert_allclose(got[4:, 1], intercept + slope * a[4:], rtol=1e-6)
    np.testing.assert_array_equal(got[:4], np.column_stack([a, b])[:4])


def test_quality_report_against_recomputed_errors() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(30, 3))
    seen: list[np.ndarray] = []

    def column_mean(m: np.ndarray) -> np.ndarray:
        seen.append(m.copy())
        return np.where(np.isnan(m), np.nanmean(m, axis=0), m)

    report = impute_models.quality(x, column_mean, share=0.2, seed=4)
    masked = seen[0]
    for c, r in report.items():
        rows = np.flatnonzero(np.isnan(masked[:, c]))
        truth, guess = x[rows, c], np.nanmean(masked[:, c])
        assert r["hidden"] == rows.size == 6
        assert r["rmse"] == pytest.approx(np.sqrt(np.mean((guess - truth) ** 2)))
        assert r["mae"] == pytest.approx(np.mean(np.abs(guess - truth)))
        assert r["r2"] == pytest.approx(1 - np.sum((guess - truth) ** 2) / np.sum((truth - truth.mean()) ** 2))


def test_step_reports_quality_per_indicator() -> None:
    a = [float(v) for v in range(1, 21)]
    index = make_index({"a": a, "b": [2 * v + 1 for v in a[:-2]] + [NAN, NAN], "c": [v - 3 for v in a]})
    step = impute.run(index, impute.Params(method="em", quality=True, quality_share=0.2))
    y = step.datasets["Imputed"]
    np.testing.assert_allclose(y[-2:, 1], [39.0, 41.0], rtol=1e-6)  # b = 2a + 1 exactly
    quality = step.log[-1].summary["quality"]
    assert set(quality) == {"a", "b", "c"}
    assert all(q["r2"] == pytest.approx(1.0) and q["rmse"] < 1e-6 for q in quality.values())
    knn = impute.run(index, impute.Params(method="knn", k=2)).datasets["Imputed"]
    np.testing.assert_allclose(knn[-2:, 1], [(35 + 37) / 2, (35 + 37) / 2])
