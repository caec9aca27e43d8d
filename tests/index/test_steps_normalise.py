"""Normalisation methods against hand-computed values."""

from __future__ import annotations

import numpy as np
import pytest
from core_helpers import make_index

from citykpi.index import normalise
from citykpi.model.errors import DiagnosticError

NAN = np.nan


def _norm(
    values: list[float], direction: int = 1, meta: dict[str, object] | None = None, **params: object
) -> np.ndarray:
    index = make_index({"a": values}, directions={"a": direction}, meta_extra={"a": meta or {}})
    out = normalise.run(index, normalise.Params.model_validate(params))
    return out.datasets["Normalised"][:, 0]


def test_minmax_default_and_custom_range() -> None:
    np.testing.assert_allclose(_norm([0, 1, 2, NAN]), [0, 50, 100, NAN])
    np.testing.assert_allclose(_norm([0, 1, 2], range=[1, 100]), [1, 50.5, 100])


def test_direction_flips_sign_before_the_method() -> None:
    np.testing.assert_allclose(_norm([0, 1, 4], direction=-1), [100, 75, 0])
    np.testing.assert_allclose(_norm([0, 1, 4], direction=-1, directions=False), [0, 25, 100])


def test_zscore_with_sample_sd_and_chosen_mean_sd() -> None:
    np.testing.assert_allclose(_norm([1, 2, 3], method="zscore"), [-1, 0, 1])
    np.testing.assert_allclose(_norm([1, 2, 3], method="zscore", mean=10, sd=2), [8, 10, 12])


def test_rank_borda_prank_ties_at_lowest_rank() -> None:
    x = [3, 1, 3, NAN, 7]
    np.testing.assert_allclose(_norm(x, method="rank"), [2, 1, 2, NAN, 4])
    np.testing.assert_allclose(_norm(x, method="borda"), [1, 0, 1, NAN, 3])
    np.testing.assert_allclose(_norm(x, method="prank"), [1 / 3, 0, 1 / 3, NAN, 1])


def test_fracmax_and_distances() -> None:
    x = [2, 4, 8]
    np.testing.assert_allclose(_norm(x, method="fracmax"), [0.25, 0.5, 1])
    np.testing.assert_allclose(_norm(x, method="dist2max"), [0, 1 / 3, 1])
    # reference U2 (value 4): 1 - (4 - x) / (4 - 2)
    np.testing.assert_allclose(_norm(x, method="dist2ref", reference="U2"), [0, 1, 3])
    np.testing.assert_allclose(_norm(x, method="dist2ref", reference="U2", cap=True), [0, 1, 1])
    # target 6: 1 - (6 - x) / (6 - 2)
    np.testing.assert_allclose(_norm(x, method="dist2targ", target=6), [0, 0.5, 1.5])
    np.testing.assert_allclose(_norm(x, method="dist2targ", target=6, cap=True), [0, 0.5, 1])


def test_dist2targ_lower_is_better_uses_max() -> None:
    # direction -1, target 4: 1 - (x - 4) / (max - 4)
    np.testing.assert_allclose(_norm([2, 4, 8], direction=-1, method="dist2targ", target=4, cap=True), [1, 1, 0])


def test_goalposts_truncate_and_rescale() -> None:
    x = [-5, 0, 5, 10, 15]
    np.testing.assert_allclose(_norm(x, method="goalposts", lower=0, upper=10), [0, 0, 0.5, 1, 1])
    np.testing.assert_allclose(_norm(x, method="goalposts", lower=0, upper=10, trunc=False), [-0.5, 0, 0.5, 1, 1.5])
    np.testing.assert_allclose(_norm(x, method="goalposts", lower=0, upper=10, range=[0, 100]), [0, 0, 50, 100, 100])
    # lower is better: the best post is the smaller value
    np.testing.assert_allclose(_norm(x, direction=-1, method="goalposts", lower=0, upper=10), [1, 1, 0.5, 0, 0])


def test_unbounded_methods_are_minmax_rescaled_to_a_range() -> None:
    np.testing.assert_allclose(_norm([1, 2, 4], method="zscore", range=[1, 100]), [1, 34, 100])
    np.testing.assert_allclose(_norm([5, 1, 3], method="rank", range=[0, 1]), [1, 0, 0.5])


def test_per_indicator_parameters_from_metadata_and_overrides() -> None:
    index = make_index(
        {"a": [0.0, 5, 10], "b": [1.0, 2, 3]},
        meta_extra={"a": {"goalpost_lower": 0, "goalpost_upper": 20, "goalpost_scale": 100}},
    )
    params = normalise.Params(method="goalposts", indicators={"b": {"method": "minmax"}})
    out = normalise.run(index, params).datasets["Normalised"]
    np.testing.assert_allclose(out[:, 0], [0, 25, 50])
    np.testing.assert_allclose(out[:, 1], [0, 50, 100])


def test_batched_kernel_equals_one_by_one() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(4, 20, 3))
    specs = [normalise.NormaliseSpec(method=m) for m in ("minmax", "zscore", "prank")]
    batched = normalise.normalise_array(x, specs, np.ones(3))
    for r in range(4):
        np.testing.assert_allclose(batched[r], normalise.normalise_array(x[r], specs, np.ones(3)))


def test_missing_parameters_are_reported() -> None:
    index = make_index({"a": [1.0, 2.0]})
    with pytest.raises(DiagnosticError, match="goalposts need both"):
        normalise.run(index, normalise.Params(method="goalposts"))
    with pytest.raises(DiagnosticError, match="reference unit 'X'"):
        normalise.run(index, normalise.Params(method="dist2ref", reference="X"))
