"""Sampling, Sobol estimators and rank summaries on functions with known answers."""

import numpy as np
import pytest

from citykpi.index.sensitivity.estimators import sobol_indices, split_runs
from citykpi.index.sensitivity.rankstats import mean_abs_rank_shift, rank_statistics
from citykpi.index.sensitivity.sampling import (
    BITS,
    saltelli_design,
    sobol_digits,
    sobol_points,
    to_choice_index,
    to_choices,
    to_range,
)


def ishigami(x: np.ndarray) -> np.ndarray:
    z = -np.pi + 2 * np.pi * x
    return np.sin(z[:, 0]) + 7 * np.sin(z[:, 1]) ** 2 + 0.1 * z[:, 2] ** 4 * np.sin(z[:, 0])


def test_saltelli_design_layout() -> None:
    design = saltelli_design(8, 3, seed=1)
    assert design.a.shape == (8, 3) and design.b.shape == (8, 3) and design.ab.shape == (3, 8, 3)
    for i in range(3):
        expected = design.a.copy()
        expected[:, i] = design.b[:, i]
        np.testing.assert_array_equal(design.ab[i], expected)
    stacked = design.stacked()
    assert stacked.shape == (8 * 5, 3)
    np.testing.assert_array_equal(stacked[8:16], design.b)
    assert ((stacked >= 0) & (stacked < 1)).all()


def test_sobol_points_are_more_even_than_random() -> None:
    from scipy.stats import qmc

    pts = sobol_points(256, 4, seed=3)
    rnd = np.random.default_rng(3).random((256, 4))
    assert qmc.discrepancy(pts) < qmc.discrepancy(rnd)


@pytest.mark.parametrize(("n", "d"), [(1, 1), (2, 3), (1000, 6), (4096, 12), (777, 40)])
def test_sobol_generator_gives_salibs_points(n: int, d: int) -> None:
    from SALib.sample import sobol_sequence

    np.testing.assert_array_equal(sobol_digits(n, d) / 2**BITS, sobol_sequence.sample(n, d))


def test_scrambled_sobol_points_keep_the_net_structure() -> None:
    """For n = 2**m, one point in each interval [k/n, (k+1)/n) of every coordinate, and in each
    elementary box 2**-a x 2**-(m-a) of the first two coordinates (a (0, m, 2)-net), as unscrambled."""
    m = 8
    pts = sobol_points(2**m, 4, seed=3)
    assert ((pts >= 0) & (pts < 1)).all()
    for j in range(4):
        assert (np.bincount((pts[:, j] * 2**m).astype(int), minlength=2**m) == 1).all()
    for a in range(m + 1):
        box = np.floor(pts[:, 0] * 2**a) * 2 ** (m - a) + np.floor(pts[:, 1] * 2 ** (m - a))
        assert (np.bincount(box.astype(int), minlength=2**m) == 1).all()
    np.testing.assert_array_equal(pts, sobol_points(2**m, 4, seed=3))
    assert not np.allclose(pts, sobol_points(2**m, 4, seed=4))
    assert not np.allclose(pts, sobol_digits(2**m, 4) / 2**BITS)


def test_scrambled_sobol_points_are_uniform_over_seeds() -> None:
    """The scramble's job: each point, over random seeds, is uniform on [0, 1) (unbiased estimates)."""
    first = np.array([sobol_points(16, 2, seed=s)[5] for s in range(4000)])
    np.testing.assert_allclose(first.mean(axis=0), 0.5, atol=0.015)
    np.testing.assert_allclose(first.var(axis=0), 1 / 12, atol=0.005)


def test_sensitivity_needs_two_inputs() -> None:
    with pytest.raises(ValueError, match="at least two"):
        saltelli_design(8, 1)


def test_ishigami_indices_match_analytic_values() -> None:
    n, d = 4096, 3
    design = saltelli_design(n, d, seed=0)
    res = sobol_indices(ishigami(design.stacked()), n, d, n_boot=200, seed=1)
    np.testing.assert_allclose(res.first_order, [0.3139, 0.4424, 0.0], atol=0.03)
    np.testing.assert_allclose(res.total, [0.5576, 0.4424, 0.2437], atol=0.03)
    assert (res.first_order_low <= res.first_order + 1e-12).all()
    assert (res.total_high >= res.total - 1e-12).all()
    assert (res.total_high - res.total_low < 0.1).all()


def test_estimators_agree_with_salib_on_the_same_sample() -> None:
    """SALib's sobol.analyze uses the same estimators (Saltelli 2010 first order, Jansen total) but
    standardises the outputs over all runs first (which moves the first-order estimate, whose
    product y_B (y_ABi - y_A) is not shift-invariant) and divides by the population variance of the
    pooled A and B outputs, ours by the sample variance: on identical standardised runs its
    estimates are ours times 2N / (2N - 1), exactly."""
    from SALib.analyze import sobol as salib_analyze
    from SALib.sample import sobol as salib_sample

    n, d = 1024, 3
    problem = {"num_vars": d, "names": ["x1", "x2", "x3"], "bounds": [[0.0, 1.0]] * d}
    rows = salib_sample.sample(problem, n, calc_second_order=False, scramble=True, seed=11)
    design = saltelli_design(n, d, seed=11)
    np.testing.assert_array_equal(np.sort(rows, axis=0), np.sort(design.stacked(), axis=0))
    theirs = salib_analyze.analyze(problem, ishigami(rows), calc_second_order=False, num_resamples=10, seed=1)
    y = ishigami(design.stacked())
    ours = sobol_indices((y - y.mean()) / y.std(), n, d)
    factor = 2 * n / (2 * n - 1)
    np.testing.assert_allclose(theirs["S1"], ours.first_order * factor, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(theirs["ST"], ours.total * factor, rtol=1e-9, atol=1e-12)
    # and both are near the analytic Ishigami indices at this N
    np.testing.assert_allclose(theirs["ST"], [0.5576, 0.4424, 0.2437], atol=0.05)
    np.testing.assert_allclose(ours.first_order, [0.3139, 0.4424, 0.0], atol=0.05)


def test_additive_model_and_per_output_axis() -> None:
    # two outputs: y0 = x0 + 2 x1 (S = 0.2, 0.8), y1 = x1 only (S = 0, 1)
    n, d = 2048, 2
    x = saltelli_design(n, d, seed=5).stacked()
    y = np.stack([x[:, 0] + 2 * x[:, 1], x[:, 1]], axis=1)
    res = sobol_indices(y, n, d)
    assert res.first_order.shape == (2, 2)
    np.testing.assert_allclose(res.first_order, [[0.2, 0.0], [0.8, 1.0]], atol=0.02)
    np.testing.assert_allclose(res.total, [[0.2, 0.0], [0.8, 1.0]], atol=0.02)
    assert np.isnan(res.first_order_low).all()  # no bootstrap asked


def test_hand_computed_estimators() -> None:
    # N=2, d=2: yA=[1,3], yB=[2,4], yAB1=[2,3], yAB2=[1,5]; V = var([1,3,2,4], ddof=1) = 5/3
    y = np.array([1, 3, 2, 4, 2, 3, 1, 5], dtype=float)
    res = sobol_indices(y, 2, 2)
    v = 5 / 3
    np.testing.assert_allclose(res.first_order, [(2 * 1 + 4 * 0) / 2 / v, (2 * 0 + 4 * 2) / 2 / v])
    np.testing.assert_allclose(res.total, [(1 + 0) / (4 * v), (0 + 4) / (4 * v)])


def test_failed_runs_are_dropped_pairwise_and_constant_output_is_nan() -> None:
    y = np.array([1, 3, 2, 4, np.nan, 3, 1, 5], dtype=float)
    res = sobol_indices(y, 2, 2)
    v = 5 / 3
    np.testing.assert_allclose(res.total, [0.0, 4 / (4 * v)])  # AB1 keeps only the second base point
    const = sobol_indices(np.ones(8), 2, 2, n_boot=10, seed=0)
    assert np.isnan(const.first_order).all() and np.isnan(const.total_high).all()


def test_split_runs_checks_length() -> None:
    with pytest.raises(ValueError, match="expected 12 runs"):
        split_runs(np.zeros(10), 3, 2)


def test_discrete_and_continuous_mapping() -> None:
    u = np.array([0.0, 0.19, 0.2, 0.5, 0.99, 1.0])
    np.testing.assert_array_equal(to_choice_index(u, 5), [0, 0, 1, 2, 4, 4])
    assert to_choices(np.array([0.1, 0.7]), ["minmax", "zscore"]) == ["minmax", "zscore"]
    np.testing.assert_allclose(to_range(np.array([0.0, 0.5, 1.0]), -0.25, 0.25), [-0.25, 0.0, 0.25])
    with pytest.raises(ValueError, match="must exceed"):
        to_range(u, 1.0, 1.0)
    # equal bins give equal frequencies on a Sobol' sample
    counts = np.bincount(to_choice_index(sobol_points(1024, 1, seed=2)[:, 0], 4))
    np.testing.assert_array_equal(counts, [256, 256, 256, 256])


def test_rank_statistics_and_shift() -> None:
    ranks = np.array([[1, 2, 3], [2, 1, 3], [1, 3, 2], [1, 2, np.nan]], dtype=float)
    nominal = np.array([1.0, 2.0, 3.0])
    stats = rank_statistics(ranks, nominal)
    np.testing.assert_allclose(stats.median, [1.0, 2.0, 3.0])
    np.testing.assert_allclose(stats.mean, [1.25, 2.0, 8 / 3])
    np.testing.assert_allclose(stats.q05[1], 1 + 0.05 * 3)  # type-7: h = 0.05*(4-1) between 1 and 2
    np.testing.assert_allclose(stats.q95[2], np.quantile([3, 3, 2], 0.95))
    np.testing.assert_allclose(mean_abs_rank_shift(ranks, nominal), [0.0, 2 / 3, 2 / 3, 0.0])
    with pytest.raises(ValueError, match="replications"):
        rank_statistics(ranks[:, :2], nominal)


def test_rank_statistics_skip_failed_replications_and_keep_absent_units_nan_aware() -> None:
    ranks = np.array([[1, 2, np.nan], [np.nan] * 3, [2, 1, 1], [1, 3, 2]], dtype=float)
    nominal = np.array([1.0, 2.0, 3.0])
    stats = rank_statistics(ranks, nominal)
    expected = np.nanquantile(ranks, [0.05, 0.5, 0.95], axis=0)
    np.testing.assert_array_equal(np.stack([stats.q05, stats.median, stats.q95]), expected)
    np.testing.assert_array_equal(stats.mean, np.nanmean(ranks, axis=0))
    none = rank_statistics(np.full((2, 3), np.nan), nominal)
    assert np.isnan(none.median).all() and np.isnan(none.mean).all()


RANK_CASES = [((7,), -1), ((5, 9), 0), ((5, 9), -1), ((3, 4, 6), 1), ((0,), -1), ((4, 0), 0)]


@pytest.mark.parametrize(("shape", "axis"), RANK_CASES)
def test_ranks_equal_scipy_rankdata_min_with_nan_omitted(shape: tuple[int, ...], axis: int) -> None:
    from scipy.stats import rankdata

    from citykpi.index.ranks import ascending_rank, sport_rank

    rng = np.random.default_rng(len(shape) * 10 + axis)
    x = rng.integers(0, 4, size=shape).astype(float)  # many ties
    x[rng.random(shape) < 0.2] = np.nan
    if x.size:
        x.flat[0] = -0.0  # equal to 0.0: a tie
    for ours, sign in ((sport_rank, -1.0), (ascending_rank, 1.0)):
        expected = rankdata(sign * x, method="min", axis=axis, nan_policy="omit") if x.size else x
        np.testing.assert_array_equal(ours(x, axis), np.asarray(expected, dtype=float))
