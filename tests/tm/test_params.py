"""Tests of biascourse.tm (module _params): validation, derived constants, label statistics, grids."""
import warnings

import numpy as np
import pytest
from scipy import stats

from biascourse.tm import TMParams, solve, teacher_shift_gram


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(rho=0.0), r"rho must be in \(0, 1\); got 0"),
        (dict(rho=1.3), r"rho must be in \(0, 1\); got 1.3"),
        (dict(delta_plus=0.0), r"delta_plus must be in \(0, inf\)"),
        (dict(delta_minus=-1.0), r"delta_minus must be in \(0, inf\)"),
        (dict(v=-1.0), r"v must be in \[0, inf\)"),
        (dict(T=1.2), r"T must be in \[-1, 1\]; got 1.2"),
        (dict(eta=0.0), r"eta must be in \(0, inf\)"),
        (dict(eta_b=-0.1), r"eta_b must be in \[0, inf\)"),
        (dict(v=1.0, m_plus=1.5), "positive semi-definite"),
        (dict(v=0.0, m_minus=0.1), "positive semi-definite"),
        (dict(T=1.0, v=2.0, m_plus=0.5, m_minus=-0.5), "positive semi-definite"),
        (dict(T=0.0, v=1.0, m_plus=0.8, m_minus=0.8), "positive semi-definite"),
        (dict(rho=np.array([0.5, 1.5])), r"rho must be in \(0, 1\); got 1.5"),
        (dict(rho=np.nan), "rho must be finite"),
        (dict(rho=np.ones(2), eta=np.ones(3) * 0.1), "must broadcast together"),
    ],
)
def test_invalid_values_raise_a_named_value_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        TMParams(**kwargs)


def test_non_numbers_raise_type_error():
    with pytest.raises(TypeError, match="rho must be a number"):
        TMParams(rho="0.5")


def test_valid_geometries_pass():
    TMParams(T=1.0, v=2.0, m_plus=0.5, m_minus=0.5)
    TMParams(T=-1.0, v=2.0, m_plus=0.5, m_minus=-0.5)
    TMParams(T=0.6, v=2.0, m_plus=0.8, m_minus=-0.5)
    gram = teacher_shift_gram(TMParams(T=0.6, v=2.0, m_plus=0.8, m_minus=-0.5))
    np.testing.assert_allclose(gram, [[1, 0.6, 0.8], [0.6, 1, -0.5], [0.8, -0.5, 4.0]])


def test_derived_constants_by_hand():
    p = TMParams(rho=0.8, delta_plus=0.5, delta_minus=2.0, v=3.0, eta=0.1)
    assert p.V == 9.0
    assert p.delta_mix == pytest.approx(0.8 * 0.5 + 0.2 * 2.0)
    assert p.delta2_mix == pytest.approx(0.8 * 0.25 + 0.2 * 4.0)
    assert p.tau_M == pytest.approx(1 / (0.1 * 9.8))
    assert p.tau_R == pytest.approx(12.5)
    assert p.tau_Q == pytest.approx(1 / (2 * 0.1 * 0.8 - 0.01 * 1.0))
    assert p.eta_max == pytest.approx(1.6)


def test_label_statistics_match_monte_carlo():
    p = TMParams(rho=0.6, delta_plus=0.7, delta_minus=1.6, v=2.0, T=0.5, m_plus=0.4, m_minus=-0.3,
                 alpha_plus=0.2, alpha_minus=0.5)
    rng = np.random.default_rng(0)
    for c, delta, a, E, G in ((1, 0.7, 0.6, p.E_plus, p.G_plus), (-1, 1.6, 0.8, p.E_minus, p.G_minus)):
        assert (p.a_plus if c == 1 else p.a_minus) == pytest.approx(a)
        field = a + np.sqrt(delta) * rng.standard_normal(400_000)
        assert E == pytest.approx(np.mean(np.sign(field)), abs=4 / np.sqrt(400_000))
        # Stein: E[sign(a + s g) g] = sqrt(2/pi) exp(-a^2 / 2 s^2) = G
        g = (field - a) / np.sqrt(delta)
        assert G == pytest.approx(np.mean(np.sign(field) * g), abs=4 / np.sqrt(400_000))
        assert E == pytest.approx(1 - 2 * stats.norm.cdf(-a / np.sqrt(delta)))


def test_array_fields_broadcast_to_a_grid():
    grid = TMParams(rho=np.linspace(0.1, 0.9, 5)[:, None], delta_minus=np.linspace(0.5, 3.0, 4), eta=0.05)
    assert grid.shape == (5, 4)
    assert np.shape(grid.tau_R) == (5, 4)
    single = TMParams(rho=0.3, delta_minus=np.linspace(0.5, 3.0, 4)[2], eta=0.05)
    assert grid.tau_R[1, 2] == pytest.approx(single.tau_R)


def test_unstable_learning_rate_warns_in_solve():
    p = TMParams(delta_plus=1.0, delta_minus=1.0, eta=2.5)
    assert p.eta_max == pytest.approx(2.0)
    with pytest.warns(RuntimeWarning, match="eta_max"):
        sol = solve(p, [0.0, 10.0])
    assert sol.Q[-1] > 1e3
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        solve(TMParams(eta=1.9), [1.0])
