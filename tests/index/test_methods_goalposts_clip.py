"""Goalposts from data rules, panels (per time point, a reference time point) and clip treatment,
against values computed by hand."""

from __future__ import annotations

import numpy as np
import pytest
from core_helpers import make_index

from citykpi.index import normalise, treat
from citykpi.index.model import Index
from citykpi.model.errors import DiagnosticError

TEN = [float(v) for v in range(1, 11)]


def _normalised(index: Index, **params: object) -> tuple[np.ndarray, dict[str, object]]:
    step = normalise.run(index, normalise.Params.model_validate(params))
    return step.datasets["Normalised"], step.log[-1].summary


def test_sdsn_rule_on_both_directions() -> None:
    # x = 1..10: the 10th percentile (numpy linear) is 1 + 0.1 * 9 = 1.9; the mean of the top 3 is 9.
    # For direction -1 the same rules read -x: worst = 10 - 0.9 = 9.1, best = mean(1, 2, 3) = 2.
    index = make_index({"up": TEN, "down": TEN}, directions={"down": -1})
    rules = {"method": "goalposts", "range": [0, 100], "worst": {"quantile": 0.1}, "best": {"top_mean": 3}}
    y, summary = _normalised(index, **rules)
    x = np.array(TEN)
    np.testing.assert_allclose(y[:, 0], np.clip((x - 1.9) / (9 - 1.9), 0, 1) * 100)
    np.testing.assert_allclose(y[:, 1], np.clip((9.1 - x) / (9.1 - 2), 0, 1) * 100)
    assert summary["goalposts"] == {"up": pytest.approx([1.9, 9.0]), "down": pytest.approx([9.1, 2.0])}


def test_rules_numbers_min_max_and_per_indicator() -> None:
    index = make_index({"a": TEN, "b": TEN})
    y, summary = _normalised(
        index,
        method="goalposts",
        worst="min",
        best="max",
        indicators={"b": {"worst": 3, "best": {"bottom_mean": 10}}},  # mean of all ten = 5.5
    )
    np.testing.assert_allclose(y[:, 0], (np.array(TEN) - 1) / 9)
    np.testing.assert_allclose(y[:, 1], np.clip((np.array(TEN) - 3) / 2.5, 0, 1))
    assert summary["goalposts"]["b"] == pytest.approx([3.0, 5.5])


def test_rule_takes_one_kind_only() -> None:
    with pytest.raises(ValueError, match="exactly one of quantile"):
        normalise.Params.model_validate({"method": "goalposts", "worst": {"quantile": 0.1, "top_mean": 2}})
    with pytest.raises(DiagnosticError, match="need 'upper' or 'best'"):
        normalise.run(make_index({"a": TEN}), normalise.Params(method="goalposts", worst="min"))


def _panel() -> Index:
    # Two units over 2020 and 2021; 2021 values are all 10 higher.
    return make_index(
        {"a": [1.0, 3.0, 11.0, 13.0]}, units=["A", "B", "A", "B"], columns={"Time": [2020, 2020, 2021, 2021]}
    )


def test_per_time_point_and_pooled_bounds() -> None:
    pooled, _ = _normalised(_panel(), method="minmax")
    np.testing.assert_allclose(pooled[:, 0], [0, 2 / 12 * 100, 10 / 12 * 100, 100])
    per_time, _ = _normalised(_panel(), method="minmax", per="time")
    np.testing.assert_allclose(per_time[:, 0], [0, 100, 0, 100])
    rules, summary = _normalised(_panel(), method="goalposts", worst="min", best="max", per="time")
    np.testing.assert_allclose(rules[:, 0], [0, 1, 0, 1])
    assert summary["goalposts"] == {"a": {"2020": [1.0, 3.0], "2021": [11.0, 13.0]}}


def test_reference_time_fixes_the_bounds() -> None:
    # minmax with 2020's bounds [1, 3]: 2021 leaves [0, 100] as it improves, unclipped.
    y, summary = _normalised(_panel(), method="minmax", reference_time=2020)
    np.testing.assert_allclose(y[:, 0], [0, 100, 500, 600])
    assert summary["goalposts"] == {"a": [1.0, 3.0]}
    with pytest.raises(DiagnosticError, match="method zscore has none to fix"):
        _normalised(_panel(), method="zscore", reference_time=2020)
    with pytest.raises(DiagnosticError, match="no rows for reference_time 2019"):
        _normalised(_panel(), method="minmax", reference_time=2019)
    with pytest.raises(DiagnosticError, match="needs a Time column"):
        _normalised(make_index({"a": TEN}), method="minmax", per="time")


def test_clip_at_quantiles_and_bounds() -> None:
    index = make_index({"a": TEN, "b": TEN})
    params = treat.Params.model_validate(
        {"method": "clip", "quantiles": [0.1, 0.9], "indicators": {"b": {"quantiles": None, "bounds": [2.5, None]}}}
    )
    step = treat.run(index, params)
    y = step.datasets["Treated"]
    np.testing.assert_allclose(y[:, 0], np.clip(TEN, 1.9, 9.1))
    np.testing.assert_allclose(y[:, 1], np.clip(TEN, 2.5, None))
    assert step.flags["treated"][:, 0].sum() == 2 and step.flags["treated"][:, 1].sum() == 2
    details = step.log[-1].summary["treated_indicators"]
    assert details["a"]["caps"] == pytest.approx([1.9, 9.1]) and details["b"]["caps"] == [2.5, None]


def test_clip_needs_one_kind_of_caps() -> None:
    with pytest.raises(ValueError, match="exactly one of 'quantiles'"):
        treat.Params(method="clip")
    with pytest.raises(ValueError, match="bounds must be increasing"):
        treat.Params.model_validate({"method": "clip", "bounds": [3, 1]})


def test_reference_time_resolves_rules_on_the_base_year() -> None:
    # 2020 values 1 and 3: worst = min = 1, best = top_mean 1 = 3; applied to 2021 (11, 13), clipped.
    y, summary = _normalised(_panel(), method="goalposts", worst="min", best={"top_mean": 1}, reference_time=2020)
    np.testing.assert_allclose(y[:, 0], [0, 1, 1, 1])
    assert summary["goalposts"] == {"a": [1.0, 3.0]}
