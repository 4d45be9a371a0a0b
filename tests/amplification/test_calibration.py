"""Tests of the calibration errors with 15 right-closed bins (https://biascourse.github.io/biascourse/book/derivations/bias_amplification.html#deriv-amp-calibration)."""
import numpy as np
import pytest

from biascourse.amplification import N_BINS, binned_calibration, calibration


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


def test_number_of_bins():
    cal = binned_calibration([0.55, 0.95], [1, 1])
    assert N_BINS == 15 and cal.count.shape == (N_BINS,) and len(cal.edges) == N_BINS + 1
    assert binned_calibration([0.55, 0.95], [1, 1], n_bins=2).count.tolist() == [0, 2]
    with pytest.raises(ValueError, match=r"n_bins must be an integer in \[1, inf\); got 0"):
        binned_calibration([0.5], [1], n_bins=0)
    with pytest.raises(TypeError, match=r"n_bins must be an integer in \[1, inf\); got 2.5"):
        binned_calibration([0.5], [1], n_bins=2.5)
