"""Tests of biascourse.tm.gap_crossings: sign changes of a sampled bias gap, against the theory's crossings."""
import numpy as np
import pytest

from biascourse.tm import EXAMPLES, crossings, gap_crossings, solve


def test_gap_crossings_ignore_noise_near_zero():
    t = np.arange(8.0)
    gap = np.array([0.0, 0.001, -0.001, -0.5, -0.2, 0.2, 0.4, -0.4])
    np.testing.assert_allclose(gap_crossings(t, gap, tol=0.01), [4.5, 6.5])
    assert gap_crossings(t, np.abs(gap) + 0.1).size == 0
    with pytest.raises(ValueError, match=r"gap must have shape \(8\); got \(3,\)"):
        gap_crossings(t, gap[:3])


def test_gap_crossings_of_the_sampled_theory_find_its_crossings():
    # the theory's gap sampled on a fine grid: linear interpolation finds the exact roots to O(dt^2)
    ex = EXAMPLES["three_phase"]
    t = np.linspace(0, ex.t_max, 20001)
    sol = solve(ex.params, t)
    exact = crossings(ex.params, ex.t_max)
    assert len(exact) == 2
    np.testing.assert_allclose(gap_crossings(t, sol.eps_gap), exact, atol=1e-4 * ex.t_max)
