"""Tests of biascourse.metrics on hand-computed tables (https://biascourse.github.io/biascourse/book/derivations/bias_amplification.html#deriv-amp-measure, https://biascourse.github.io/biascourse/book/derivations/bias_amplification.html#deriv-amp-conventions, https://biascourse.github.io/biascourse/book/derivations/bias_amplification.html#deriv-amp-example)."""
import warnings

import numpy as np
import pytest
import torch
from scipy import stats

from biascourse import models
from biascourse.datasets.amplification import AmplificationDataset
from biascourse.metrics import (BiasAmplificationWarning, accuracy_table, bias_amplification,
                                bias_amplification_from_counts, bias_amplification_from_probabilities, binned_calibration, bootstrap_interval, calibration,
                                contingency_table, evaluate_amplification, predicted_counts_from_history,
                                reference_bias_amplification, report_values, seed_bootstrap_interval, seed_interval,
                                sweep_optimum)
from biascourse.train import train


def samples_from_tables(counts, predicted_counts):
    """Samples (task, attribute, predicted task) realising an A->T pair of tables (rows = groups)."""
    task, attribute, predicted = [], [], []
    for a, (row, row_hat) in enumerate(zip(np.asarray(counts), np.asarray(predicted_counts))):
        truth = np.repeat(np.arange(len(row)), row)
        guess = np.repeat(np.arange(len(row_hat)), row_hat)
        task += truth.tolist()
        predicted += guess.tolist()
        attribute += [a] * len(truth)
    return np.array(task), np.array(attribute), np.array(predicted)


# --- the note's test vector (https://biascourse.github.io/biascourse/book/derivations/bias_amplification.html#deriv-amp-example) -------------------------------------------------------------------

NOTE_COUNTS = np.array([[30, 20], [20, 30]])
NOTE_PREDICTED = np.array([[35, 15], [18, 32]])


@pytest.mark.parametrize("tie", ["paper", "sign"])
def test_note_test_vector(tie):
    result = bias_amplification_from_counts(NOTE_COUNTS, NOTE_PREDICTED, tie=tie)
    assert result.value == pytest.approx(0.07, abs=1e-12)
    np.testing.assert_array_equal(result.y, [[1, 0], [0, 1]] if tie == "paper" else [[1, -1], [-1, 1]])
    np.testing.assert_allclose(result.delta, [[0.1, -0.1], [-0.04, 0.04]], atol=1e-12)
    # single-label identity: 2/(|A||T|) times the sum of Delta over the cells with y = 1
    assert result.value == pytest.approx(2 / 4 * (0.1 + 0.04), abs=1e-12)


def test_arrays_and_counts_agree():
    task, attribute, predicted = samples_from_tables(NOTE_COUNTS, NOTE_PREDICTED)
    shuffled = np.random.default_rng(0).permutation(len(task))
    result = bias_amplification(task[shuffled], attribute[shuffled], predicted[shuffled])
    assert result.value == pytest.approx(0.07, abs=1e-12)
    np.testing.assert_array_equal(contingency_table(attribute, task), NOTE_COUNTS)


# --- ties, three classes, the two conventions -------------------------------------------------------

# n = 120; cells (0, 1) and (1, 1) are exact ties: 120 * 20 = 40 * 60 and 120 * 40 = 80 * 60
TIE_COUNTS = np.array([[10, 20, 10], [10, 40, 30]])
TIE_PREDICTED = np.array([[12, 22, 6], [8, 40, 32]])


def test_ties_three_classes_paper_convention():
    result = bias_amplification_from_counts(TIE_COUNTS, TIE_PREDICTED, tie="paper")
    np.testing.assert_array_equal(result.y, [[1, 0, 0], [0, 0, 1]])
    np.testing.assert_allclose(result.delta, [[0.05, 0.05, -0.1], [-0.025, 0.0, 0.025]], atol=1e-12)
    # terms (2y - 1) Delta: 0.05, -0.05, 0.1 | 0.025, 0, 0.025 -> 0.15 / 6
    np.testing.assert_allclose(result.terms, [[0.05, -0.05, 0.1], [0.025, 0.0, 0.025]], atol=1e-12)
    assert result.value == pytest.approx(0.15 / 6, abs=1e-12)


def test_ties_three_classes_sign_convention():
    result = bias_amplification_from_counts(TIE_COUNTS, TIE_PREDICTED, tie="sign")
    np.testing.assert_array_equal(result.y, [[1, 0, -1], [-1, 0, 1]])
    # a tie contributes 0 but stays in the mean: 0.05, 0, 0.1 | 0.025, 0, 0.025 -> 0.2 / 6
    assert result.value == pytest.approx(0.2 / 6, abs=1e-12)


def test_ties_are_decided_in_integers():
    counts = np.array([[1, 2], [14, 28]])  # 45 * 1 == 3 * 15 exactly, but 1/45 > (3/45) * (15/45) in floats
    assert (1 / 45) > (3 / 45) * (15 / 45)
    result = bias_amplification_from_counts(counts, counts, tie="sign")
    np.testing.assert_array_equal(result.y, np.zeros((2, 2)))


def test_all_ties_at_zero_bias_give_exactly_zero():
    counts = np.array([[25, 25], [25, 25]])  # epsilon = 0 with exact counts: every cell ties
    predicted = np.array([[40, 10], [5, 45]])
    for tie in ("paper", "sign"):
        assert bias_amplification_from_counts(counts, predicted, tie=tie).value == 0.0


def test_y_from_training_counts():
    train_counts = np.array([[20, 30], [30, 20]])  # the opposite correlation to the test table
    result = bias_amplification_from_counts(NOTE_COUNTS, NOTE_PREDICTED, y_counts=train_counts)
    np.testing.assert_array_equal(result.y, [[0, 1], [1, 0]])
    assert result.value == pytest.approx(-0.07, abs=1e-12)


def test_probabilities_are_the_population_version_of_counts():
    for tie in ("paper", "sign"):
        for direction, predicted in (("A->T", NOTE_PREDICTED), ("T->A", [[40, 15], [10, 35]])):
            from_counts = bias_amplification_from_counts(NOTE_COUNTS, predicted, direction=direction, tie=tie)
            population = bias_amplification_from_probabilities(NOTE_COUNTS / 100, np.asarray(predicted) / 100,
                                                               direction=direction, tie=tie)
            assert population.value == pytest.approx(from_counts.value, abs=1e-12)
    # independent groups and classes up to rounding: every cell is a tie
    result = bias_amplification_from_probabilities(np.full((2, 2), 0.25) + [[1e-17, 0], [0, -1e-17]],
                                                   [[0.4, 0.1], [0.1, 0.4]])
    np.testing.assert_array_equal(result.y, np.zeros((2, 2)))
    assert result.value == pytest.approx(0.0, abs=1e-15)
    with pytest.raises(ValueError, match="same group totals"):
        bias_amplification_from_probabilities([[0.3, 0.2], [0.2, 0.3]], [[0.4, 0.2], [0.1, 0.3]])


# --- empty groups and absent classes ----------------------------------------------------------------

EMPTY_COUNTS = np.array([[10, 30], [30, 10], [0, 0]])   # group 2 is absent from the split
EMPTY_PREDICTED = np.array([[16, 24], [27, 13], [0, 0]])


def test_empty_group_raises_by_default():
    with pytest.raises(ValueError, match=r"group \[2\] has no samples"):
        bias_amplification_from_counts(EMPTY_COUNTS, EMPTY_PREDICTED)


def test_empty_group_paper_convention_warns_and_gives_nan():
    with pytest.warns(BiasAmplificationWarning, match="the result is NaN"):
        result = bias_amplification_from_counts(EMPTY_COUNTS, EMPTY_PREDICTED, empty="warn")
    assert np.isnan(result.value)
    assert np.isnan(result.terms[2]).all() and np.isfinite(result.terms[:2]).all()


def test_empty_group_sign_convention_drops_the_cells():
    with pytest.warns(BiasAmplificationWarning, match="dropped"):
        result = bias_amplification_from_counts(EMPTY_COUNTS, EMPTY_PREDICTED, tie="sign", empty="warn")
    # n = 80; y = [[-1, 1], [1, -1], [0, 0]]; Delta rows 0.15, -0.15 and -0.075, 0.075: mean of 4 cells
    assert result.value == pytest.approx((-0.15 - 0.15 - 0.075 - 0.075) / 4, abs=1e-12)


def test_absent_class_is_a_tie_and_warns():
    counts = np.array([[10, 30, 0], [30, 10, 0]])
    predicted = np.array([[10, 25, 5], [30, 10, 0]])
    with pytest.warns(BiasAmplificationWarning, match=r"class \[2\] has no samples"):
        paper = bias_amplification_from_counts(counts, predicted, tie="paper")
    with pytest.warns(BiasAmplificationWarning):
        sign = bias_amplification_from_counts(counts, predicted, tie="sign")
    # Delta row 0 = (0, -0.125, 0.125); y row 0 = (0, 1, tie); row 1 has Delta = 0
    assert paper.value == pytest.approx((-0.125 - 0.125) / 6, abs=1e-12)  # tie: -Delta
    assert sign.value == pytest.approx(-0.125 / 6, abs=1e-12)             # tie: 0


def test_mismatched_tables_are_rejected():
    with pytest.raises(ValueError, match="same group"):
        bias_amplification_from_counts(NOTE_COUNTS, [[35, 16], [18, 32]])
    with pytest.raises(ValueError, match="tie must be one of"):
        bias_amplification_from_counts(NOTE_COUNTS, NOTE_PREDICTED, tie="other")


# --- the T->A direction ----------------------------------------------------------------------------

def test_task_to_attribute_hand_computed():
    predicted_groups = np.array([[40, 15], [10, 35]])  # rows: predicted group, columns: true class
    result = bias_amplification_from_counts(NOTE_COUNTS, predicted_groups, direction="T->A")
    np.testing.assert_allclose(result.delta, [[0.2, -0.1], [-0.2, 0.1]], atol=1e-12)
    assert result.value == pytest.approx(0.15, abs=1e-12)
    with pytest.raises(ValueError, match="same class"):
        bias_amplification_from_counts(NOTE_COUNTS, [[40, 15], [11, 35]], direction="T->A")


def test_task_to_attribute_empty_class_raises():
    with pytest.raises(ValueError, match=r"class \[1\] has no samples"):
        bias_amplification_from_counts([[10, 0], [20, 0]], [[15, 0], [15, 0]], direction="T->A")


def test_task_to_attribute_equals_attribute_to_task_with_roles_swapped():
    rng = np.random.default_rng(1)
    task, group = rng.integers(0, 3, 500), rng.integers(0, 2, 500)
    predicted_group = np.where(rng.random(500) < 0.8, group, 1 - group)
    t_to_a = bias_amplification(task, group, predicted_group, direction="T->A")
    swapped = bias_amplification(group, task, predicted_group, direction="A->T")
    assert t_to_a.value == pytest.approx(swapped.value, abs=1e-12)
    np.testing.assert_allclose(t_to_a.terms, swapped.terms.T, atol=1e-12)


def test_leading_axes_give_one_value_per_model():
    rng = np.random.default_rng(2)
    task, group = rng.integers(0, 2, 300), rng.integers(0, 2, 300)
    predicted = rng.integers(0, 2, (4, 300))
    batched = bias_amplification(task, group, predicted).value
    assert batched.shape == (4,)
    for k in range(4):
        assert batched[k] == pytest.approx(bias_amplification(task, group, predicted[k]).value, abs=1e-12)


# --- reference predictors (https://biascourse.github.io/biascourse/book/derivations/bias_amplification.html#deriv-amp-findings) -----------------------------------------------------------------

@pytest.mark.parametrize("epsilon", [0.0, 0.1, 0.3, 0.5])
def test_reference_predictors_match_the_measure(epsilon):
    m = 400  # per group; group 0 co-occurs with class 0
    n0 = int(round(m * (0.5 + epsilon)))
    counts = np.array([[n0, m - n0], [m - n0, n0]])
    group_only = np.array([[m, 0], [0, m]])
    assert bias_amplification_from_counts(counts, group_only).value == pytest.approx(
        reference_bias_amplification(epsilon, "group_only"), abs=1e-12)
    assert bias_amplification_from_counts(counts, counts).value == reference_bias_amplification(epsilon, "perfect")
    q = 0.75  # right in exactly 3/4 of every cell (cell sizes divisible by 4), whatever the group
    hits = np.round(q * counts).astype(int)
    blind = hits + (counts - hits)[:, ::-1]
    assert bias_amplification_from_counts(counts, blind).value == pytest.approx(
        reference_bias_amplification(epsilon, "group_blind", accuracy=q), abs=1e-12)


def test_reference_errors():
    with pytest.raises(ValueError, match=r"epsilon must be in \[0, 0.5\]"):
        reference_bias_amplification(0.7, "perfect")
    with pytest.raises(ValueError, match="predictor must be one of"):
        reference_bias_amplification(0.1, "oracle")


# --- accuracy per group x class ---------------------------------------------------------------------

def test_accuracy_table_hand_computed():
    task = np.array([0, 0, 1, 1, 0, 1, 1, 1])
    group = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    predicted = np.array([0, 1, 1, 1, 0, 0, 1, 0])
    np.testing.assert_allclose(accuracy_table(task, group, predicted), [[0.5, 1.0], [1.0, 1 / 3]])


def test_accuracy_table_empty_cell_warns():
    with pytest.warns(BiasAmplificationWarning, match=r"\(1, 0\)"):
        table = accuracy_table([0, 1, 1], [0, 0, 1], [0, 1, 0])
    assert np.isnan(table[1, 0]) and table[1, 1] == 0.0
    with pytest.raises(ValueError, match="no samples"):
        accuracy_table([0, 1, 1], [0, 0, 1], [0, 1, 0], empty="raise")


# --- calibration (15 bins, right-closed) ------------------------------------------------------------

def test_ece_hand_computed_with_edges():
    confidence = np.array([0.1, 2 / 15, 0.14, 0.6, 0.62, 1.0, 1.0])
    correct = np.array([1, 0, 1, 1, 0, 1, 1])
    cal = binned_calibration(confidence, correct)
    # bins: 0.1 -> 1; 2/15 sits on an edge -> lower bin 1; 0.14 -> 2; 0.6 and 0.62 -> 8 and 9;
    # 1.0 -> the last bin 14
    expected = np.zeros(15, dtype=int)
    expected[[1, 2, 8, 9, 14]] = [2, 1, 1, 1, 2]
    np.testing.assert_array_equal(cal.count, expected)
    gaps = {1: abs(0.5 - (0.1 + 2 / 15) / 2), 2: abs(1 - 0.14), 8: abs(1 - 0.6), 9: abs(0 - 0.62), 14: 0.0}
    assert cal.ece == pytest.approx(sum(expected[m] * g for m, g in gaps.items()) / 7, abs=1e-12)
    assert cal.mce == pytest.approx(0.86, abs=1e-12)
    assert np.isnan(cal.accuracy[0]) and cal.accuracy[1] == 0.5


def test_ece_rejects_zero_confidence():
    with pytest.raises(ValueError, match=r"confidence must be in \(0, 1\]; got 0.0"):
        binned_calibration([0.0, 0.5], [1, 0])


def test_calibration_from_logits():
    logits = np.array([[[2.0, 0.0], [0.0, 1.0], [0.5, 0.4]], [[0.0, 3.0], [1.0, 0.0], [0.0, 0.0]]])
    labels = np.array([0, 0, 1])
    cal = calibration(logits, labels)
    probs = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    direct = binned_calibration(probs.max(-1), probs.argmax(-1) == labels)
    np.testing.assert_allclose(cal.ece, direct.ece)
    assert cal.ece.shape == (2,)


# --- confidence intervals ---------------------------------------------------------------------------

def test_seed_interval_student_t():
    ci = seed_interval([[1.0, 10.0], [2.0, 10.0], [3.0, 10.0]])
    half = stats.t.ppf(0.975, 2) / np.sqrt(3)
    np.testing.assert_allclose(ci.estimate, [2.0, 10.0])
    np.testing.assert_allclose(ci.low, [2.0 - half, 10.0])
    np.testing.assert_allclose(ci.yerr[:, 0], [half, half])
    with pytest.raises(ValueError, match="at least 2 seeds"):
        seed_interval([[1.0, 2.0]])
    with pytest.raises(ValueError, match="NaN"):
        seed_interval([1.0, np.nan])


def test_bootstrap_interval_of_a_mean():
    x = np.random.default_rng(3).normal(size=2000)
    ci = bootstrap_interval(lambda s: s.mean(-1), x, n_resamples=2000, seed=4)
    half = 1.96 * x.std() / np.sqrt(len(x))
    assert ci.estimate == pytest.approx(x.mean())
    # the percentile half-widths estimate 1.96 sigma/sqrt(n) to about 3% with 2000 resamples
    assert ci.high - ci.estimate == pytest.approx(half, rel=0.15)
    assert ci.estimate - ci.low == pytest.approx(half, rel=0.15)
    again = bootstrap_interval(lambda s: s.mean(-1), x, n_resamples=2000, seed=4)
    assert (again.low, again.high) == (ci.low, ci.high)


def test_bootstrap_interval_of_bias_amplification():
    task, attribute, predicted = samples_from_tables(NOTE_COUNTS, NOTE_PREDICTED)
    ci = bootstrap_interval(lambda t, a, p: bias_amplification(t, a, p).value, task, attribute, predicted,
                            n_resamples=300, seed=0)
    assert ci.estimate == pytest.approx(0.07) and ci.low < 0.07 < ci.high


# --- trained models -----------------------------------------------------------------------------

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


def test_no_warning_on_ordinary_tables():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bias_amplification_from_counts(TIE_COUNTS, TIE_PREDICTED)


def test_seed_bootstrap_interval_stays_in_range():
    accuracy = np.array([0.99, 1.0, 1.0, 0.97])        # four seeds of a bounded quantity
    ci = seed_bootstrap_interval(accuracy, seed=0)
    assert ci.estimate == pytest.approx(0.99)
    assert accuracy.min() <= ci.low <= ci.estimate <= ci.high <= accuracy.max() <= 1.0
    assert seed_interval(accuracy).high > 1.0          # the Student-t interval leaves [0, 1] here


def test_seed_bootstrap_interval_two_seeds_by_hand():
    # two seeds: the resampled means are v1, v2 (probability 1/4 each) or their average, so the 2.5% and
    # 97.5% quantiles are the two values themselves
    ci = seed_bootstrap_interval([0.2, 0.4], seed=1)
    assert (ci.estimate, ci.low, ci.high) == pytest.approx((0.3, 0.2, 0.4))


def test_seed_bootstrap_interval_of_a_normal_mean():
    x = np.random.default_rng(5).normal(size=400)
    ci = seed_bootstrap_interval(x, n_resamples=4000, seed=2)
    half = 1.96 * x.std() / np.sqrt(len(x))            # the bootstrap's plug-in standard error
    assert ci.high - ci.estimate == pytest.approx(half, rel=0.1)
    assert ci.estimate - ci.low == pytest.approx(half, rel=0.1)


def test_seed_bootstrap_interval_keeps_a_sweep_paired():
    base = np.random.default_rng(6).normal(size=5)
    values = np.stack([base, base + 1.0, 2 * base], axis=1)   # (seeds, configurations)
    ci = seed_bootstrap_interval(values, seed=3)
    np.testing.assert_allclose(ci.low[1] - ci.low[0], 1.0)    # the same resampled seeds in every column
    np.testing.assert_allclose(ci.high[2], 2 * ci.high[0])
    np.testing.assert_allclose(seed_bootstrap_interval(values.T, axis=1, seed=3).low, ci.low)
    with pytest.raises(ValueError, match="at least 2 seeds"):
        seed_bootstrap_interval([[1.0, 2.0]], seed=0)
    with pytest.raises(ValueError, match="NaN"):
        seed_bootstrap_interval([1.0, np.nan], seed=0)
    with pytest.raises(ValueError, match="n_resamples must be >= 2"):
        seed_bootstrap_interval([1.0, 2.0], n_resamples=1, seed=0)


def test_sweep_optimum_inside_and_at_the_end():
    v_shape = [[3.0, 1.0, 2.0], [4.0, 2.0, 3.0]]        # every seed is smallest in the middle
    found = sweep_optimum(v_shape, seed=0)
    assert (found.best, found.interior, found.kind) == (1, 1.0, "min")
    np.testing.assert_allclose(found.share, [0, 1, 0])
    rising = np.cumsum(np.ones((4, 5)), axis=1)         # monotone: best at the first (min) or last (max) end
    assert sweep_optimum(rising, seed=0).interior == 0.0 and sweep_optimum(rising, seed=0).best == 0
    assert sweep_optimum(rising, kind="max", seed=0).best == 4


def test_sweep_optimum_share_by_hand():
    # seed 0 is smallest at index 0, seed 1 at index 1. Resampled (0, 0): best 0 (probability 1/4);
    # (1, 1) or mixed, mean [2.5, 1, 2]: best 1 (probability 3/4)
    found = sweep_optimum([[0.0, 1.0, 2.0], [5.0, 1.0, 2.0]], n_resamples=4000, seed=1)
    np.testing.assert_allclose(found.share, [0.25, 0.75, 0.0], atol=0.03)   # 4 sigma of 4000 draws
    assert found.best == 1 and found.interior == pytest.approx(found.share[1])
    with pytest.raises(ValueError, match="kind must be one of"):
        sweep_optimum([[1.0, 2.0], [1.0, 2.0]], kind="best", seed=0)
    with pytest.raises(ValueError, match=r"values must be a \(K, C\) array"):
        sweep_optimum([1.0, 2.0], seed=0)


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
