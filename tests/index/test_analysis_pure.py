"""Indicator statistics, correlations, Cronbach's alpha and PCA against hand-computed or independent values."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from citykpi.index.analysis.correlation import correlate, group_flags, tidy
from citykpi.index.analysis.multivariate import cronbach_alpha, pca
from citykpi.index.analysis.stats import indicator_stats


def test_indicator_stats_values_and_flags() -> None:
    x = np.array(
        [
            [1.0, 0.0, 5.0, 1.0],
            [2.0, 0.0, np.nan, 1.0],
            [3.0, 0.0, np.nan, 1.0],
            [4.0, 1.0, np.nan, 1.0],
            [100.0, 0.0, 6.0, 2.0],
        ]
    )
    tab = indicator_stats(x, ["a", "zeros", "sparse", "few"]).set_index("code")
    a = tab.loc["a"]
    assert (a["min"], a["max"], a["median"]) == (1.0, 100.0, 3.0)
    assert a["mean"] == pytest.approx(22.0)
    assert a["sd"] == pytest.approx(np.std([1, 2, 3, 4, 100], ddof=1))
    # Excel SKEW / KURT (type 2) computed by hand
    v = np.array([1, 2, 3, 4, 100.0])
    n, m, s = 5, v.mean(), v.std(ddof=1)
    skew = n / ((n - 1) * (n - 2)) * (((v - m) / s) ** 3).sum()
    kurt = n * (n + 1) / ((n - 1) * (n - 2) * (n - 3)) * (((v - m) / s) ** 4).sum() - 3 * (n - 1) ** 2 / (
        (n - 2) * (n - 3)
    )
    assert a["skew"] == pytest.approx(skew) and a["kurt"] == pytest.approx(kurt)
    assert a["flag_skewkurt"] == "OUT"  # skew 2.236 > 2 and kurt 5.0 > 3.5
    z = tab.loc["zeros"]
    assert (z["n_zero"], z["n_nonzero"], z["flag_nonzero"]) == (4, 1, "LOW")
    sp = tab.loc["sparse"]
    assert (sp["n_avail"], sp["frc_avail"], sp["flag_avail"]) == (2, 0.4, "LOW")
    f = tab.loc["few"]
    assert (f["n_unique"], f["n_same"], f["flag_unique"]) == (2, 4, "LOW")
    assert tab.loc["a", "flag_avail"] == "ok" and tab.loc["a", "flag_unique"] == "ok"


def test_stats_shape_error_names_expectation() -> None:
    with pytest.raises(ValueError, match="units x 2 columns"):
        indicator_stats(np.zeros((3, 3)), ["a", "b"])


def test_pearson_pairwise_matches_pandas_and_scipy() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 4))
    x[:, 1] += x[:, 0]
    x[[3, 7, 11], 2] = np.nan
    c = correlate(x)
    expected = pd.DataFrame(x).corr().to_numpy()
    np.testing.assert_allclose(c.r, expected, atol=1e-12)
    m = ~np.isnan(x[:, 2])
    ref = sps.pearsonr(x[m, 0], x[m, 2])
    assert c.p[0, 2] == pytest.approx(ref.pvalue) and c.n[0, 2] == 37
    assert c.n[0, 1] == 40


@pytest.mark.parametrize("method", ["spearman", "kendall"])
def test_rank_correlations_match_pandas(method: str) -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(30, 3))
    x[:, 2] = x[:, 0] ** 3 + 0.1 * rng.normal(size=30)
    x[0, 1] = np.nan
    c = correlate(x, method=method)  # type: ignore[arg-type]
    np.testing.assert_allclose(c.r, pd.DataFrame(x).corr(method=method).to_numpy(), atol=1e-12)  # type: ignore[arg-type]
    fn = sps.spearmanr if method == "spearman" else sps.kendalltau
    assert c.p[0, 2] == pytest.approx(fn(x[:, 0], x[:, 2]).pvalue)


def test_cross_set_correlation_and_tidy_masking() -> None:
    x = np.array([[1.0], [2.0], [3.0], [4.0]])
    y = np.array([[2.0, 1.0], [4.0, 3.0], [6.0, 2.0], [8.0, 4.0]])
    c = correlate(x, y)
    assert c.r.shape == (1, 2)
    assert c.r[0, 0] == pytest.approx(1.0) and c.p[0, 0] == 0.0
    assert c.r[0, 1] == pytest.approx(0.8)
    t = tidy(c, ["x"], ["y1", "y2"], pval=0.05)
    assert list(t["var2"]) == ["y1", "y2"]
    assert t.loc[1, "significant"] == np.False_ and np.isnan(t.loc[1, "r_masked"])  # p = 0.2 with n = 4
    with pytest.raises(ValueError, match="same units"):
        correlate(x, y[:3])


def test_group_flags_only_within_groups() -> None:
    base = np.arange(10.0)
    x = np.stack([base, base + 0.01 * np.sin(base), -base, base**2], axis=1)
    c = correlate(x)
    flags = group_flags(c, ["a", "b", "c", "d"], {"a": "G1", "b": "G1", "c": "G1", "d": "G2"})
    got = {(r.var1, r.var2, r.flag) for r in flags.itertuples()}
    assert got == {("a", "b", "collinear"), ("a", "c", "negative"), ("b", "c", "negative")}


def test_cronbach_alpha_hand_computed() -> None:
    x = np.array([[1.0, 2.0], [2.0, 3.0], [3.0, 5.0]])
    # var = 1, 7/3; cov = 1.5; alpha = 2 * (1 - (1 + 7/3) / (1 + 7/3 + 3))
    assert cronbach_alpha(x) == pytest.approx(2 * (1 - (10 / 3) / (19 / 3)))
    assert np.isnan(cronbach_alpha(x[:, :1]))


def test_pca_matches_correlation_eigen_decomposition() -> None:
    rng = np.random.default_rng(2)
    f = rng.normal(size=100)
    x = np.stack([f + 0.3 * rng.normal(size=100) for _ in range(4)], axis=1) * [1, 10, 100, 0.5]
    x[5, 1] = np.nan
    res = pca(x)
    assert res.n_used == 99
    corr = np.corrcoef(x[~np.isnan(x).any(axis=1)], rowvar=False)
    eig = np.sort(np.linalg.eigvalsh(corr))[::-1]
    np.testing.assert_allclose(res.explained_variance, eig, atol=1e-10)
    assert res.explained_ratio.sum() == pytest.approx(1.0)
    assert (res.loadings[:, 0] > 0).all() and res.explained_ratio[0] > 0.8
    with pytest.raises(ValueError, match="constant"):
        pca(np.stack([np.arange(5.0), np.ones(5)], axis=1))
