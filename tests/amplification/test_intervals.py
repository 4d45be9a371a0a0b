"""Tests of the intervals over seeds and over test samples, and of the optimum of a sweep (https://biascourse.github.io/biascourse/book/derivations/bias_amplification.html#deriv-amp-intervals)."""
import numpy as np
import pytest
from scipy import stats

from biascourse.amplification import (AmplificationReport, bootstrap_interval, seed_bootstrap_interval, seed_interval,
                                      sweep_interval, sweep_optimum)


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
    with pytest.raises(ValueError, match=r"n_resamples must be an integer in \[2, inf\); got 1"):
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


def test_interval_arguments_are_checked():
    with pytest.raises(ValueError, match=r"level must be in \(0, 1\); got 1"):
        seed_interval([1.0, 2.0], level=1.0)
    with pytest.raises(ValueError, match=r"level must be in \(0, 1\); got 95"):
        seed_bootstrap_interval([1.0, 2.0], level=95, seed=0)
    with pytest.raises(TypeError, match=r"n_resamples must be an integer in \[2, inf\); got 10.0"):
        bootstrap_interval(lambda s: s.mean(-1), np.arange(5.0), n_resamples=10.0, seed=0)
    with pytest.raises(ValueError, match=r"chunk must be an integer in \[1, inf\); got 0"):
        bootstrap_interval(lambda s: s.mean(-1), np.arange(5.0), chunk=0, seed=0)
    with pytest.raises(ValueError, match=r"n_resamples must be an integer in \[2, inf\); got 1"):
        sweep_optimum([[1.0, 2.0], [1.0, 2.0]], n_resamples=1, seed=0)


def report(amplification, accuracy):
    """A report of K seeds with the given per-seed values (the tables are not used by the intervals)."""
    k = len(amplification)
    zeros = np.zeros(k)
    return AmplificationReport(np.asarray(amplification, dtype=float), np.asarray(accuracy, dtype=float), zeros, zeros,
                               np.zeros((k, 2, 2)), np.zeros((2, 2), dtype=int), np.zeros((k, 2, 2), dtype=int))


def test_sweep_interval_is_the_seed_bootstrap_of_the_sweep():
    reports = [report([0.1, 0.3, 0.2], [0.9, 0.8, 0.85]), report([0.2, 0.5, 0.2], [0.7, 0.9, 0.8])]
    ci = sweep_interval(reports, "bias_amplification", seed=3)
    direct = seed_bootstrap_interval(np.array([[0.1, 0.2], [0.3, 0.5], [0.2, 0.2]]), seed=3)
    for got, want in zip((ci.estimate, ci.low, ci.high), (direct.estimate, direct.low, direct.high)):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_allclose(ci.estimate, [0.2, 0.3])
    np.testing.assert_allclose(sweep_interval(reports, "accuracy", seed=3).estimate, [0.85, 0.8])
    with pytest.raises(ValueError, match="field must be one of"):
        sweep_interval(reports, "counts", seed=0)
    with pytest.raises(ValueError, match="at least 2 seeds"):
        sweep_interval([report([0.1], [0.9])], "accuracy", seed=0)
