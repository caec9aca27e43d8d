"""Aggregation methods against hand-computed values."""

from __future__ import annotations

import numpy as np
import pytest
from core_helpers import make_index

from citykpi.index import aggregate
from citykpi.index.model import AGGREGATED, Index
from citykpi.model.errors import DiagnosticError

NAN = np.nan


def _two_level(a: list[float], b: list[float], wa: float = 1.0, wb: float = 3.0) -> Index:
    return make_index({"a": a, "b": b}, parents={"a": "P", "b": "P", "P": None}, weights={"a": wa, "b": wb})


def _top(index: Index, **params: object) -> np.ndarray:
    return aggregate.run(index, aggregate.Params.model_validate(params)).datasets[AGGREGATED][:, -1]


def test_weighted_means() -> None:
    index = _two_level([1.0, 4.0], [4.0, 16.0])  # weights 1 and 3
    np.testing.assert_allclose(_top(index), [(1 + 12) / 4, (4 + 48) / 4])
    np.testing.assert_allclose(_top(index, method="geometric"), [4 ** (3 / 4), 4**0.25 * 16**0.75])
    np.testing.assert_allclose(_top(index, method="harmonic"), [4 / (1 + 3 / 4), 4 / (1 / 4 + 3 / 16)])
    np.testing.assert_allclose(_top(index, method="genmean", p=2), [np.sqrt((1 + 48) / 4), np.sqrt((16 + 768) / 4)])


def test_missing_children_dropped_and_weights_renormalised() -> None:
    index = _two_level([NAN, 2.0, NAN], [6.0, NAN, NAN])
    np.testing.assert_allclose(_top(index), [6, 2, NAN])
    np.testing.assert_allclose(_top(index, threshold=0.6), [NAN, NAN, NAN])
    np.testing.assert_allclose(_top(index, threshold=0.5), [6, 2, NAN])


def test_weighted_median() -> None:
    index = make_index(
        {"a": [1.0, 1.0], "b": [2.0, 2.0], "c": [10.0, NAN]},
        parents={"a": "P", "b": "P", "c": "P", "P": None},
        weights={"a": 1, "b": 1, "c": 3},
    )
    # unit 1: cumulative weights 0.2, 0.4, 1.0 -> 10; unit 2: a and b only, half at 1 -> mean of 1 and 2
    np.testing.assert_allclose(_top(index, method="median"), [10, 1.5])


def test_copeland_outranking() -> None:
    index = make_index(
        {"a": [3.0, 2.0, 1.0], "b": [1.0, 2.0, 3.0], "c": [2.0, 2.0, 2.0]},
        parents={"a": "P", "b": "P", "c": "P", "P": None},
        weights={"a": 2, "b": 1, "c": 1},
    )
    # U1 vs U2: a wins (2/4), b loses, c ties (0.5/4) -> 0.625 > 0.5; U1 vs U3: 2/4 + 0.5/4 = 0.625;
    # U2 vs U3: a wins 2/4, c tie 0.5/4 -> 0.625. Scores: U1 +2, U2 0, U3 -2.
    np.testing.assert_allclose(_top(index, method="copeland"), [2, 0, -2])


def test_method_per_level_and_per_node() -> None:
    index = make_index(
        {"a": [1.0], "b": [4.0], "c": [1.0], "d": [9.0]},
        parents={"a": "P", "b": "P", "c": "Q", "d": "Q", "P": "T", "Q": "T", "T": None},
    )
    out = aggregate.run(
        index,
        aggregate.Params.model_validate({"method": "arithmetic", "nodes": {"Q": {"method": "geometric"}}}),
    )
    cols = out.columns(AGGREGATED)
    agg = out.datasets[AGGREGATED][0]
    assert agg[cols.index("P")] == pytest.approx(2.5)
    assert agg[cols.index("Q")] == pytest.approx(3.0)
    assert agg[cols.index("T")] == pytest.approx(2.75)
    per_level = aggregate.run(index, aggregate.Params.model_validate({"levels": {3: {"method": "geometric"}}}))
    assert per_level.datasets[AGGREGATED][0, -1] == pytest.approx(np.sqrt(2.5 * 5.0))


def test_zero_values_in_geometric_mean_error_or_shift() -> None:
    index = _two_level([0.0, 2.0], [4.0, 8.0], wa=1, wb=1)
    with pytest.raises(DiagnosticError) as err:
        _top(index, method="geometric")
    assert "needs positive values" in err.value.diagnostics[0].message
    assert "U1" in err.value.diagnostics[0].message
    # shift: node minimum 0 -> every child + 1
    np.testing.assert_allclose(_top(index, method="geometric", zeros="shift"), [np.sqrt(1 * 5), np.sqrt(3 * 9)])


def test_batched_kernel_with_batched_weights() -> None:
    rng = np.random.default_rng(0)
    x = rng.uniform(1, 2, size=(5, 7, 4))
    w = rng.uniform(0.5, 1.5, size=(5, 4))
    plan = aggregate.LevelPlan(
        2, np.array([[1.0, 0], [1, 0], [0, 1], [0, 1]]), ("arithmetic", "geometric"), (1, 1), np.zeros(2)
    )
    batched = aggregate.aggregate_level(x, w, plan)
    for r in range(5):
        np.testing.assert_allclose(batched[r], aggregate.aggregate_level(x[r], w[r], plan))


def test_unknown_node_and_weight_set_are_reported() -> None:
    index = _two_level([1.0], [2.0])
    with pytest.raises(DiagnosticError) as err:
        _top(index, nodes={"Nope": {"method": "geometric"}}, weights="missing")
    messages = " ".join(d.message for d in err.value.diagnostics)
    assert "Nope" in messages and "missing" in messages


def test_availability_threshold_per_node() -> None:
    index = make_index(
        {"a": [1.0], "b": [np.nan], "c": [3.0], "d": [5.0]},
        parents={"a": "P", "b": "P", "c": "Q", "d": "Q", "P": "T", "Q": "T", "T": None},
    )
    out = aggregate.run(index, aggregate.Params.model_validate({"nodes": {"P": {"threshold": 0.75}}}))
    cols = out.columns(AGGREGATED)
    row = out.datasets[AGGREGATED][0]
    assert np.isnan(row[cols.index("P")]) and row[cols.index("Q")] == 4.0
    assert row[cols.index("T")] == 4.0  # P missing: T is the mean of the available Q
