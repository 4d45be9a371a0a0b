"""The power-law fit of the learning time against the frequency."""
import numpy as np
import pytest

from biascourse import simplicity as sb

K = np.arange(5, 55, 5, dtype=float)


def test_exact_power_law_is_recovered_over_the_learned_frequencies():
    times = 7.0 * K**1.5
    times[-4:] = np.nan  # never learned
    fit = sb.learning_time_exponent(K, times)
    assert fit.n_points == 6
    assert fit.exponent == pytest.approx(1.5, abs=1e-12) and fit.prefactor == pytest.approx(7.0, rel=1e-10)


def test_hand_computed_two_point_slope():
    # two points (k, tau) = (5, 100), (10, 400): slope log(4)/log(2) = 2
    times = np.full(K.size, np.nan)
    times[:2] = [100.0, 400.0]
    assert np.isnan(sb.learning_time_exponent(K, times).exponent)  # default needs 3 points
    fit = sb.learning_time_exponent(K, times, min_points=2)
    assert fit.exponent == pytest.approx(2.0) and fit.n_points == 2


def test_too_few_learned_frequencies_give_nan_and_the_count():
    fit = sb.learning_time_exponent(K, np.r_[10.0, 20.0, [np.nan] * 8])
    assert np.isnan(fit.exponent) and np.isnan(fit.prefactor) and fit.n_points == 2


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match=r"times must have shape \(10\)"):
        sb.learning_time_exponent(K, np.ones(3))
    with pytest.raises(ValueError, match="min_points must be an integer in \\[2, inf\\)"):
        sb.learning_time_exponent(K, np.ones(10), min_points=1)
    with pytest.raises(ValueError, match="times must be positive"):
        sb.learning_time_exponent(K, np.r_[0.0, np.ones(9)])
    with pytest.raises(ValueError, match="frequencies must hold values"):
        sb.learning_time_exponent(-K, np.ones(10))
