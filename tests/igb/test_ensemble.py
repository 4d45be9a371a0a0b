"""Tests of biascourse/igb/_ensemble.py: batched initialisations and guess fractions."""
import numpy as np
import pytest
import torch
from torch import nn

from biascourse import igb


def test_spec_validation_messages():
    with pytest.raises(ValueError, match=r"width must be an integer in \[1, inf\); got 0"):
        igb.MLPSpec(input_dim=3, width=0)
    with pytest.raises(ValueError, match="sigma_w2 must be > 0"):
        igb.MLPSpec(input_dim=3, sigma_w2=0.0)
    with pytest.raises(ValueError, match="pool must divide width"):
        igb.MLPSpec(input_dim=3, width=10, pool=3)
    with pytest.raises(ValueError, match="norm must be one of"):
        igb.MLPSpec(input_dim=3, norm="group")
    with pytest.raises(ValueError, match="activation must be one of"):
        igb.MLPSpec(input_dim=3, activation="elu")
    assert igb.MLPSpec(input_dim=5, width=8, depth=2, pool=2, n_out=3).layer_sizes == [(5, 8), (4, 8), (4, 3)]


def test_initialisation_k_does_not_depend_on_the_ensemble():
    spec = igb.MLPSpec(input_dim=6, width=10, depth=2, sigma_b2=0.3)
    full = igb.MLPEnsemble(spec, inits=5, seed=7)
    part = igb.MLPEnsemble(spec, inits=[4, 2], seed=7)
    for wf, wp in zip(full.weights, part.weights):
        torch.testing.assert_close(wf[[4, 2]], wp)
    for bf, bp in zip(full.biases, part.biases):
        torch.testing.assert_close(bf[[4, 2]], bp)
    other = igb.MLPEnsemble(spec, inits=5, seed=8)
    assert not torch.equal(full.weights[0], other.weights[0])


def test_weight_and_bias_variances():
    spec = igb.MLPSpec(input_dim=200, width=300, depth=1, sigma_w2=1.5, sigma_b2=0.2)
    net = igb.MLPEnsemble(spec, inits=4, seed=0)
    w, b = net.weights[0].detach().numpy(), net.biases[0].detach().numpy()
    assert w.var() * 200 == pytest.approx(1.5, rel=4 * np.sqrt(2 / w.size))
    assert b.var() == pytest.approx(0.2, rel=4 * np.sqrt(2 / b.size))


class Shift(nn.Module):
    """Subtract a constant (the shift of a shifted activation)."""

    def __init__(self, shift):
        super().__init__()
        self.shift = shift

    def forward(self, x):
        return x - self.shift


def norm_layer(kind, size):
    """torch's own normalisation layer, without the affine part (the identity at initialisation)."""
    if kind == "bn":
        return nn.BatchNorm1d(size, affine=False)
    return nn.LayerNorm(size, elementwise_affine=False)


@pytest.mark.parametrize("norm", igb.NORMS)
@pytest.mark.parametrize("pool", [1, 2])
def test_forward_equals_torch_modules_one_initialisation_at_a_time(norm, pool):
    spec = igb.MLPSpec(input_dim=7, width=12, depth=2, n_out=3, shift=0.3, sigma_b2=0.1, pool=pool, norm=norm)
    net = igb.MLPEnsemble(spec, inits=3, seed=1)
    x = torch.randn(40, 7)
    out = net(x)
    assert out.shape == (3, 40, 3)
    for k in range(3):
        layers = []
        for layer, (fan_in, fan_out) in enumerate(spec.layer_sizes):
            lin = nn.Linear(fan_in, fan_out)
            with torch.no_grad():
                lin.weight.copy_(net.weights[layer][k].T)
                lin.bias.copy_(net.biases[layer][k, 0])
            layers.append(lin)
            if layer == spec.depth:
                break
            kind, _, place = norm.partition("_")
            if place == "before":
                layers.append(norm_layer(kind, fan_out))
            layers.append(nn.ReLU())
            layers.append(Shift(spec.shift))
            if place == "after":
                layers.append(norm_layer(kind, fan_out))
            if pool > 1:
                layers += [nn.Unflatten(1, (1, fan_out)), nn.MaxPool1d(pool), nn.Flatten()]
        reference = nn.Sequential(*layers).train()  # BatchNorm uses the batch statistics
        torch.testing.assert_close(out[k], reference(x), rtol=1e-4, atol=1e-5)


def test_fractions_from_outputs_hand_computed():
    outputs = np.array([[[2.0, 1.0, 0.0], [0.0, 3.0, 1.0], [0.0, 1.0, 5.0], [4.0, 0.0, 0.0]]])
    np.testing.assert_allclose(igb.fractions_from_outputs(outputs), [[0.5, 0.25, 0.25]])
    sign = np.array([[[0.5], [-1.0], [2.0], [3.0]], [[-1.0], [-2.0], [-0.1], [0.2]]])
    np.testing.assert_allclose(igb.fractions_from_outputs(sign), [[0.75, 0.25], [0.25, 0.75]])  # class 0 iff O > 0


def test_guess_fractions_for_an_ensemble_and_for_a_plain_network():
    spec = igb.MLPSpec(input_dim=4, width=16, depth=1, n_out=3)
    net = igb.MLPEnsemble(spec, inits=5, seed=0)
    x = np.random.default_rng(0).standard_normal((50, 4)).astype(np.float32)
    g = igb.guess_fractions(net, x)
    assert g.shape == (5, 3)
    np.testing.assert_allclose(g.sum(axis=1), 1.0)
    torch.manual_seed(0)
    single = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    g1 = igb.guess_fractions(single, x)
    assert g1.shape == (2,)
    labels = single(torch.as_tensor(x)).argmax(dim=1).numpy()
    np.testing.assert_allclose(g1, [np.mean(labels == 0), np.mean(labels == 1)])


def test_init_statistics_does_not_depend_on_the_chunk_size():
    spec = igb.MLPSpec(input_dim=5, width=20, depth=2)
    x = np.random.default_rng(0).standard_normal((30, 5))
    a = igb.init_statistics(spec, x, n_init=13, seed=2, chunk_size=4)
    b = igb.init_statistics(spec, x, n_init=13, seed=2, chunk_size=13)
    np.testing.assert_array_equal(a.fractions, b.fractions)
    np.testing.assert_allclose(a.output_mean, b.output_mean, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(a.layer_gamma.value, b.layer_gamma.value, rtol=1e-5)
    np.testing.assert_allclose(a.fractions, igb.guess_fractions(igb.MLPEnsemble(spec, 13, seed=2), x))
    with pytest.raises(ValueError, match=r"data must have shape \(any, 5\); got \(30, 3\)"):
        igb.init_statistics(spec, x[:, :3], n_init=4, seed=0)


def test_ensemble_trains_with_the_course_loop_like_separate_runs():
    from biascourse.train import train

    rng = np.random.default_rng(0)
    x = rng.standard_normal((300, 10)).astype(np.float32)
    y = (x[:, 0] + 0.3 * x[:, 1] > 0.4).astype(np.int64)
    spec = igb.MLPSpec(input_dim=10, width=32, depth=2)
    kwargs = dict(steps=25, batch_size=50, loss="cross_entropy", optimizer="adam", lr=3e-3, data_seeds=1,
                  eval_sets={"test": (x[:100], y[:100])}, eval_at=[0, 5, 25], progress=False)
    joint = igb.MLPEnsemble(spec, inits=[0, 1, 2], seed=5)
    hist = train(joint, (x, y), **kwargs)
    assert hist.get("accuracy", cls="0").shape == (3, 3)
    for row, k in enumerate([0, 1, 2]):
        alone = igb.MLPEnsemble(spec, inits=[k], seed=5)
        single = train(alone, (x, y), **kwargs)
        for w_joint, w_alone in zip(joint.weights, alone.weights):
            np.testing.assert_allclose(w_joint[row].detach().numpy(), w_alone[0].detach().numpy(), rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(hist.get("accuracy")[row], single.get("accuracy")[0])
    assert np.all(hist.get("loss")[:, -1] < hist.get("loss")[:, 0])


def test_favoured_first():
    per_class = np.arange(2 * 3 * 3).reshape(2, 3, 3)  # (K, T, C)
    fractions = np.array([[0.2, 0.5, 0.3], [0.6, 0.1, 0.3]])
    out = igb.favoured_first(per_class, fractions)
    np.testing.assert_array_equal(out[0], per_class[0][:, [1, 2, 0]])
    np.testing.assert_array_equal(out[1], per_class[1][:, [0, 2, 1]])
    with pytest.raises(ValueError, match="per_class must be"):
        igb.favoured_first(per_class, fractions[:, :2])
    with pytest.raises(ValueError, match="shared=True needs x of shape"):
        igb.MLPEnsemble(igb.MLPSpec(input_dim=3), inits=2, seed=0)(torch.zeros(2, 4, 3), shared=True)
