"""Tests of the bias-amplification measure on hand-computed tables (https://biascourse.github.io/biascourse/book/derivations/bias_amplification.html#deriv-amp-measure, https://biascourse.github.io/biascourse/book/derivations/bias_amplification.html#deriv-amp-conventions, https://biascourse.github.io/biascourse/book/derivations/bias_amplification.html#deriv-amp-example)."""
import warnings

import numpy as np
import pytest

from biascourse.amplification import (BiasAmplificationWarning, accuracy_table, bias_amplification,
                                      bias_amplification_from_counts, bias_amplification_from_probabilities,
                                      bootstrap_interval, contingency_table, reference_bias_amplification)


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
    with pytest.raises(ValueError, match="tie must be one of 'paper', 'sign'; got 'other'"):
        bias_amplification_from_counts(NOTE_COUNTS, NOTE_PREDICTED, tie="other")
    with pytest.raises(ValueError, match="direction must be one of 'A->T', 'T->A'; got 'A<-T'"):
        bias_amplification([0, 1], [0, 1], [0, 1], direction="A<-T")
    with pytest.raises(ValueError, match="empty must be one of 'raise', 'warn'; got 'ignore'"):
        accuracy_table([0, 1], [0, 1], [0, 1], empty="ignore")


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
    with pytest.raises(ValueError, match=r"epsilon must hold values in \[0, 0.5\]; got values from 0 to 0.7"):
        reference_bias_amplification([0.0, 0.7], "perfect")
    with pytest.raises(ValueError, match=r"epsilon must hold values in \[0, 0.5\]"):
        reference_bias_amplification(0.7, "perfect")
    with pytest.raises(ValueError, match="predictor must be one of 'perfect', 'group_only', 'group_blind'; got 'oracle'"):
        reference_bias_amplification(0.1, "oracle")
    with pytest.raises(ValueError, match=r"accuracy must be in \[0, 1\]; got 1.5"):
        reference_bias_amplification(0.1, "group_blind", accuracy=1.5)


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



def test_bootstrap_interval_of_bias_amplification():
    task, attribute, predicted = samples_from_tables(NOTE_COUNTS, NOTE_PREDICTED)
    ci = bootstrap_interval(lambda t, a, p: bias_amplification(t, a, p).value, task, attribute, predicted,
                            n_resamples=300, seed=0)
    assert ci.estimate == pytest.approx(0.07) and ci.low < 0.07 < ci.high

def test_no_warning_on_ordinary_tables():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bias_amplification_from_counts(TIE_COUNTS, TIE_PREDICTED)


def test_the_measure_does_not_import_the_trainer():
    """The measure and the evaluation read a training History through its public methods only."""
    import ast
    from pathlib import Path

    import biascourse.amplification as amplification

    folder = Path(amplification.__file__).parent
    for name in ("_measure.py", "_calibration.py", "_intervals.py", "_evaluate.py"):
        tree = ast.parse((folder / name).read_text())
        imported = {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        assert not any("train" in module for module in imported), f"{name} imports {sorted(imported)}"
        if name == "_measure.py":
            assert "torch" not in imported
