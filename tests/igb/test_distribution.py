"""Tests of biascourse/igb/_distribution.py against the test vectors of (https://biascourse.github.io/biascourse/book/derivations/initial_guessing_bias.html#deriv-igb-estimator)."""
import numpy as np
import pytest
from scipy import integrate, stats

from biascourse import igb

GAMMA_RELU = 1 / (np.pi - 1)


def test_note_test_vectors():
    assert igb.g0_variance(GAMMA_RELU) == pytest.approx(0.0515576, abs=1e-7)
    assert np.sqrt(igb.g0_variance(GAMMA_RELU)) == pytest.approx(0.2270630, abs=1e-7)
    assert igb.expected_gmax(GAMMA_RELU) == pytest.approx(0.6908113, abs=1e-7)
    assert igb.gmax_tail(0.9, GAMMA_RELU) == pytest.approx(0.0607, abs=5e-5)
    assert igb.g0_variance(1.0) == pytest.approx(1 / 12)
    assert igb.expected_gmax(1.0) == pytest.approx(0.75)
    np.testing.assert_allclose(igb.g0_variance([4.0, 0.25]), [0.147584, 0.032047], atol=1e-6)
    np.testing.assert_allclose(igb.expected_gmax([4.0, 0.25]), [0.852416, 0.647584], atol=1e-6)
    assert igb.c_from_gamma(GAMMA_RELU) == pytest.approx(1 / np.pi)


def test_gamma_one_is_uniform():
    f = np.linspace(0.01, 0.99, 21)
    np.testing.assert_allclose(igb.g0_density(f, 1.0), 1.0)
    np.testing.assert_allclose(igb.g0_cdf(f, 1.0), f, atol=1e-12)


@pytest.mark.parametrize("gamma", [0.1, GAMMA_RELU, 1.0, 4.0])
def test_density_is_normalised_and_has_the_stated_variance(gamma):
    # integrate over z < 0 with f = Phi(z) (accurate near f = 0, where the density may diverge),
    # and double: the law is symmetric about 1/2
    def moment(power):
        def integrand(z):
            f = stats.norm.cdf(z)
            return (f - 0.5) ** power * igb.g0_density(f, gamma) * stats.norm.pdf(z)

        return 2 * integrate.quad(integrand, -30, 0, limit=200)[0]

    mass, var = moment(0), moment(2)
    assert mass == pytest.approx(1.0, abs=1e-6)
    assert var == pytest.approx(igb.g0_variance(gamma), abs=1e-6)
    assert igb.g0_density(0.5, gamma) == pytest.approx(1 / np.sqrt(gamma))


@pytest.mark.parametrize("gamma", [0.25, GAMMA_RELU, 4.0])
def test_moments_match_monte_carlo_of_phi_sqrt_gamma_z(gamma):
    g0 = stats.norm.cdf(np.sqrt(gamma) * np.random.default_rng(1).standard_normal(400_000))
    gmax = np.maximum(g0, 1 - g0)
    assert abs(g0.var() - igb.g0_variance(gamma)) < 4 * np.std((g0 - 0.5) ** 2) / np.sqrt(g0.size)
    assert abs(gmax.mean() - igb.expected_gmax(gamma)) < 4 * gmax.std() / np.sqrt(g0.size)
    p = igb.gmax_tail(0.8, gamma)
    assert abs(np.mean(gmax > 0.8) - p) < 4 * np.sqrt(p * (1 - p) / g0.size)


def test_link_and_inverse_estimator():
    gammas = np.array([0.0, 0.3, 1.0, 7.0])
    np.testing.assert_allclose(igb.gamma_from_c(igb.c_from_gamma(gammas)), gammas)
    assert igb.gamma_from_c(1.0) == np.inf
    np.testing.assert_allclose(igb.gamma_from_g0_variance(igb.g0_variance(gammas)), gammas, atol=1e-12)


def test_multiclass_sampler():
    two = igb.sample_guess_fractions(GAMMA_RELU, 2, 20_000, seed=0)
    np.testing.assert_allclose(two.sum(axis=1), 1.0, atol=1e-8)
    assert abs(two[:, 0].var() - igb.g0_variance(GAMMA_RELU)) < 4 * np.std((two[:, 0] - 0.5) ** 2) / np.sqrt(len(two))
    ten = igb.sample_guess_fractions(4.0, 10, 500, seed=0)
    np.testing.assert_allclose(ten.sum(axis=1), 1.0, atol=1e-6)
    np.testing.assert_array_equal(ten, igb.sample_guess_fractions(4.0, 10, 500, seed=0))
    # the class with the largest mean wins most; stronger bias concentrates more
    assert ten.max(axis=1).mean() > igb.sample_guess_fractions(0.1, 10, 500, seed=0).max(axis=1).mean()


def test_errors():
    with pytest.raises(ValueError, match=r"gamma must hold values in \[0, inf\)"):
        igb.g0_variance(-1.0)
    with pytest.raises(ValueError, match="f must lie strictly inside"):
        igb.g0_density(1.0, 0.5)
    with pytest.raises(ValueError, match="t must be in"):
        igb.gmax_tail(0.3, 0.5)
    with pytest.raises(ValueError, match=r"c must hold values in \[0, 1\]; got values from 1.5 to 1.5"):
        igb.gamma_from_c(1.5)
