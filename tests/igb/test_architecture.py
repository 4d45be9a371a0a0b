"""Tests of biascourse/igb/_architecture.py: the closed forms of https://biascourse.github.io/biascourse/book/derivations/initial_guessing_bias.html#deriv-igb-architecture."""
import numpy as np
import pytest

from biascourse import igb


def test_one_relu_layer_and_one_step_of_the_depth_map():
    assert igb.GAMMA_RELU == pytest.approx(0.4669422, abs=1e-7)
    assert igb.relu_gamma_map(0.0) == pytest.approx(1 / (np.pi - 1))
    assert igb.gamma_maxpool(1) == pytest.approx(1 / (np.pi - 1), rel=1e-9)


def test_depth_recursion_equals_the_normalised_arc_cosine_map():
    # the depth recursion of https://biascourse.github.io/biascourse/book/derivations/initial_guessing_bias.html#deriv-igb-depth:
    # in c = gamma / (1 + gamma), c_{l+1} = [sqrt(1 - c^2) + (pi - arccos c) c] / pi
    gammas = np.array([0.0, 0.3, 1.0, 5.0, 40.0])
    c = igb.c_from_gamma(gammas)
    c_next = (np.sqrt(1 - c**2) + (np.pi - np.arccos(c)) * c) / np.pi
    np.testing.assert_allclose(igb.c_from_gamma(igb.relu_gamma_map(gammas)), c_next, rtol=1e-12)


def test_depth_table_is_increasing_and_matches_the_mean_field_route():
    depths = np.array([1, 2, 3, 4, 5, 10, 20, 50, 100])
    table = igb.gamma_relu_depth(depths)
    assert np.all(np.diff(table) > 0) and table[-1] > 100  # grows without bound
    for depth, value in zip(depths[:6], table[:6]):
        spec = igb.MLPSpec(input_dim=10, depth=int(depth), sigma_w2=1.3)  # any sigma_w gives the same gamma
        assert igb.gamma_mean_field(spec) == pytest.approx(value, rel=1e-10)
    assert igb.gamma_relu_depth(0) == 0.0
    with pytest.raises(TypeError, match=r"depth must be an integer or an array of integers in \[0, inf\); got 1.5"):
        igb.gamma_relu_depth(1.5)
    with pytest.raises(ValueError, match=r"depth must hold integers in \[0, inf\); got -1"):
        igb.gamma_relu_depth([2, -1])


def test_max_pooling_grows_with_k_and_matches_sampled_moments():
    values = [igb.gamma_maxpool(k) for k in (1, 2, 4, 8)]
    assert np.all(np.diff(values) > 0) and values[1] > 1  # exceeds 1 already at k = 2
    rng = np.random.default_rng(0)
    for k, value in zip((2, 4), values[1:3]):
        pooled = np.maximum(rng.standard_normal((400_000, k)).max(axis=1), 0.0)
        m, e = pooled.mean(), (pooled**2).mean()
        assert m**2 / (e - m**2) == pytest.approx(value, rel=0.01)
    with pytest.raises(ValueError, match=r"k must be an integer in \[1, inf\)"):
        igb.gamma_maxpool(0)
    with pytest.raises(TypeError, match=r"k must be an integer in \[1, inf\); got 2.5"):
        igb.gamma_maxpool(2.5)


def test_pooling_without_relu_closed_forms():
    # k = 1: no pooling, no activation, gamma = 0. k = 2: max(a, b) = (a + b)/2 + |a - b|/2 has mean
    # 1/sqrt(pi) and second moment 1, so gamma = 1/(pi - 1), the one-layer ReLU value. k = 3: the
    # maximum of three standard normals has mean 3/(2 sqrt(pi)) and second moment 1 + sqrt(3)/(2 pi).
    assert igb.gamma_maxpool(1, "linear") == pytest.approx(0.0, abs=1e-12)
    assert igb.gamma_maxpool(2, "linear") == pytest.approx(1 / (np.pi - 1), rel=1e-9)
    m3, e3 = 3 / (2 * np.sqrt(np.pi)), 1 + np.sqrt(3) / (2 * np.pi)
    assert igb.gamma_maxpool(3, "linear") == pytest.approx(m3**2 / (e3 - m3**2), rel=1e-9)
    with pytest.raises(ValueError, match="before must be one of"):
        igb.gamma_maxpool(2, "tanh")


def test_pooling_without_relu_matches_sampled_moments_and_approaches_relu():
    rng = np.random.default_rng(1)
    for k in (4, 8):
        pooled = rng.standard_normal((400_000, k)).max(axis=1)
        m, e = pooled.mean(), (pooled**2).mean()
        assert m**2 / (e - m**2) == pytest.approx(igb.gamma_maxpool(k, "linear"), rel=0.01)
    # below the ReLU value at every k >= 2, and the same as k grows (the maximum is almost never negative)
    ks = (2, 4, 8, 32)
    linear = np.array([igb.gamma_maxpool(k, "linear") for k in ks])
    relu = np.array([igb.gamma_maxpool(k) for k in ks])
    assert np.all(np.diff(linear) > 0) and np.all(linear < relu)
    assert linear[-1] == pytest.approx(relu[-1], rel=1e-6)


def test_gamma_linear_hand_computed():
    x = np.array([[1.0, 0.0], [3.0, 2.0]])  # mean (2, 1), per-coordinate variances (1, 1)
    assert igb.gamma_linear(x) == pytest.approx(5 / 2)
    centred = x - x.mean(axis=0)
    assert igb.gamma_linear(centred) == pytest.approx(0.0)
