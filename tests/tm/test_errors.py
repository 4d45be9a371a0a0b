"""Tests of biascourse.tm (module _errors): the per-group error formulas of https://biascourse.github.io/biascourse/book/derivations/tm_model.html#deriv-tm-errors and the bivariate normal CDF."""
import numpy as np
import pytest
from scipy import stats

from biascourse.tm import TMParams, bivariate_normal_cdf, group_error_rate, group_mse


def test_bivariate_normal_cdf_matches_scipy_including_edges():
    rng = np.random.default_rng(1)
    points = [(h, k, r) for h in (-1.3, 0.0, 0.4) for k in (-0.7, 0.0, 2.1) for r in (-0.95, -0.3, 0.0, 0.6, 0.99)]
    points += [tuple(x) for x in np.column_stack([rng.normal(size=30), rng.normal(size=30), rng.uniform(-1, 1, 30)])]
    h, k, r = np.array(points).T
    ours = bivariate_normal_cdf(h, k, r)
    ref = [stats.multivariate_normal(cov=[[1, ri], [ri, 1]]).cdf([hi, ki]) for hi, ki, ri in points]
    np.testing.assert_allclose(ours, ref, atol=2e-6)  # scipy's own integration tolerance
    np.testing.assert_allclose(bivariate_normal_cdf(0.3, -0.2, 1.0), stats.norm.cdf(-0.2))
    np.testing.assert_allclose(bivariate_normal_cdf(0.3, -0.2, -1.0), stats.norm.cdf(0.3) + stats.norm.cdf(-0.2) - 1)
    np.testing.assert_allclose(bivariate_normal_cdf(-0.3, -0.2, -1.0), 0.0)


def test_centred_error_rate_is_arccos_and_independent_of_variance():
    p = TMParams(rho=0.7, delta_plus=0.3, delta_minus=2.5, T=0.8)
    R_plus, R_minus, Q = np.array([0.2, 0.5]), np.array([0.1, 0.45]), np.array([0.3, 0.6])
    err_plus, err_minus = group_error_rate(p, R_plus, R_minus, 0.0, Q)
    np.testing.assert_allclose(err_plus, np.arccos(R_plus / np.sqrt(Q)) / np.pi, rtol=1e-12)
    np.testing.assert_allclose(err_minus, np.arccos(R_minus / np.sqrt(Q)) / np.pi, rtol=1e-12)


def test_error_rate_is_nan_at_zero_weights():
    err_plus, err_minus = group_error_rate(TMParams(), 0.0, 0.0, 0.0, 0.0)
    assert np.isnan(err_plus) and np.isnan(err_minus)


def test_mse_at_zero_weights_is_one_half():
    eps_plus, eps_minus = group_mse(TMParams(alpha_plus=0.5, v=1.0, T=0.5, m_minus=0.3), 0.0, 0.0, 0.0, 0.0)
    assert eps_plus == pytest.approx(0.5) and eps_minus == pytest.approx(0.5)


@pytest.mark.parametrize("b", [0.0, 0.15])
def test_formulas_match_monte_carlo_on_gaussian_fields(b):
    """Draw the fields of https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-odes directly from their joint Gaussian law and average the errors."""
    p = TMParams(rho=0.7, delta_plus=0.5, delta_minus=1.5, v=2.0, T=0.6, m_plus=0.8, m_minus=-0.5,
                 alpha_plus=0.3, alpha_minus=-0.2)
    R_plus, R_minus, M, Q = 0.4, 0.3, 0.35, 0.5
    cov = np.array([[Q, R_plus, R_minus], [R_plus, 1, p.T], [R_minus, p.T, 1]])
    rng = np.random.default_rng(2)
    n = 400_000
    zeta = rng.multivariate_normal(np.zeros(3), cov, size=n)
    eps = group_mse(p, R_plus, R_minus, M, Q, b)
    err = group_error_rate(p, R_plus, R_minus, M, Q, b)
    for i, (c, delta, m, alpha) in enumerate(((1, 0.5, 0.8, 0.3), (-1, 1.5, -0.5, -0.2))):
        y_hat = c * M + b + np.sqrt(delta) * zeta[:, 0]
        y = np.sign(c * m + alpha + np.sqrt(delta) * zeta[:, 1 + i])
        loss = 0.5 * (y - y_hat) ** 2
        wrong = np.sign(y_hat) != y
        assert eps[i] == pytest.approx(loss.mean(), abs=4 * loss.std() / np.sqrt(n))
        assert err[i] == pytest.approx(wrong.mean(), abs=4 * wrong.std() / np.sqrt(n))
