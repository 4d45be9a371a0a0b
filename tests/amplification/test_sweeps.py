"""Chapter 6's sweep task (biascourse/amplification/_sweeps.py) on Fashion-MNIST: the direct fit, per seed."""
from __future__ import annotations

import numpy as np
import pytest

from biascourse import amplification as amp
from biascourse import sweep
from biascourse.datasets import DatasetUnavailableError, load_fashion_mnist

TINY = dict(n_per_class=10, test_per_class=10, epochs=1, width=2)


@pytest.fixture(scope="module")
def fashion():
    try:
        return load_fashion_mnist("train", download=False), load_fashion_mnist("test", download=False)
    except DatasetUnavailableError as error:
        pytest.skip(f"Fashion-MNIST is not on this machine: {error}")


def test_inversion_task_gives_the_direct_fit(fashion):
    result = sweep.run(amp.inversion_task, [TINY], seeds=2, progress=False)
    (report, train_accuracy), = amp.reports_from_sweep(result)
    train, test = fashion
    train_set, test_set = amp.inverted_train_test(
        train, test, assignment=amp.balanced_assignments(1, seed=0)[0], epsilon=0.3, seed=1, n_per_class=10,
        test_per_class=10, mean=amp.pixel_statistics(train[0])[0], std=amp.pixel_statistics(train[0])[1])
    net = amp.network_stack("cnn", seeds=2, width=2)
    direct = amp.fit(net, train_set, test_set, epochs=1, device="cpu").report
    for field in ("bias_amplification", "accuracy", "ece", "cell_accuracy", "counts", "predicted_counts"):
        np.testing.assert_array_equal(getattr(report, field), getattr(direct, field))
    np.testing.assert_array_equal(train_accuracy, amp.evaluate_amplification(net, train_set).accuracy)


def test_a_configuration_without_rows_is_named(fashion):
    result = sweep.run(amp.inversion_task, [dict(TINY, colour="red")], seeds=1, progress=False)
    assert "unknown names ['colour']" in result.failures[0].error
    with pytest.raises(ValueError, match="has no row"):
        amp.reports_from_sweep(result)


def test_presets_are_the_papers_grids_at_100_seeds():
    decay = amp.weight_decay_sweep()
    assert [c["weight_decay"] for c in decay.configurations] == pytest.approx(np.logspace(-5, -2, 8))
    assert len(decay.seeds) == 100 and decay.configurations[0]["kind"] == "resnet"
    capacity = amp.capacity_sweep()
    assert len(capacity.configurations) == 5 + 3 and len(capacity) == 8 * 7
