"""Unit screening (overall and per group) and denomination against hand-computed cases."""

from __future__ import annotations

import numpy as np
import pytest
from core_helpers import make_index

from citykpi.index import denominate, screen
from citykpi.index.model import Index
from citykpi.model.errors import DiagnosticError

NAN = np.nan


def _framework() -> Index:
    # P = {a, b}, Q = {c, d}; U1 complete, U2 misses all of P, U3 misses one indicator, U4 has zeros
    return make_index(
        {
            "a": [1.0, NAN, 1.0, 0.0],
            "b": [1.0, NAN, NAN, 0.0],
            "c": [1.0, 1.0, 1.0, 0.0],
            "d": [1.0, 1.0, 1.0, 5.0],
        },
        parents={"a": "P", "b": "P", "c": "Q", "d": "Q", "P": "T", "Q": "T", "T": None},
    )


def _kept(index: Index, **params: object) -> list[str]:
    out = screen.run(index, screen.Params.model_validate(params))
    assert all(v.shape[0] == len(out.units) for v in out.datasets.values())
    assert set(out.removed_units) == set(index.units) - set(out.units)
    return out.units


def test_overall_availability() -> None:
    index = _framework()
    assert _kept(index, threshold=0.5) == ["U1", "U2", "U3", "U4"]
    assert _kept(index, threshold=0.75) == ["U1", "U3", "U4"]
    assert _kept(index, threshold=1.0) == ["U1", "U4"]


def test_per_group_availability() -> None:
    index = _framework()
    # U2 has 50 % overall but 0 % in P
    assert _kept(index, threshold=0.5, group_level=2, group_threshold=0.5) == ["U1", "U3", "U4"]
    assert _kept(index, threshold=0.5, group_level=2, group_threshold=0.6) == ["U1", "U4"]


def test_zeros_and_forced_units() -> None:
    index = _framework()
    assert _kept(index, by="zeros", nonzero_threshold=0.5) == ["U1", "U2", "U3"]
    assert _kept(index, by="NAandzeros", threshold=0.75, nonzero_threshold=0.5) == ["U1", "U3"]
    assert _kept(index, threshold=1.0, include=["U2"], exclude=["U1"]) == ["U2", "U4"]


def test_screen_errors() -> None:
    with pytest.raises(DiagnosticError) as err:
        screen.run(_framework(), screen.Params(include=["Nowhere"], group_level=2))
    fields = {d.location.field for d in err.value.diagnostics}
    assert fields == {"include", "group_level"}


def test_denominate_by_metadata_and_override_with_scale() -> None:
    index = make_index(
        {"a": [10.0, 20.0, 30.0], "b": [4.0, NAN, 6.0]},
        columns={"Pop": [2.0, 4.0, 0.0], "Area": [1.0, 2.0, 3.0]},
        meta_extra={"a": {"Denominator": "Pop"}},
    )
    out = denominate.run(index, denominate.Params())
    y = out.datasets["Denominated"]
    np.testing.assert_allclose(y[:, 0], [5, 5, NAN])  # zero population -> missing, not infinite
    np.testing.assert_allclose(y[:, 1], [4, NAN, 6])
    assert out.log[-1].summary["missing_or_zero_denominator"] == {"a": 1}
    out = denominate.run(index, denominate.Params(denominators={"a": None, "b": "Area"}, scale={"b": 100}))
    y = out.datasets["Denominated"]
    np.testing.assert_allclose(y[:, 0], [10, 20, 30])
    np.testing.assert_allclose(y[:, 1], [400, NAN, 200])


def test_denominate_unknown_denominator() -> None:
    index = make_index({"a": [1.0]}, columns={"Pop": [1.0]}, meta_extra={"a": {"Denominator": "Pop"}})
    with pytest.raises(DiagnosticError, match="'GDP' is not a column"):
        denominate.run(index, denominate.Params(denominators={"a": "GDP"}))
