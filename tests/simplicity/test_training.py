"""Tests of training with probes and of the 1-D spectral fit (https://biascourse.github.io/biascourse/book/derivations/simplicity_biases.html#deriv-simp-spectral, https://biascourse.github.io/biascourse/book/derivations/simplicity_biases.html#deriv-simp-conventions)."""
import numpy as np
import pytest
import torch

from biascourse.models import BatchedMLP
from biascourse.simplicity import (
    SpectralTarget,
    accuracy_probe,
    fit_spectral,
    log_energy_ratios,
    loss_probe,
    path_energy_probe,
    path_outputs,
    path_spectrum_probe,
    sample_pairs,
    train_with_probes,
)


def linear_stack(weights):
    """A stack of linear classifiers (no hidden layer) with the given (K, d, C) weights and zero biases."""
    weights = np.asarray(weights, dtype=np.float32)
    net = BatchedMLP(len(weights), weights.shape[1], [], weights.shape[2], seeds=range(len(weights)))
    with torch.no_grad():
        net.weights[0].copy_(torch.from_numpy(weights))
        net.biases[0].zero_()
    return net


def test_accuracy_and_loss_probes_hand_computed():
    x = np.array([[1.0, 0.0], [0.0, 1.0], [2.0, 1.0], [0.0, 3.0]])
    y = np.array([0, 1, 1, 1])
    net = linear_stack([np.eye(2), -np.eye(2)])  # network 0 predicts argmax x, network 1 argmin x
    np.testing.assert_allclose(accuracy_probe(x, y, batch=3)(net), [0.75, 0.25])
    np.testing.assert_allclose(accuracy_probe(x, np.zeros(4))(net), [0.5, 0.5])  # fraction predicted as class 0
    logits = torch.tensor(x)
    expected = torch.nn.functional.cross_entropy(logits, torch.tensor(y)).item()
    assert loss_probe(x, y, batch=3)(net)[0] == pytest.approx(expected, rel=1e-6)


def test_stacked_training_is_independent_training():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 5)).astype(np.float32)
    y = rng.integers(3, size=64)
    kwargs = dict(loss="cross_entropy", steps=20, record_at=[0, 5, 20], optimizer="adam", lr=1e-2, batch_size=16,
                  seed=3)
    pair = BatchedMLP(2, 5, [16], 3, seeds=[7, 8])
    alone = BatchedMLP(1, 5, [16], 3, seeds=[8])
    probe = {"loss": loss_probe(x, y)}
    both = train_with_probes(pair, x, y, probes=probe, **kwargs)
    single = train_with_probes(alone, x, y, probes=probe, **kwargs)
    np.testing.assert_array_equal(both.steps, [0, 5, 20])
    assert both["loss"].shape == (2, 3)
    np.testing.assert_allclose(both["loss"][1], single["loss"][0], rtol=1e-5)
    assert both["loss"][1, -1] < both["loss"][1, 0]


def test_training_validation():
    x, y = np.zeros((8, 2)), np.zeros(8, dtype=int)
    net = BatchedMLP(1, 2, [4], 2)
    with pytest.raises(ValueError, match="loss"):
        train_with_probes(net, x, y, loss="hinge", steps=2, record_at=[0], probes={})
    with pytest.raises(ValueError, match="record_at"):
        train_with_probes(net, x, y, loss="cross_entropy", steps=2, record_at=[0, 3], probes={})
    with pytest.raises(ValueError, match="optimizer"):
        train_with_probes(net, x, y, loss="cross_entropy", steps=2, record_at=[0], probes={}, optimizer="lbfgs")
    with pytest.raises(ValueError, match="batch_size"):
        train_with_probes(net, x, y, loss="cross_entropy", steps=2, record_at=[0], probes={}, batch_size=9)
    with pytest.raises(ValueError, match="K = 1 networks"):
        train_with_probes(net, x, np.zeros((3, 8)), loss="mse", steps=2, record_at=[0], probes={})


def test_path_outputs_of_a_stack():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((12, 3))
    labels = np.arange(12) % 3
    pairs = sample_pairs(labels, 5, same_class=False, seed=0)
    net = BatchedMLP(2, 3, [8], 3, seeds=[0, 1])
    prob = path_outputs(net, x, labels, pairs, n_points=16)
    assert prob.shape == (2, 5, 16) and np.all((prob > 0) & (prob < 1))
    single = path_outputs(net.model(1), x, labels, pairs, n_points=16)
    np.testing.assert_allclose(prob[1], single, rtol=1e-5)
    energy = path_energy_probe(x, labels, pairs, k=2, n_points=16)(net)
    assert energy.shape == (2,) and np.all((energy >= 0) & (energy <= 1))
    with pytest.raises(ValueError, match="output"):
        path_outputs(net, x, labels, pairs, output="logit")
    with pytest.raises(ValueError, match="scalar output"):
        path_energy_probe(x, labels, pairs, k=2, output="logits")


def test_path_logits_and_the_survey_probe_of_a_stack():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((12, 3))
    labels = np.arange(12) % 3
    pairs = sample_pairs(labels, 5, same_class=True, seed=1)
    net = BatchedMLP(2, 3, [8], 3, seeds=[0, 1])
    logits = path_outputs(net, x, labels, pairs, n_points=16, output="logits")
    assert logits.shape == (2, 5, 3, 16)  # (networks, paths, classes, points)
    start = net(torch.as_tensor(x[pairs[:, 0]], dtype=torch.float32)).detach().numpy()  # (2, 5, 3)
    np.testing.assert_allclose(logits[..., 0], start, rtol=1e-5, atol=1e-6)
    ratios = path_spectrum_probe(x, pairs, n_points=16)(net)
    assert ratios.shape == (2, 2, 9)  # (networks, raw or detrended, k = 0..8)
    np.testing.assert_allclose(ratios[1, 0], log_energy_ratios(logits[1]))
    single = path_spectrum_probe(x, pairs, n_points=16)(net.model(0))
    expected = log_energy_ratios(logits[0], detrended=True)  # bin 0 is round-off after detrending
    np.testing.assert_allclose(np.exp(single[0, 1]), np.exp(expected), rtol=1e-4, atol=1e-12)


def test_fit_spectral_learns_the_low_frequency_first():
    """The spectral bias itself, on a two-component target: frequency 2 is fitted before frequency 20."""
    targets = [SpectralTarget((2, 20), (1.0, 1.0), (0.3 + s, 1.1 * s), n_points=64) for s in range(3)]
    steps = np.array([0, 50, 100, 200, 400, 800])
    hist = fit_spectral(targets, [64] * 3, steps=800, record_at=steps, lr=3e-3)
    assert hist.outputs.shape == (3, 6, 64)
    amps = hist.amplitudes  # (3, 6, 2)
    np.testing.assert_allclose(amps[:, 0], 0.0, atol=0.2)  # a random initial network is far from the target
    assert np.all(amps[:, 2, 0] > amps[:, 2, 1] + 0.3)  # after 100 steps: low frequency well ahead
    times = hist.learning_times(threshold=0.8)
    assert np.all(times[:, 0] <= 400)
    assert np.all(np.isnan(times[:, 1]) | (times[:, 1] > times[:, 0]))


def test_fit_spectral_validation():
    a = SpectralTarget.sample(0)
    b = SpectralTarget.sample(1, n_points=100, frequencies=(5, 10))
    with pytest.raises(ValueError, match="one grid"):
        fit_spectral([a, b], [8], steps=1, record_at=[0])
    with pytest.raises(ValueError, match="seeds"):
        fit_spectral([a], [8], steps=1, record_at=[0], seeds=[0, 1])


# Regression: train_with_probes is a wrapper over biascourse.train.train since the two loops were merged. These
# numbers were printed by the former stand-alone loop of train_with_probes (its own minibatching: one torch
# generator seeded with `seed`, a permutation per epoch, incomplete last batch skipped; MSE without the 1/2) on
# the runs below, before the merge; the wrapper reproduces them to float32 rounding.
_RNG_X = np.random.default_rng(0)
_X = _RNG_X.standard_normal((20, 5)).astype(np.float32)
_Y = _RNG_X.integers(0, 3, 20)
OLD_CE_LOSS = [[1.026216533780098, 0.9957645058631897, 0.9487226814031601, 0.8955215156078339],
               [1.0925904363393784, 1.0384025871753693, 0.972242921590805, 0.8921951681375504]]
OLD_CE_ACCURACY = [[0.45, 0.5, 0.5, 0.6], [0.4, 0.55, 0.65, 0.8]]
OLD_SPECTRAL = [[[0.009629352018237114, 0.006888281088322401, 0.0040430948138237],
                 [-0.050538912415504456, -0.04436667263507843, -0.038194440305233],
                 [-0.45242074131965637, -0.4401935040950775, -0.41678717732429504]],
                [[0.17157043516635895, 0.17152178287506104, 0.17147311568260193],
                 [-0.03932265564799309, -0.04342605918645859, -0.04752946272492409],
                 [0.1366727650165558, 0.12884370982646942, 0.12101469188928604]]]
OLD_MSE_OUTPUTS = [[[-0.013346709311008453, 0.013829812407493591, 0.34615036845207214],
                    [-0.1319589465856552, -0.08557198941707611, 0.09897208213806152],
                    [-0.19624611735343933, -0.01720653474330902, -0.05009092390537262]],
                   [[-0.13170699775218964, 0.12150406837463379, 0.5257809162139893],
                    [0.3441624343395233, 0.7762816548347473, 1.2976784706115723],
                    [0.388200581073761, 0.5119885206222534, 0.9492417573928833]]]


def test_wrapper_reproduces_the_former_loop_cross_entropy_minibatches():
    net = BatchedMLP(2, 5, [8], 3, seeds=[0, 1])
    hist = train_with_probes(net, _X, _Y, loss="cross_entropy", steps=12, record_at=[0, 3, 7, 12],
                             probes={"loss": loss_probe(_X, _Y), "acc": accuracy_probe(_X, _Y)},
                             optimizer="adam", lr=1e-2, batch_size=6, seed=3)
    np.testing.assert_array_equal(hist.steps, [0, 3, 7, 12])
    np.testing.assert_allclose(hist["loss"], OLD_CE_LOSS, rtol=1e-6)
    np.testing.assert_allclose(hist["acc"], OLD_CE_ACCURACY)


def test_wrapper_reproduces_the_former_loop_mse_full_batch_and_per_network_targets():
    targets = [SpectralTarget.sample(s, frequencies=(1, 3), n_points=32) for s in (1, 2)]
    spectral = fit_spectral(targets, [16, 16], steps=15, record_at=[0, 5, 15], lr=1e-2, seeds=[4, 5])
    np.testing.assert_allclose(spectral.outputs[:, :, :3], OLD_SPECTRAL, rtol=1e-5, atol=1e-7)
    y = np.stack([np.sin(_X[:, 0]), np.cos(_X[:, 1])]).astype(np.float32)  # one regression target per network
    net = BatchedMLP(2, 5, [8], 1, seeds=[2, 3])
    hist = train_with_probes(net, _X, y, loss="mse", steps=10, record_at=[0, 4, 10],
                             probes={"out": lambda m: m(torch.as_tensor(_X))[..., 0].detach().double().numpy()},
                             optimizer="sgd", lr=0.05, momentum=0.9, batch_size=7, seed=1)
    np.testing.assert_allclose(hist["out"][:, :, :3], OLD_MSE_OUTPUTS, rtol=1e-5, atol=1e-7)
