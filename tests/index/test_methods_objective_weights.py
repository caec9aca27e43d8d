"""Entropy, CRITIC and factor-analysis weights against hand computations and independent formulas."""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest
from core_helpers import make_index
from pymcdm import weights as pymcdm_weights

from citykpi.index import objective_weights, weights
from citykpi.model.errors import DiagnosticError


def _weights(values: dict[str, list[float]], **params: object) -> dict[str, float]:
    index = make_index(values, parents={**{c: "P" for c in values}, "P": None})
    step = weights.run(index, weights.Params.model_validate(params))
    return {c: step.weights[c] for c in values}


def test_entropy_by_hand() -> None:
    # a = 1, 1, 2: p = 1/4, 1/4, 1/2; b = 1, 2, 3: p = 1/6, 1/3, 1/2; weights proportional to 1 - e.
    def divergence(p: list[float]) -> float:
        return 1 + sum(q * math.log(q) for q in p) / math.log(3)

    da, db = divergence([0.25, 0.25, 0.5]), divergence([1 / 6, 1 / 3, 0.5])
    got = _weights({"a": [1.0, 1.0, 2.0], "b": [1.0, 2.0, 3.0]}, method="entropy")
    assert got == pytest.approx({"a": da / (da + db), "b": db / (da + db)})
    assert got["a"] == pytest.approx(0.4031, abs=1e-4)


def test_entropy_refuses_non_positive_data() -> None:
    with pytest.raises(DiagnosticError, match=r"b of unit U2 is 0; normalise to a positive range"):
        _weights({"a": [1.0, 1.0, 2.0], "b": [1.0, 0.0, 3.0]}, method="entropy")


def _scaled(col: list[float]) -> list[float]:
    return [(v - min(col)) / (max(col) - min(col)) for v in col]


def test_critic_against_statistics_module() -> None:
    cols = {"a": [1.0, 2.0, 3.0, 4.0], "b": [2.0, 1.0, 4.0, 3.0], "c": [1.0, 3.0, 2.0, 8.0]}
    info = {
        j: statistics.stdev(_scaled(cols[j])) * sum(1 - statistics.correlation(cols[j], cols[k]) for k in cols)
        for j in cols
    }
    total = sum(info.values())
    assert _weights(cols, method="critic") == pytest.approx({j: v / total for j, v in info.items()})


def _criterion(loadings: np.ndarray) -> float:
    """Kaiser's normalised varimax criterion: the variance of the squared normalised loadings per factor."""
    q = (loadings / np.sqrt((loadings**2).sum(axis=1, keepdims=True))) ** 2
    return float(((q**2).mean(axis=0) - q.mean(axis=0) ** 2).sum())


def _turn(angle: float) -> np.ndarray:
    return np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])


def test_varimax_reaches_the_best_rotation_of_a_grid_search() -> None:
    start = np.array([[0.9, 0.1], [0.8, 0.05], [0.1, 0.7], [0.05, 0.6], [0.5, 0.4]]) @ _turn(np.deg2rad(25))
    best = max(_criterion(start @ _turn(a)) for a in np.linspace(0, np.pi / 2, 20001))
    rotated = objective_weights.varimax(start)
    assert _criterion(rotated) == pytest.approx(best, abs=1e-8)
    np.testing.assert_allclose((rotated**2).sum(axis=1), (start**2).sum(axis=1))  # communalities kept


def test_factor_weights_of_two_uncorrelated_pairs() -> None:
    # Columns of a Hadamard matrix are orthogonal and centred, so the correlation matrix is
    # block-diagonal with r1 = 0.8 and r2 = 0.4: eigenvalues 1.8 and 1.4 kept, loadings
    # sqrt(eigenvalue / 2) on both members of a pair (already simple), scaled squared loadings
    # 1/2, factor variance shares 1.8 / 3.2 and 1.4 / 3.2.
    h = np.array([[1, 1, 1, 1], [1, -1, 1, -1], [1, 1, -1, -1], [1, -1, -1, 1]], dtype=float)
    h8 = np.block([[h, h], [h, -h]])
    u = h8[:, 1:5]
    r1, r2 = 0.8, 0.4
    x = np.column_stack(
        [u[:, 0], r1 * u[:, 0] + np.sqrt(1 - r1**2) * u[:, 1], u[:, 2], r2 * u[:, 2] + np.sqrt(1 - r2**2) * u[:, 3]]
    )
    fa = objective_weights.factor_weights(x)
    assert fa.factors == 2
    expected = np.array([1.8, 1.8, 1.4, 1.4]) / 2 / 3.2
    np.testing.assert_allclose(fa.weights, expected / expected.sum(), atol=1e-9)
    got = _weights({c: list(x[:, j]) for j, c in enumerate("abcd")}, method="fa")
    assert list(got.values()) == pytest.approx(list(expected / expected.sum()), abs=1e-9)


def test_refusals_and_single_children() -> None:
    with pytest.raises(DiagnosticError, match="a child does not vary over the units"):
        _weights({"a": [1.0, 2.0, 3.0], "b": [2.0, 2.0, 2.0]}, method="critic")
    index = make_index({"a": [1.0, 2.0], "b": [3.0, 1.0]}, parents={"a": "P", "b": "Q", "P": "T", "Q": "T", "T": None})
    step = weights.run(index, weights.Params(method="fa", level=1))
    assert step.weights["a"] == 1.0 and step.weights["b"] == 1.0  # one child each: nothing to weigh


def test_entropy_and_critic_equal_pymcdm() -> None:
    """pymcdm (a maintained multi-criteria library) as an independent implementation."""
    x = np.random.default_rng(5).uniform(1, 100, (40, 4))
    np.testing.assert_allclose(objective_weights.entropy(x), pymcdm_weights.entropy_weights(x), rtol=1e-12)
    np.testing.assert_allclose(objective_weights.critic(x), pymcdm_weights.critic_weights(x), rtol=1e-12)
