"""Imputation methods against hand-computed values; observed cells never change, imputed ones are flagged."""

from __future__ import annotations

import numpy as np
import pytest
from core_helpers import make_index

from citykpi.index import impute
from citykpi.index.model import Index
from citykpi.model.errors import DiagnosticError

NAN = np.nan


def _imputed(index: Index, **params: object) -> tuple[np.ndarray, np.ndarray]:
    out = impute.run(index, impute.Params.model_validate(params))
    y = out.datasets["Imputed"]
    x = index.datasets["Raw"]
    observed = ~np.isnan(x)
    np.testing.assert_array_equal(y[observed], x[observed])
    np.testing.assert_array_equal(out.flags["imputed"], np.isnan(x) & ~np.isnan(y))
    return y, out.flags["imputed"]


def test_column_mean_and_median() -> None:
    index = make_index({"a": [1.0, NAN, 3.0, 10.0], "b": [NAN, NAN, NAN, NAN]})
    y, flags = _imputed(index)
    np.testing.assert_allclose(y[:, 0], [1, 14 / 3, 3, 10])
    assert np.isnan(y[:, 1]).all() and flags.sum() == 1
    y, _ = _imputed(index, method="median")
    np.testing.assert_allclose(y[:, 0], [1, 3, 3, 10])


def test_group_mean_and_median() -> None:
    index = make_index(
        {"a": [1.0, NAN, 5.0, NAN, 7.0, 100.0]},
        columns={"Region_group": ["x", "x", "y", "y", "y", "y"]},
    )
    y, _ = _imputed(index, method="mean_group", group="Region_group")
    np.testing.assert_allclose(y[:, 0], [1, 1, 5, 112 / 3, 7, 100])
    y, _ = _imputed(index, method="median_group", group="Region_group")
    np.testing.assert_allclose(y[:, 0], [1, 1, 5, 7, 7, 100])


def test_row_mean_within_framework_group() -> None:
    index = make_index(
        {"a": [0.0, 10.0, 5.0], "b": [0.0, 20.0, NAN], "c": [1.0, NAN, 3.0]},
        parents={"a": "P", "b": "P", "c": "Q", "P": "T", "Q": "T", "T": None},
    )
    y, _ = _imputed(index, method="row", normalise_first=False)
    assert y[2, 1] == 5.0  # mean of the unit's other P indicator
    assert np.isnan(y[1, 2])  # Q has no other indicator for that unit
    y, _ = _imputed(index, method="row", normalise_first=True)
    # a of unit 3 is 0.5 of a's range -> b imputed at 0.5 of b's range [0, 20]
    assert y[2, 1] == pytest.approx(10.0)


def test_panel_carry_forward_and_linear_interpolation() -> None:
    index = make_index(
        {"a": [1.0, NAN, NAN, 4.0, NAN, 7.0, NAN]},
        units=["A", "A", "A", "A", "B", "B", "B"],
        columns={"Time": [2018, 2019, 2020, 2021, 2019, 2020, 2022]},
    )
    y, _ = _imputed(index, method="carry_forward")
    np.testing.assert_allclose(y[:, 0], [1, 1, 1, 4, NAN, 7, 7])
    y, _ = _imputed(index, method="carry_forward", max_time=1)
    np.testing.assert_allclose(y[:, 0], [1, 1, NAN, 4, NAN, 7, NAN])
    y, _ = _imputed(index, method="linear")
    np.testing.assert_allclose(y[:, 0], [1, 2, 3, 4, 7, 7, 7])
    y, _ = _imputed(index, method="linear", extrapolate=False)
    np.testing.assert_allclose(y[:, 0], [1, 2, 3, 4, NAN, 7, NAN])


def test_panel_rows_in_any_order() -> None:
    index = make_index(
        {"a": [4.0, NAN, 1.0, NAN]}, units=["A", "A", "A", "A"], columns={"Time": [2021, 2020, 2018, 2019]}
    )
    y, _ = _imputed(index, method="linear")
    np.testing.assert_allclose(y[:, 0], [4, 3, 1, 2])


def test_clear_errors() -> None:
    index = make_index({"a": [1.0, NAN]})
    with pytest.raises(DiagnosticError, match="needs a Time column"):
        impute.run(index, impute.Params(method="linear"))
    with pytest.raises(DiagnosticError, match="no unit group column 'Nope'"):
        impute.run(index, impute.Params(method="mean_group", group="Nope"))
    with pytest.raises(ValueError, match="needs 'group'"):
        impute.Params(method="mean_group")
