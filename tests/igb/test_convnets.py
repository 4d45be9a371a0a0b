"""Tests of biascourse/igb/_convnets.py: convolutional networks at initialisation (https://biascourse.github.io/biascourse/book/derivations/initial_guessing_bias.html#deriv-igb-convnets)."""
import numpy as np
import pytest
import torch
from torch import nn

from biascourse import igb
from biascourse.models import SmallCNN


def test_small_cnn_inserts_batchnorm_and_keeps_the_weights():
    plain = SmallCNN(n_classes=2, seed=3)
    for norm, position in [("bn_before", 1), ("bn_after", 2)]:
        model = igb.small_cnn(norm, seed=3, n_classes=2)
        layers = list(model.net)
        norms = [i for i, layer in enumerate(layers) if isinstance(layer, nn.BatchNorm2d)]
        assert len(norms) == 2 and norms[0] == position  # conv, [BN], ReLU, [BN], pool, ...
        assert [layers[i].num_features for i in norms] == [16, 32]
        for a, b in zip([m for m in plain.net if isinstance(m, (nn.Conv2d, nn.Linear))],
                        [m for m in layers if isinstance(m, (nn.Conv2d, nn.Linear))]):
            torch.testing.assert_close(a.weight, b.weight)
    assert not any(isinstance(m, nn.BatchNorm2d) for m in igb.small_cnn("none", seed=3).net)
    with pytest.raises(ValueError, match="norm must be one of"):
        igb.small_cnn("ln_after")


def test_init_seed_is_reproducible_and_distinct():
    assert igb.init_seed(5, 2) == igb.init_seed(5, 2)
    assert len({igb.init_seed(5, k) for k in range(50)} | {igb.init_seed(6, 0)}) == 51
    with pytest.raises(ValueError, match=r"k must be an integer in \[0, inf\)"):
        igb.init_seed(5, -1)


def test_network_statistics_rebuilds_each_initialisation():
    x = np.random.default_rng(0).standard_normal((64, 1, 8, 8)).astype(np.float32)

    def build(seed):
        return nn.Sequential(nn.Flatten(), nn.Linear(64, 16), nn.ReLU(), nn.Linear(16, 2))

    res = igb.network_statistics(lambda s: _seeded(build, s), x, 6, seed=1)
    assert res.fractions.shape == (6, 2) and res.layer_gamma is None
    np.testing.assert_allclose(res.fractions.sum(axis=1), 1.0)
    # initialisation k is rebuilt exactly from its seed
    out = _seeded(build, igb.init_seed(1, 4))(torch.as_tensor(x)).detach()
    np.testing.assert_allclose(res.fractions[4], igb.fractions_from_outputs(out))
    scalar = (out[:, 0] - out[:, 1]).double().numpy()
    assert res.output_mean[4] == pytest.approx(scalar.mean(), rel=1e-6)
    assert res.output_var[4] == pytest.approx(scalar.var(), rel=1e-5)
    with pytest.raises(ValueError, match=r"n_init must be an integer in \[2, inf\)"):
        igb.network_statistics(build, x, 1, seed=0)


def test_batchnorm_after_the_last_relu_in_train_mode():
    # BN after the last activation, no pooling or bias after it: every feature has zero data-mean,
    # so the output's data-mean is exactly 0 (https://biascourse.github.io/biascourse/book/derivations/initial_guessing_bias.html#deriv-igb-normalisation).
    x = np.random.default_rng(2).standard_normal((50, 1, 6, 6)).astype(np.float32)

    def build(seed):
        torch.manual_seed(seed)
        return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.BatchNorm2d(4), nn.Flatten(),
                             nn.Linear(144, 2, bias=False))

    res = igb.network_statistics(build, x, 20, seed=0)
    # BatchNorm2d centres each channel over images *and* positions, not each flattened feature:
    # the output's data-mean is not zero, but the same network with BatchNorm1d over the features is
    flat = igb.network_statistics(
        lambda s: _seeded(lambda _: nn.Sequential(nn.Flatten(), nn.Linear(36, 16), nn.ReLU(), nn.BatchNorm1d(16),
                                                  nn.Linear(16, 2, bias=False)), s), x, 20, seed=0)
    np.testing.assert_allclose(flat.output_mean, 0.0, atol=1e-5)
    assert np.abs(res.output_mean).max() > 1e-3


def test_relu_mlp_through_network_statistics_has_the_one_layer_gamma():
    # One hidden ReLU layer with He weights and no biases on centred Gaussian data: gamma = 1/(pi - 1)
    # plus the finite-sample floor (1 + gamma)/(n - 1), within 3 standard errors.
    n, n_init = 400, 300
    x = np.random.default_rng(3).standard_normal((n, 50)).astype(np.float32)

    def build(seed):
        torch.manual_seed(seed)
        net = nn.Sequential(nn.Linear(50, 100, bias=False), nn.ReLU(), nn.Linear(100, 2, bias=False))
        for layer in net[::2]:
            nn.init.normal_(layer.weight, std=np.sqrt(2 / layer.in_features))
        return net

    est = igb.network_statistics(build, x, n_init, seed=4).gamma
    expected = (n * igb.GAMMA_RELU + 1) / (n - 1)
    assert est.value == pytest.approx(expected, abs=3 * est.stderr)


def _seeded(build, seed):
    torch.manual_seed(seed)
    return build(seed)
