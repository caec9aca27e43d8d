"""Weights: metadata and named sets, effective weights, PCA, optimised and noisy weights."""

from __future__ import annotations

import numpy as np
import pytest
from core_helpers import make_index

from citykpi.index import aggregate, weights
from citykpi.index.model import AGGREGATED, Index
from citykpi.model.errors import DiagnosticError


def _framework(a: list[float], b: list[float], c: list[float]) -> Index:
    return make_index(
        {"a": a, "b": b, "c": c},
        parents={"a": "P", "b": "P", "c": "Q", "P": "T", "Q": "T", "T": None},
        weights={"a": 1, "b": 3, "c": 1, "P": 2, "Q": 1},
    )


def _weights(index: Index, **params: object) -> Index:
    return weights.run(index, weights.Params.model_validate(params))


def test_effective_weights_multiply_down_the_tree() -> None:
    index = _framework([1.0], [1.0], [1.0])
    eff = index.hierarchy.effective_weights()
    assert eff["a"] == pytest.approx(2 / 3 * 1 / 4)
    assert eff["b"] == pytest.approx(2 / 3 * 3 / 4)
    assert eff["c"] == pytest.approx(1 / 3)
    assert sum(eff[c] for c in index.hierarchy.indicators) == pytest.approx(1)


def test_named_set_equal_and_back_to_metadata_change_aggregation() -> None:
    index = make_index({"a": [0.0], "b": [4.0]}, parents={"a": "P", "b": "P", "P": None}, weights={"a": 1, "b": 3})
    index = index.__class__.new(index.data, index.hierarchy, {"flat": {"a": 1.0, "b": 1.0}})

    def top(ix: Index) -> float:
        return float(aggregate.run(ix, aggregate.Params()).datasets[AGGREGATED][0, -1])

    assert top(index) == pytest.approx(3.0)
    assert top(_weights(index, method="set", set="flat")) == pytest.approx(2.0)
    assert top(_weights(index, method="equal")) == pytest.approx(2.0)
    assert top(_weights(_weights(index, method="equal"), method="metadata")) == pytest.approx(3.0)
    with pytest.raises(DiagnosticError, match="no weight set 'x'"):
        _weights(index, method="set", set="x")


def test_pca_weights_per_group_sign_fixed_na_rows_dropped() -> None:
    rng = np.random.default_rng(5)
    base = rng.normal(size=30)
    a = list(base)
    b = list(-2 * base + 7)  # perfectly (negatively) correlated with a
    b[3] = np.nan  # dropped row
    out = _weights(_framework(a, b, list(rng.normal(size=30))), method="pca", level=1)
    w = out.weights
    # standardised PC1 of two perfectly correlated columns: loadings +-1/sqrt(2); sign makes the sum >= 0
    assert abs(w["a"]) == pytest.approx(abs(w["b"]))
    assert w["c"] == pytest.approx(1.0)
    assert "negative" in " ".join(out.log[-1].summary["notes"])  # type: ignore[arg-type]


def test_pca_loadings_of_known_matrix() -> None:
    x = np.array([[1.0, 2.0], [2.0, 4.1], [3.0, 5.9], [np.nan, 1.0]])
    v = weights.pca_loadings(x)
    assert v.sum() > 0
    assert v == pytest.approx([1 / np.sqrt(2), 1 / np.sqrt(2)], abs=1e-3)


@pytest.mark.parametrize("targets", [{"b": 1.0, "a": 1.0}, {"a": 2.0, "b": 1.0}])
def test_optimised_weights_balance_named_targets(targets: dict[str, float]) -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(size=(80, 2)) * [1.0, 3.0]  # b dominates the index under equal weights
    index = make_index({"a": list(x[:, 0]), "b": list(x[:, 1])}, parents={"a": "P", "b": "P", "P": None})
    w = _weights(index, method="optimise", level=1, targets=targets).weights
    top = x @ np.array([w["a"], w["b"]])
    corr = np.array([np.corrcoef(x[:, j], top)[0, 1] for j in range(2)])
    share = corr / corr.sum()
    assert share[0] / share[1] == pytest.approx(targets["a"] / targets["b"], rel=0.02)


def test_optimise_targets_must_name_every_code() -> None:
    index = _framework([1.0, 2.0], [2.0, 1.0], [1.0, 1.0])
    with pytest.raises(DiagnosticError, match=r"missing \['c'\]"):
        _weights(index, method="optimise", level=1, targets={"a": 1, "b": 1, "zz": 1})


def test_noise_is_bounded_seeded_and_per_level() -> None:
    index = _framework([1.0], [1.0], [1.0])
    one = _weights(index, noise=0.25, noise_levels=[1], seed=7).weights
    two = _weights(index, noise=0.25, noise_levels=[1], seed=7).weights
    assert one == two
    for code, base in (("a", 1), ("b", 3), ("c", 1)):
        assert 0.75 * base <= one[code] <= 1.25 * base
    assert one["P"] == 2 and one["Q"] == 1


def test_pca_without_complete_rows_is_reported() -> None:
    index = _framework([1.0, np.nan], [np.nan, 2.0], [1.0, 2.0])
    with pytest.raises(DiagnosticError, match="at least two units"):
        _weights(index, method="pca", level=1)
