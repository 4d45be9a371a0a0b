"""Tests of the evaluation of trained networks, at the end of training and along a History (https://biascourse.github.io/biascourse/book/derivations/bias_amplification.html#deriv-amp-training)."""
import numpy as np
import pytest
import torch

from biascourse import models
from biascourse.amplification import (AmplificationDataset, bias_amplification_from_counts, evaluate_amplification,
                                      predicted_counts_from_history, report_values)
from biascourse.train import train


class GroupOnly(torch.nn.Module):
    """Predicts class 0 exactly when the first input is positive (the group-only predictor)."""

    def __init__(self):
        super().__init__()
        self.scale = torch.nn.Parameter(torch.tensor(5.0))

    def forward(self, x):
        z = self.scale * x[:, 0]
        return torch.stack([z, -z], dim=1)


def toy_dataset(epsilon: float, m: int = 100, seed: int = 0) -> AmplificationDataset:
    """Two groups of m samples, P(class 0 | group 0) = 1/2 + epsilon; feature 0 says the group."""
    n0 = int(round(m * (0.5 + epsilon)))
    group = np.repeat([0, 1], m)
    y = np.concatenate([np.repeat([0, 1], [n0, m - n0]), np.repeat([0, 1], [m - n0, n0])])
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(2 * m, 5)).astype(np.float32)
    x[:, 0] = np.where(group == 0, 1.0, -1.0)
    x[:, 1] += 2.0 * (y == 0)
    return AmplificationDataset(x, y, group, np.arange(2 * m), y, (0.0,), (1.0,))


def test_evaluate_amplification_group_only_model():
    data = toy_dataset(0.3)
    report = evaluate_amplification(GroupOnly(), data)
    assert report.bias_amplification[0] == pytest.approx(0.2, abs=1e-12)  # 1/2 - epsilon
    assert report.accuracy[0] == pytest.approx(0.8)
    np.testing.assert_allclose(report.cell_accuracy[0], [[1.0, 0.0], [0.0, 1.0]])
    np.testing.assert_array_equal(report.predicted_counts[0], [[100, 0], [0, 100]])


def test_evaluate_amplification_refuses_an_absent_group():
    data = toy_dataset(0.3)
    only_group_0 = AmplificationDataset(data.x[:100], data.y[:100], data.group[:100], data.source[:100],
                                        data.label[:100], (0.0,), (1.0,))
    with pytest.raises(ValueError, match=r"group \[1\] has no samples"):
        evaluate_amplification(GroupOnly(), only_group_0)


def test_amplification_over_training_from_history():
    data = toy_dataset(0.2)
    net = models.BatchedMLP(3, 5, [8], 2, seeds=range(3))
    hist = train(net, data, epochs=3, batch_size=20, loss="cross_entropy", lr=0.05, eval_sets={"test": data},
                 eval_every=5, progress=False)
    tables = predicted_counts_from_history(hist, data)
    assert tables.shape == (3, len(hist.steps), 2, 2)
    final = evaluate_amplification(net, data)
    np.testing.assert_array_equal(tables[:, -1], final.predicted_counts)
    over_training = bias_amplification_from_counts(data.counts(), tables).value
    np.testing.assert_allclose(over_training[:, -1], final.bias_amplification, atol=1e-12)


def test_history_tables_when_each_group_holds_one_class():
    data = toy_dataset(0.5)  # group 0 is all class 0: the history has no group x class keys
    net = models.BatchedMLP(2, 5, [4], 2, seeds=range(2))
    hist = train(net, data, epochs=1, batch_size=50, loss="cross_entropy", lr=0.05, eval_sets={"test": data},
                 progress=False)
    tables = predicted_counts_from_history(hist, data)
    np.testing.assert_array_equal(tables[:, -1], evaluate_amplification(net, data).predicted_counts)



def test_report_values_stacks_the_seeds_of_a_sweep():
    data = toy_dataset(0.3)
    reports = [evaluate_amplification(GroupOnly(), data), evaluate_amplification(GroupOnly(), toy_dataset(0.1))]
    values = report_values(reports, "bias_amplification")
    assert values.shape == (1, 2)
    np.testing.assert_allclose(values, [[0.2, 0.4]], atol=1e-12)          # 1/2 - epsilon
    with pytest.raises(ValueError, match="field must be one of"):
        report_values(reports, "cell_accuracy")
    with pytest.raises(ValueError, match="at least one report"):
        report_values([], "accuracy")
