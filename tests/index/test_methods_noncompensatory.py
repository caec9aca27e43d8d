"""Mazziotta-Pareto, adjusted MPI, Benefit-of-the-Doubt (plain, share-bounded, robust) and TOPSIS
against values computed by hand or by an independent formula written out in the test."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from core_helpers import make_index
from pymcdm.methods import TOPSIS
from pymcdm.normalizations import vector_normalization

from citykpi.index import aggregate, noncompensatory
from citykpi.index.model import AGGREGATED, Index
from citykpi.index.sensitivity.replicate import Replicator
from citykpi.model.errors import DiagnosticError

NAN = np.nan


def _index(**columns: list[float]) -> Index:
    return make_index(columns, parents={**{c: "P" for c in columns}, "P": None})


def _top(index: Index, **params: object) -> np.ndarray:
    return aggregate.run(index, aggregate.Params.model_validate(params)).datasets[AGGREGATED][:, -1]


def test_mpi_by_hand() -> None:
    # a = 1, 2, 3 (population sd sqrt(2/3)) -> z = 100 -/+ 10 * sqrt(3/2); b mirrored.
    # Unit 1: z = (87.75, 112.25): M = 100, S = 10 sqrt(3/2), S * cv = S^2 / M = 1.5.
    index = _index(a=[1.0, 2.0, 3.0], b=[3.0, 2.0, 1.0])
    np.testing.assert_allclose(_top(index, method="mpi"), [98.5, 100.0, 98.5])
    np.testing.assert_allclose(_top(index, method="mpi", penalty="positive"), [101.5, 100.0, 101.5])


def test_ampi_by_hand() -> None:
    # a: range 0..10, mean 5 -> goalposts [0, 10] -> r = 70, 100, 130.
    # b with reference 5: goalposts [0, 10] -> r = 130, 130, 70.
    index = _index(a=[0.0, 5.0, 10.0], b=[10.0, 10.0, 0.0])
    got = _top(index, method="ampi", references={"b": 5.0})
    np.testing.assert_allclose(got, [100 - 30**2 / 100, 115 - 15**2 / 115, 100 - 30**2 / 100])
    # Default reference of b is its mean 20/3: goalposts [5/3, 35/3] -> r = 120, 120, 60.
    m, s = (70 + 120) / 2, 25.0
    np.testing.assert_allclose(_top(index, method="ampi")[0], m - s * s / m)


BOD_DATA = {"a": [1.0, 0.5, 0.6, 0.4], "b": [0.5, 1.0, 0.6, 0.3]}


def test_bod_by_hand() -> None:
    # Frontier w1 + 0.5 w2 <= 1 and 0.5 w1 + w2 <= 1 meet at w = (2/3, 2/3).
    np.testing.assert_allclose(_top(_index(**BOD_DATA), method="bod"), [1.0, 1.0, 0.8, 0.7 * 2 / 3], atol=1e-9)


def test_bod_share_bounds_by_hand() -> None:
    # Unit 1 with shares in [0.4, 0.6]: w1 <= 0.6 (w1 + 0.5 w2) -> w2 >= 4/3 w1; at w2 = 4/3 w1 the
    # binding row is unit 2 (0.5 + 4/3) w1 <= 1, so the score is (1 + 2/3) / (0.5 + 4/3) = 10/11.
    got = _top(_index(**BOD_DATA), method="bod", shares=[0.4, 0.6])
    assert got[0] == pytest.approx(10 / 11, abs=1e-9)
    assert np.all(got <= 1 + 1e-9)


def test_bod_leaves_out_incomplete_units() -> None:
    got = _top(_index(a=[1.0, 0.5, NAN], b=[0.5, 1.0, 0.9]), method="bod")
    np.testing.assert_allclose(got, [1.0, 1.0, NAN])


def test_robust_bod_against_order_m_expectation() -> None:
    # Two units, U1 = (1, 1) and U2 = (0.5, 0.5); draws of m = 3 from both. U2 scores 1 when no
    # draw is U1 (probability 1/8), else 0.5; U1 scores 2 against U2 alone, else 1.
    x = np.array([[1.0, 1.0], [0.5, 0.5]])
    mean, lo, hi = noncompensatory.robust_bod(x, sample=3, replicates=1000, seed=1)
    np.testing.assert_allclose(mean, [1 + 1 / 8, 0.5 + 0.5 / 8], atol=0.02)
    np.testing.assert_allclose(lo, [1.0, 0.5])
    np.testing.assert_allclose(hi, [2.0, 1.0])


def test_robust_bod_step_logs_intervals() -> None:
    index = _index(**BOD_DATA)
    step = aggregate.run(index, aggregate.Params(method="robust_bod", sample=4, replicates=50, seed=3))
    intervals = step.log[-1].summary["bootstrap_intervals"]["P"]
    scores = step.datasets[AGGREGATED][:, -1]
    for unit, score in zip(index.units, scores, strict=True):
        lo, hi = intervals[unit]
        assert lo <= score <= hi


def _topsis_by_loops(rows: list[list[float]], w: list[float]) -> list[float]:
    m = len(w)
    norms = [math.sqrt(sum(r[j] ** 2 for r in rows)) for j in range(m)]
    v = [[r[j] / norms[j] * w[j] / sum(w) for j in range(m)] for r in rows]
    best = [max(r[j] for r in v) for j in range(m)]
    worst = [min(r[j] for r in v) for j in range(m)]
    out = []
    for r in v:
        dp = math.dist(r, best)
        dn = math.dist(r, worst)
        out.append(dn / (dp + dn))
    return out


def test_topsis_by_hand_and_by_loops() -> None:
    np.testing.assert_allclose(_top(_index(a=[2.0, 1.0], b=[2.0, 1.0]), method="topsis"), [1.0, 0.0])
    rows = [[1.0, 3.0, 2.0], [2.0, 2.0, 5.0], [3.0, 3.0, 1.0], [0.5, 1.0, 4.0]]
    index = make_index(
        {c: [r[j] for r in rows] for j, c in enumerate("abc")},
        parents={"a": "P", "b": "P", "c": "P", "P": None},
        weights={"a": 1.0, "b": 2.0, "c": 1.0},
    )
    np.testing.assert_allclose(_top(index, method="topsis"), _topsis_by_loops(rows, [1.0, 2.0, 1.0]))


def test_methods_per_node_in_a_deeper_tree() -> None:
    index = make_index(
        {"a": [1.0, 2.0, 3.0], "b": [3.0, 2.0, 1.0], "c": [1.0, 2.0, 3.0]},
        parents={"a": "P", "b": "P", "c": "Q", "P": "T", "Q": "T", "T": None},
    )
    full = aggregate.run(index, aggregate.Params.model_validate({"nodes": {"P": {"method": "mpi"}}}))
    cols = full.columns(AGGREGATED)
    np.testing.assert_allclose(full.datasets[AGGREGATED][:, cols.index("P")], [98.5, 100.0, 98.5])


def test_bod_refuses_negative_achievements() -> None:
    with pytest.raises(DiagnosticError, match=r"bod of 'P' needs non-negative values but b of unit U2 is -1"):
        _top(_index(a=[1.0, 0.5], b=[0.5, -1.0]), method="bod")


def test_robust_bod_leaves_out_unbounded_draws() -> None:
    # U1 = (1, 0) against a draw of U2 = (0, 1) alone can put any weight on its first child: that
    # draw is unbounded and left out, so each unit's mean is its score against itself, 1.
    mean, lo, hi = noncompensatory.robust_bod(np.array([[1.0, 0.0], [0.0, 1.0]]), sample=1, replicates=30, seed=0)
    np.testing.assert_allclose(mean, [1.0, 1.0])
    np.testing.assert_allclose([lo, hi], [[1.0, 1.0], [1.0, 1.0]])


def test_batched_replications_equal_the_step() -> None:
    """The uncertainty analysis aggregates a batch of weight sets at once: each must equal the step."""
    index = _index(a=[1.0, 0.5, 0.6, 0.4], b=[0.5, 1.0, 0.6, 0.3], c=[0.2, 0.9, 0.4, 0.8])
    other = {**index.weights, "a": 3.0}
    for method in ("mpi", "ampi", "topsis", "bod", "robust_bod"):
        params = aggregate.Params.model_validate({"method": method, "sample": 3, "replicates": 20})
        replicator = Replicator(aggregate.run(index, params))
        state, nominal = replicator.nominal_aggregation()
        batch = replicator.aggregate_with(state, nominal, [index.weights, other])
        alone = aggregate.run(replace(index, weights=other), params).datasets[AGGREGATED][:, -1]
        np.testing.assert_allclose(batch[0], _top(index, **params.model_dump()), err_msg=method)
        np.testing.assert_allclose(batch[1], alone, err_msg=method)


def test_topsis_equals_pymcdm_with_vector_normalisation() -> None:
    x = np.random.default_rng(2).uniform(0, 10, (30, 4))
    w = np.array([0.1, 0.4, 0.3, 0.2])
    oracle = TOPSIS(normalization_function=vector_normalization)(x, w, np.ones(4))
    np.testing.assert_allclose(noncompensatory.topsis(x, w), oracle, rtol=1e-12)
