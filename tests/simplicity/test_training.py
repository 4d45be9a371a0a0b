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
