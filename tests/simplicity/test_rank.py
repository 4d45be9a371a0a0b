"""Tests of biascourse/simplicity/_rank.py: the effective rank (https://biascourse.github.io/biascourse/book/derivations/simplicity_biases.html#deriv-simp-lowrank)."""
import numpy as np
import pytest
import torch

from biascourse.models import BatchedMLP
from biascourse.simplicity import effective_rank, effective_rank_probe, hidden_features


def test_effective_rank_hand_computed():
    # singular values (3, 1): p = (3/4, 1/4), H = -(3/4 ln 3/4 + 1/4 ln 1/4) = ln 4 - (3/4) ln 3
    entropy = np.log(4) - 0.75 * np.log(3)
    assert effective_rank(np.diag([3.0, 1.0]), log=True) == pytest.approx(entropy, rel=1e-12)
    assert effective_rank(np.diag([3.0, 1.0])) == pytest.approx(4 / 3**0.75, rel=1e-12)  # exp(H) = 1.7548
    # a rotation does not change the singular values
    rotation = np.array([[0.6, -0.8], [0.8, 0.6]])
    assert effective_rank(rotation @ np.diag([3.0, 1.0])) == pytest.approx(4 / 3**0.75, rel=1e-12)


def test_effective_rank_limits_and_scale():
    assert effective_rank(np.eye(5)) == pytest.approx(5.0, rel=1e-12)
    assert effective_rank(np.eye(5), log=True) == pytest.approx(np.log(5), rel=1e-12)
    assert effective_rank(np.outer([1.0, 2.0, 3.0], [1.0, -1.0])) == pytest.approx(1.0, abs=1e-12)
    x = np.random.default_rng(0).standard_normal((30, 6))
    assert effective_rank(7.5 * x) == pytest.approx(effective_rank(x), rel=1e-12)
    assert 1.0 <= effective_rank(x) <= 6.0
    assert np.isnan(effective_rank(np.zeros((3, 3))))
    batch = np.stack([np.eye(3), np.diag([1.0, 0.0, 0.0])])
    np.testing.assert_allclose(effective_rank(batch), [3.0, 1.0], rtol=1e-12)
    with pytest.raises(ValueError, match="matrix must have shape"):
        effective_rank(np.ones(3))


def test_hidden_features_feed_the_readout():
    net = BatchedMLP(3, 10, [8, 6], 4, seeds=range(3), init_std=np.sqrt(2))
    x = np.random.default_rng(1).standard_normal((5, 10)).astype(np.float32)
    features = hidden_features(net, x)
    assert features.shape == (3, 5, 6)
    out = torch.matmul(features, net.weights[-1]) + net.biases[-1]
    torch.testing.assert_close(out, net(torch.as_tensor(x)).detach())
    assert hidden_features(net, x, layer=1).shape == (3, 5, 8)
    torch.testing.assert_close(hidden_features(net, x, layer=-2), hidden_features(net, x, layer=1))
    with pytest.raises(ValueError, match="layer must be an integer"):
        hidden_features(net, x, layer=3)


def test_effective_rank_probe_per_network_and_centring():
    net = BatchedMLP(2, 10, [16], 3, seeds=[0, 1], init_std=np.sqrt(2))
    x = np.random.default_rng(2).standard_normal((40, 10)).astype(np.float32)
    ranks = effective_rank_probe(x)(net)
    assert ranks.shape == (2,)
    features = hidden_features(net, x)
    np.testing.assert_allclose(ranks, [effective_rank(f) for f in features])
    # ReLU features share a positive mean; removing it raises the effective rank
    assert np.all(effective_rank_probe(x, centre=True)(net) > ranks)


def test_gram_option_squares_the_singular_values():
    net = BatchedMLP(1, 6, [5], 2, seeds=[3], init_std=np.sqrt(2))
    x = np.random.default_rng(4).standard_normal((12, 6)).astype(np.float32)
    features = hidden_features(net, x)[0].double().numpy()
    s = np.linalg.svd(features, compute_uv=False)
    p = s**2 / (s**2).sum()
    entropy = -(p[p > 0] * np.log(p[p > 0])).sum()
    assert effective_rank_probe(x, gram=True, log=True)(net)[0] == pytest.approx(entropy, rel=1e-9)
