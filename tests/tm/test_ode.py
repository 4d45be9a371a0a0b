"""Tests of biascourse.tm (module _ode): closed form vs ODE integration, fixed point, special cases, crossings."""
import numpy as np
import pytest

from biascourse.tm import TMParams, TMState, coefficients, crossings, fixed_point, group_mse, order_parameters, solve

GENERAL = TMParams(rho=0.7, delta_plus=0.5, delta_minus=1.5, v=2.0, T=0.6, m_plus=0.8, m_minus=-0.5,
                   alpha_plus=0.3, alpha_minus=-0.2, eta=0.3)
CENTRED = TMParams(rho=0.8, delta_plus=0.5, delta_minus=2.0, eta=0.1)
SPURIOUS = TMParams(rho=0.9, v=3.0, alpha_plus=1.0, alpha_minus=1.0, eta=0.1)
THREE_PHASE = TMParams(rho=0.8, delta_plus=0.1, delta_minus=3.0, v=4.0, alpha_plus=0.2, alpha_minus=-0.2, eta=0.05)
FIELDS = ("R_plus", "R_minus", "M", "Q", "eps_plus", "eps_minus", "err_plus", "err_minus")


@pytest.mark.parametrize("params", [GENERAL, CENTRED, SPURIOUS, THREE_PHASE], ids=["general", "centred", "spurious", "three"])
@pytest.mark.parametrize("init", [None, TMState(R_plus=0.02, R_minus=-0.01, M=0.03, Q=0.25)], ids=["zero", "random"])
def test_closed_form_equals_ode_integration(params, init):
    t = np.concatenate([np.linspace(0, 3, 31), np.linspace(3, 150, 60)])
    a = solve(params, t, init)
    b = solve(params, t, init, method="ode")
    for name in FIELDS:
        np.testing.assert_allclose(getattr(a, name), getattr(b, name), atol=1e-8, rtol=0, err_msg=name)


def test_closed_form_at_resonance_and_without_shift_is_finite_and_exact():
    # c9 = 1/tau_R exactly: eta Delta^mix = eta^2 Delta^2mix, i.e. eta = Delta^mix / Delta^2mix.
    base = TMParams(rho=0.5, delta_plus=1.0, delta_minus=2.0)
    p = TMParams(rho=0.5, delta_plus=1.0, delta_minus=2.0, eta=float(base.delta_mix / base.delta2_mix))
    assert coefficients(p).c9 == pytest.approx(1 / p.tau_R)
    t = np.linspace(0, 40, 41)
    a, b = solve(p, t, {"Q": 0.3}), solve(p, t, {"Q": 0.3}, method="ode")
    np.testing.assert_allclose(a.Q, b.Q, atol=1e-8)


def test_vectorised_over_times_and_parameter_grids():
    t = np.linspace(0, 50, 12).reshape(3, 4)
    grid = TMParams(rho=np.array([0.3, 0.8])[:, None], delta_plus=0.5, delta_minus=np.array([0.5, 1.0, 2.0]), eta=0.1)
    sol = solve(grid, t)
    assert sol.Q.shape == (2, 3, 3, 4) and sol.eps.shape == (2, 3, 3, 4)
    one = solve(TMParams(rho=0.8, delta_plus=0.5, delta_minus=1.0, eta=0.1), t)
    np.testing.assert_allclose(sol.eps_plus[1, 1], one.eps_plus, rtol=1e-13)
    np.testing.assert_allclose(sol.eps[1, 1], 0.8 * one.eps_plus + 0.2 * one.eps_minus, rtol=1e-13)
    ode = order_parameters(grid, t, method="ode")
    np.testing.assert_allclose(ode["Q"], sol.Q, atol=1e-8)


@pytest.mark.parametrize("params", [GENERAL, CENTRED, THREE_PHASE, TMParams(rho=0.7, delta_plus=0.5, delta_minus=1.5,
                         v=2.0, T=0.6, m_plus=0.8, m_minus=-0.5, alpha_plus=0.3, alpha_minus=-0.2, eta=0.3, eta_b=0.3)])
def test_fixed_point_is_the_long_time_limit(params):
    sol = solve(params, [4000.0], {"Q": 0.25}, method="ode" if params.has_bias else "closed_form")
    fp = fixed_point(params)
    for name in ("R_plus", "R_minus", "M", "Q", "b"):
        assert getattr(sol, name)[-1] == pytest.approx(float(getattr(fp, name)), abs=1e-9), name


def test_bias_extension_reduces_to_the_paper_model_and_learns_the_label_mean():
    t = np.linspace(0, 25, 26)
    no_bias = solve(GENERAL, t)
    ode = solve(GENERAL, t, method="ode")
    np.testing.assert_allclose(ode.b, 0.0)
    np.testing.assert_allclose(ode.eps_minus, no_bias.eps_minus, atol=1e-8)
    p = TMParams(rho=0.7, delta_plus=0.5, delta_minus=1.5, v=2.0, T=0.6, m_plus=0.8, m_minus=-0.5,
                 alpha_plus=0.3, alpha_minus=-0.2, eta=0.3, eta_b=0.3)
    with pytest.raises(ValueError, match="use method='ode'"):
        solve(p, t)
    with pytest.raises(ValueError, match="use method='ode'"):
        solve(GENERAL, t, {"b": 0.1})
    sol = solve(p, t, method="ode")
    assert abs(sol.b[-1]) > 0.05
    assert sol.eps[-1] < no_bias.eps[-1]  # an extra trained parameter can only lower the total MSE


def test_centred_case_formulas_of_section_6_1():
    p = CENTRED
    t = np.linspace(0, 80, 81)
    sol = solve(p, t)
    G = np.sqrt(2 / np.pi)
    S = p.rho * np.sqrt(p.delta_plus) + (1 - p.rho) * np.sqrt(p.delta_minus)
    R_inf = G * S / p.delta_mix
    np.testing.assert_allclose(sol.R_plus, R_inf * (1 - np.exp(-t / p.tau_R)), rtol=1e-12)
    np.testing.assert_allclose(sol.M, 0.0)
    # Initial slope of eps_c (https://biascourse.github.io/biascourse/book/derivations/tm_phases.html#deriv-phases-slopes, https://biascourse.github.io/biascourse/book/derivations/tm_phases.html#deriv-phases-centred), by a tiny finite difference.
    h = 1e-6
    sol0 = solve(p, [0.0, h])
    for i, delta in enumerate((p.delta_plus, p.delta_minus)):
        slope = 0.5 * p.eta**2 * delta * p.delta_mix - 2 / np.pi * p.eta * np.sqrt(delta) * S
        eps = (sol0.eps_plus, sol0.eps_minus)[i]
        assert (eps[1] - eps[0]) / h == pytest.approx(slope, rel=1e-4)


def test_crossing_time_approaches_small_eta_formula():
    sq_p, sq_m = np.sqrt(0.5), np.sqrt(2.0)
    S = 0.8 * sq_p + 0.2 * sq_m
    for eta, tol in ((0.001, 0.01), (0.01, 0.05)):
        p = TMParams(rho=0.8, delta_plus=0.5, delta_minus=2.0, eta=eta)
        predicted = p.tau_R * np.log((sq_p + sq_m) * S / ((sq_p - sq_m) * (0.2 * sq_m - 0.8 * sq_p)))
        roots = crossings(p, 10 * p.tau_R)
        assert len(roots) == 1
        assert roots[0] == pytest.approx(predicted, rel=tol)
        sol = solve(p, roots)
        assert abs(sol.eps_gap[0]) < 1e-12


def test_three_phase_set_has_two_crossings_and_none_without_condition():
    roots = crossings(THREE_PHASE, 150.0)
    assert len(roots) == 2
    gaps = solve(THREE_PHASE, roots).eps_gap
    np.testing.assert_allclose(gaps, 0.0, atol=1e-12)
    assert len(crossings(TMParams(rho=0.3, delta_plus=0.5, delta_minus=2.0, eta=0.1), 200.0)) == 0


def test_crossings_by_ode_match_closed_form_and_bad_inputs_raise():
    roots = crossings(CENTRED, 80.0, n_grid=200)
    np.testing.assert_allclose(crossings(CENTRED, 80.0, method="ode", n_grid=200), roots, rtol=1e-8)
    with pytest.raises(ValueError, match="single parameter set"):
        crossings(TMParams(rho=np.array([0.2, 0.8])), 10.0)
    with pytest.raises(ValueError, match=r"t_max must be in \(0, inf\)"):
        crossings(CENTRED, -1.0)
    with pytest.raises(ValueError, match=r"n_grid must be an integer in \[2, inf\); got 1"):
        crossings(CENTRED, 1.0, n_grid=1)


def test_bad_arguments_of_solve_raise():
    with pytest.raises(ValueError, match="method must be one of 'closed_form', 'ode'; got 'euler'"):
        solve(CENTRED, [1.0], method="euler")
    with pytest.raises(ValueError, match=r"t must hold values in \[0, inf\)"):
        solve(CENTRED, [-1.0])
    with pytest.raises(ValueError, match="init keys must be among"):
        solve(CENTRED, [1.0], {"q": 1.0})
    with pytest.raises(ValueError, match=r"Q must be in \[0, inf\)"):
        solve(CENTRED, [1.0], {"Q": -1.0})
    with pytest.raises(TypeError, match="init must be a TMState"):
        solve(CENTRED, [1.0], [0.0, 0.0])


def test_mse_of_solution_is_consistent_with_group_mse():
    sol = solve(GENERAL, np.linspace(0, 5, 6))
    eps_plus, _ = group_mse(GENERAL, sol.R_plus, sol.R_minus, sol.M, sol.Q)
    np.testing.assert_allclose(sol.eps_plus, eps_plus)
