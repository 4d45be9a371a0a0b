"""Tests of biascourse/igb/_training.py: joint training of K initialisations."""
import numpy as np
import pytest

from biascourse import igb

RNG = np.random.default_rng(0)
X = RNG.standard_normal((600, 10)).astype(np.float32)
Y = (X[:, 0] + 0.3 * X[:, 1] > 0.4).astype(np.int64)  # an imbalanced, linearly separable task
SPEC = igb.MLPSpec(input_dim=10, width=32, depth=2)


def test_joint_training_equals_separate_runs():
    joint = igb.MLPEnsemble(SPEC, inits=[0, 1, 2], seed=5)
    hist = igb.train_ensemble(joint, X, Y, X[:200], Y[:200], steps=30, lr=3e-3, seed=1, batch_size=50, n_evals=5)
    for row, k in enumerate([0, 1, 2]):
        alone = igb.MLPEnsemble(SPEC, inits=[k], seed=5)
        single = igb.train_ensemble(alone, X, Y, X[:200], Y[:200], steps=30, lr=3e-3, seed=1, batch_size=50, n_evals=5)
        for w_joint, w_alone in zip(joint.weights, alone.weights):
            np.testing.assert_allclose(w_joint[row].detach().numpy(), w_alone[0].detach().numpy(), rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(hist.class_accuracy[row], single.class_accuracy[0])


def test_history_shapes_and_learning():
    net = igb.MLPEnsemble(SPEC, inits=4, seed=0)
    hist = igb.train_ensemble(net, X, Y, X, Y, steps=200, lr=3e-3, seed=0, batch_size=50, n_evals=8)
    assert hist.steps[0] == 0 and hist.steps[-1] == 200 and np.all(np.diff(hist.steps) > 0)
    assert hist.class_accuracy.shape == (4, len(hist.steps), 2) and hist.loss.shape == (4, len(hist.steps))
    np.testing.assert_allclose(hist.initial_fractions.sum(axis=1), 1.0)
    assert np.all(hist.accuracy[:, -1] > 0.9) and np.all(hist.loss[:, -1] < hist.loss[:, 0])
    # ordered accuracy: the favoured class (most points sent to it at step 0) comes first
    ordered = hist.ordered_accuracy
    favoured = hist.initial_fractions.argmax(axis=1)
    np.testing.assert_array_equal(ordered[np.arange(4), :, 0], hist.class_accuracy[np.arange(4), :, favoured])


def test_errors():
    net = igb.MLPEnsemble(igb.MLPSpec(input_dim=10, width=8, n_out=1), inits=2, seed=0)
    with pytest.raises(ValueError, match="n_out must be >= 2"):
        igb.train_ensemble(net, X, Y, X, Y, steps=5, lr=1e-3, seed=0)
    net = igb.MLPEnsemble(SPEC, inits=2, seed=0)
    with pytest.raises(ValueError, match="labels must be integers in"):
        igb.train_ensemble(net, X, Y + 1, X, Y, steps=5, lr=1e-3, seed=0)
