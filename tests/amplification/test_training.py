"""Tests of chapter 6's training recipe: the stacks of networks, the tracked steps and fit (https://biascourse.github.io/biascourse/book/derivations/bias_amplification.html#deriv-amp-training)."""
import numpy as np
import pytest
import torch

from biascourse import models
from biascourse.amplification import (MLP_HIDDEN, evaluate_amplification, fit, inverted_train_test, model_logits,
                                      network_stack, predicted_counts_from_history, tracking_steps)
from biascourse.train import log_spaced_steps, train, warmup_decays

ASSIGNMENT = np.array([1, 1, 0, 1, 0, 0, 0, 0, 1, 1])


@pytest.fixture(scope="module")
def splits():
    """A small inversion training split (80 images) and its test split (40 images), 28x28 and flattened."""
    rng = np.random.default_rng(0)
    labels = rng.permutation(np.repeat(np.arange(10), 12))
    images = rng.integers(0, 256, (len(labels), 28, 28), dtype=np.uint8)
    build = lambda flatten: inverted_train_test((images, labels), (images, labels), assignment=ASSIGNMENT,  # noqa: E731
                                                epsilon=0.3, seed=0, n_per_class=8, test_per_class=4, flatten=flatten)
    return build(False), build(True)


def test_network_stack_kinds(splits):
    (train_set, _), (flat_train, _) = splits
    cnn = network_stack("cnn", seeds=2, width=2)
    assert isinstance(cnn, models.ModelStack) and cnn.n_models == 2
    assert model_logits(cnn, train_set.x[:5]).shape == (2, 5, 2)
    resnet = network_stack("resnet", seeds=[3], width=4, depth=1)
    assert isinstance(resnet, models.ModelStack) and resnet.seeds == (3,)
    assert model_logits(resnet, train_set.x[:5]).shape == (1, 5, 2)
    mlp = network_stack("mlp", seeds=3, depth=2)
    assert isinstance(mlp, models.BatchedMLP) and mlp.n_models == 3
    assert mlp._config["hidden"] == (MLP_HIDDEN, MLP_HIDDEN) and mlp._config["in_features"] == 28 * 28
    assert model_logits(mlp, flat_train.x[:5]).shape == (3, 5, 2)
    # a number of networks is the seeds 0 .. K-1
    by_number, by_list = network_stack(seeds=2, width=2), network_stack(seeds=[0, 1], width=2)
    for a, b in zip(by_number.parameters(), by_list.parameters()):
        torch.testing.assert_close(a, b, rtol=0, atol=0)
    colour = network_stack("cnn", seeds=1, width=2, channels=3, image_size=32)
    assert model_logits(colour, np.zeros((2, 3, 32, 32), dtype=np.float32)).shape == (1, 2, 2)


def test_network_stack_arguments_are_checked():
    with pytest.raises(ValueError, match="kind must be one of 'cnn', 'resnet', 'mlp'; got 'vit'"):
        network_stack("vit", seeds=1)
    with pytest.raises(ValueError, match=r"width must be an integer in \[1, inf\); got 0"):
        network_stack(seeds=1, width=0)
    with pytest.raises(ValueError, match=r"seeds must be a number of runs in \[1, inf\) or a list of seeds; got 0"):
        network_stack(seeds=0)
    with pytest.raises(TypeError, match=r"depth must be an integer in \[1, inf\); got 1.5"):
        network_stack("mlp", seeds=1, depth=1.5)


def test_tracking_steps():
    steps = tracking_steps(192)
    assert steps[0] == 0 and steps[-1] == 192 and np.all(np.diff(steps) > 0)
    assert set(log_spaced_steps(192, 20)) <= set(steps)                     # the early phase in log time
    assert set(np.linspace(48, 192, 31).astype(int)) <= set(steps)           # the last three quarters evenly
    assert tracking_steps(1).tolist() == [0, 1]
    with pytest.raises(ValueError, match=r"total_steps must be an integer in \[1, inf\); got 0"):
        tracking_steps(0)


def test_fit_is_the_recipe_then_the_evaluation(splits):
    (train_set, test_set), _ = splits
    report, history, net = fit(network_stack(seeds=2, width=2), train_set, test_set, epochs=2, batch_size=16)
    steps = 2 * 5                                                           # 80 images in batches of 16
    assert history.steps.tolist() == [steps]
    by_hand = network_stack(seeds=2, width=2)
    hand_history = train(by_hand, train_set, steps=steps, batch_size=16, loss="cross_entropy", lr=0.05,
                         momentum=0.9, weight_decay=1e-4, schedule=warmup_decays(steps), eval_at=[steps],
                         progress=False)
    hand = evaluate_amplification(by_hand, test_set)
    for field in ("bias_amplification", "accuracy", "ece", "predicted_counts"):
        np.testing.assert_array_equal(getattr(report, field), getattr(hand, field))
    np.testing.assert_array_equal(history["batch/loss"], hand_history["batch/loss"])
    for a, b in zip(net.parameters(), by_hand.parameters()):
        torch.testing.assert_close(a, b, rtol=0, atol=0)


def test_fit_with_tracking_steps_and_no_decay(splits):
    (train_set, test_set), _ = splits
    tracked = fit(network_stack(seeds=2, width=2), train_set, test_set, steps=12, batch_size=16, track=test_set)
    np.testing.assert_array_equal(tracked.history.steps, tracking_steps(12))
    # the last tracked evaluation is the final one: the History's tables are the report's
    np.testing.assert_array_equal(predicted_counts_from_history(tracked.history, test_set)[:, -1],
                                  tracked.report.predicted_counts)
    flat = fit(network_stack(seeds=2, width=2), train_set, test_set, steps=12, batch_size=16, decay=False)
    # the same run up to the first decay at step 6, a larger rate afterwards
    assert any(not torch.equal(a, b) for a, b in zip(tracked.model.parameters(), flat.model.parameters()))


def test_fit_arguments_are_checked(splits):
    (train_set, test_set), _ = splits
    net = network_stack(seeds=1, width=2)
    with pytest.raises(ValueError, match=r"epochs must be an integer in \[1, inf\); got 0"):
        fit(net, train_set, test_set, epochs=0)
    with pytest.raises(ValueError, match=r"steps must be an integer in \[1, inf\); got 0"):
        fit(net, train_set, test_set, steps=0)
    with pytest.raises(ValueError, match=r"lr must be in \(0, inf\); got 0"):
        fit(net, train_set, test_set, lr=0.0)
    with pytest.raises(ValueError, match=r"momentum must be in \[0, 1\); got 1"):
        fit(net, train_set, test_set, momentum=1.0)
    with pytest.raises(ValueError, match=r"weight_decay must be in \[0, inf\); got -0.1"):
        fit(net, train_set, test_set, weight_decay=-0.1)
    with pytest.raises(ValueError, match="decay must be one of True, False; got 'yes'"):
        fit(net, train_set, test_set, decay="yes")
