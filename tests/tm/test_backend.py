"""Tests of the array adapter's random draws: the chi-square sampler of the order-parameter chain."""
import numpy as np
import pytest
from scipy import stats

from biascourse.tm._backend import ArrayBackend


@pytest.mark.parametrize("backend", ["numpy", "torch"])
@pytest.mark.parametrize("df", [1, 1.5, 2, 3.5, 10, 9996, 10**6])
def test_chisquare_has_the_chi_square_law(backend, df):
    """Marsaglia-Tsang draws (with the boost for df < 2) against scipy's chi-square CDF."""
    xb = ArrayBackend(backend, 7, None, "float64")
    x = xb.to_numpy(xb.chisquare(df, (40_000,)))
    assert x.shape == (40_000,) and np.all(x >= 0)
    assert stats.kstest(x, stats.chi2(df).cdf).pvalue > 1e-4
    # mean df and variance 2 df, within 4.5 standard errors
    assert abs(x.mean() - df) < 4.5 * np.sqrt(2 * df / x.size)
    assert abs(x.var() / (2 * df) - 1) < 4.5 * np.sqrt(2 * (1 + 6 / df) / x.size)


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_chisquare_with_one_df_per_column(backend):
    """Bartlett's diagonal: df = N - 4 - j in column j, as the chain draws it; and small df mixed in."""
    xb = ArrayBackend(backend, 3, None, "float64")
    df = np.array([496.0, 495.0, 1.0, 2.5])
    x = xb.to_numpy(xb.chisquare(df, (30_000, 4)))
    for j, k in enumerate(df):
        assert stats.kstest(x[:, j], stats.chi2(k).cdf).pvalue > 1e-4, f"column {j}, df {k}"


@pytest.mark.parametrize("df", [1.0, 7.5, 496.0])
def test_chisquare_of_few_draws_uses_an_exact_sampler_too(df):
    """Under 4096 draws the numpy backend calls numpy's own sampler."""
    xb = ArrayBackend("numpy", 11, None, "float64")
    x = np.concatenate([xb.chisquare(df, (50, 40)).ravel() for _ in range(10)])
    assert stats.kstest(x, stats.chi2(df).cdf).pvalue > 1e-4


def test_same_seed_same_draws_and_bad_df_raises():
    a, b = (ArrayBackend("numpy", [1, 2], None, "float64") for _ in range(2))
    np.testing.assert_array_equal(a.chisquare(50, (100,)), b.chisquare(50, (100,)))
    np.testing.assert_array_equal(a.normal32((3, 5)), b.normal32((3, 5)))
    for df in (0.5, 0, np.inf, [3.0, 0.9]):
        with pytest.raises(ValueError, match=r"df must be in \[1, inf\)"):
            a.chisquare(df, (2,))
