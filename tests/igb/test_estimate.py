"""Tests of biascourse/igb/_estimate.py: the gamma estimator, and Monte-Carlo over initialisations
against the theory (https://biascourse.github.io/biascourse/book/derivations/initial_guessing_bias.html#deriv-igb-law, https://biascourse.github.io/biascourse/book/derivations/initial_guessing_bias.html#deriv-igb-architecture, https://biascourse.github.io/biascourse/book/derivations/initial_guessing_bias.html#deriv-igb-normalisation and 8).

Tolerances: a variance ratio from K initialisations has a relative standard error of about
sqrt(2/K), so theory and simulation must agree within 3 sqrt(2/K); the estimate on n data
points is the infinite-data gamma plus (1 + gamma)/n (https://biascourse.github.io/biascourse/book/derivations/initial_guessing_bias.html#deriv-igb-estimator).
"""
import numpy as np
import pytest
import torch
from scipy import stats

from biascourse import igb

N_DATA, DIM = 400, 64
DATA = np.random.default_rng(2024).standard_normal((N_DATA, DIM)).astype(np.float32)


def finite_data(gamma, n=N_DATA):
    """Expected estimate on n data points for infinite-data gamma."""
    return gamma + (1 + gamma) / n


def assert_agrees(estimate, gamma, n_init, n=N_DATA):
    expected = finite_data(gamma, n)
    assert abs(estimate.value - expected) < 3 * np.sqrt(2 / n_init) * expected, (estimate, expected)


def test_gamma_ratio_hand_computed():
    est = igb.gamma_ratio(np.array([1.0, 3.0]), np.array([2.0, 2.0]))
    assert est.value == pytest.approx(1.0)
    assert est.stderr == pytest.approx(0.5)  # std(a - b, ddof=1) / (sqrt(2) * mean b) = sqrt(2) / (2 sqrt(2))
    assert est.c == pytest.approx(0.5)
    with pytest.raises(ValueError, match="same shape"):
        igb.gamma_ratio(np.ones(3), np.ones(4))


def test_estimator_on_the_gaussian_mean_model():
    rng = np.random.default_rng(0)
    gamma, k, n = 0.7, 4000, 200
    outputs = np.sqrt(gamma) * rng.standard_normal((k, 1)) + rng.standard_normal((k, n))
    est = igb.estimate_gamma(outputs)
    expected = gamma + (1 + gamma) / n
    assert abs(est.value - expected) < 3 * est.stderr
    assert est.stderr == pytest.approx(expected * np.sqrt(2 / k), rel=0.15)  # the note's rule of thumb
    # two outputs: gamma of O_0 - O_1
    two = np.stack([outputs, np.zeros_like(outputs)], axis=-1)
    assert igb.estimate_gamma(two).value == pytest.approx(est.value)


@pytest.mark.parametrize("n_out", [1, 2])
def test_one_relu_layer_matches_one_over_pi_minus_one(n_out):
    k = 2000
    spec = igb.MLPSpec(input_dim=DIM, width=128, depth=1, n_out=n_out)
    st = igb.init_statistics(spec, DATA, n_init=k, seed=11)
    assert_agrees(st.gamma, igb.GAMMA_RELU, k)
    assert st.fractions.shape == (k, 2)
    # the G_0 law: Phi^{-1}(G_0) / sqrt(gamma) is standard normal (Kolmogorov-Smirnov)
    g0 = np.clip(st.g0, 0.5 / N_DATA, 1 - 0.5 / N_DATA)
    z = stats.norm.ppf(g0) / np.sqrt(finite_data(igb.GAMMA_RELU))
    assert stats.kstest(z, "norm").pvalue > 0.001
    assert abs(st.gmax.mean() - igb.expected_gmax(igb.GAMMA_RELU)) < 4 * st.gmax.std() / np.sqrt(k)


@pytest.mark.slow
def test_deep_relu_follows_the_depth_recursion():
    k, depth, n = 1000, 3, 200
    spec = igb.MLPSpec(input_dim=DIM, width=256, depth=depth)
    st = igb.init_statistics(spec, DATA[:n], n_init=k, seed=12)
    assert_agrees(st.gamma, igb.gamma_relu_depth(depth), k, n)
    # every layer's pre-activations: gamma_l = G^(l-1)(0), layer 1 being the (centred) input layer
    expected = finite_data(igb.gamma_relu_depth(np.arange(depth + 1)), n)
    assert np.all(np.abs(st.layer_gamma.value - expected) < 3 * np.sqrt(2 / k) * expected + 4 / n)


def test_tanh_on_centred_data_has_no_igb():
    spec = igb.MLPSpec(input_dim=DIM, width=128, depth=2, activation="tanh", sigma_w2=1.5)
    st = igb.init_statistics(spec, DATA, n_init=500, seed=13)
    assert st.gamma.value < 3 / N_DATA  # only the finite-sample floor of about 1/n remains
    assert st.gmax.mean() < 0.55


def test_linear_net_on_shifted_data_gives_s_squared():
    s, k = 0.6, 1500
    x = DATA + s
    assert igb.gamma_linear(x) == pytest.approx(s**2, rel=0.1)  # the note's test vector, up to sampling
    spec = igb.MLPSpec(input_dim=DIM, width=64, depth=1, activation="linear", sigma_w2=1.0)
    est = igb.init_statistics(spec, x, n_init=k, seed=14).gamma
    assert abs(est.value - igb.gamma_linear(x)) < 3 * np.sqrt(2 / k) * igb.gamma_linear(x)


def test_max_pooling_matches_the_quadrature():
    k = 1500
    spec = igb.MLPSpec(input_dim=DIM, width=256, depth=1, pool=2)
    assert_agrees(igb.init_statistics(spec, DATA, n_init=k, seed=15).gamma, igb.gamma_maxpool(2), k)


@pytest.mark.slow
@pytest.mark.parametrize("norm", ["bn_before", "bn_after", "ln_after"])
def test_normalisation_placement(norm):
    k, n = 600, 200
    spec = igb.MLPSpec(input_dim=DIM, width=128, depth=3, norm=norm)
    est = igb.init_statistics(spec, DATA[:n], n_init=k, seed=16).gamma
    theory = igb.gamma_mean_field(spec)
    if norm == "bn_before":
        assert theory == pytest.approx(igb.GAMMA_RELU)
        assert_agrees(est, theory, k, n)
    else:  # BN after ReLU: mu_W = 0 exactly; LN after ReLU: an O(1/width) residual
        assert theory == pytest.approx(0.0, abs=1e-12)
        assert est.value < 0.05


def test_shifted_relu_removes_igb_where_the_variance_is_two():
    spec = igb.MLPSpec(input_dim=DIM, width=128, depth=1, shift=igb.SHIFTED_RELU_SHIFT)
    assert igb.gamma_mean_field(spec) == pytest.approx(0.0, abs=1e-12)
    # finite input dimension: unit norms |w_i|^2 fluctuate by sqrt(2/d), leaving a small residual
    assert igb.init_statistics(spec, DATA, n_init=500, seed=17).gamma.value < 0.02


def test_output_correlation_is_gamma_over_one_plus_gamma():
    spec = igb.MLPSpec(input_dim=DIM, width=128, depth=6, activation="tanh", sigma_w2=2.5, sigma_b2=0.1)
    x = DATA[:200]
    net = igb.MLPEnsemble(spec, inits=300, seed=18)
    outputs = net(torch.as_tensor(x)).detach()
    est = igb.estimate_gamma(outputs)
    assert igb.output_correlation(outputs) == pytest.approx(est.c, abs=2 / len(x))
    # and the mean-field correlation map predicts it (https://biascourse.github.io/biascourse/book/derivations/initial_guessing_bias.html#deriv-igb-meanfield)
    _, c = igb.correlation_profile(spec)
    assert abs(est.c - c[-1]) < 3 * est.stderr / (1 + est.value) ** 2 + 0.02
