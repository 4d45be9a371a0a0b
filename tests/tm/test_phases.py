"""Tests of biascourse.tm.phases: slopes, asymptotes, crossing rules, phases of bias, phase diagrams."""
from dataclasses import replace

import numpy as np
import pytest

from biascourse.tm import EXAMPLES, TMParams, coefficients, crossings, fixed_point, solve
from biascourse.tm import phases
from biascourse.tm.phases import Region

CENTRED = EXAMPLES["centred_crossing"].params
GENERAL = EXAMPLES["general"].params
THREE_PHASE = EXAMPLES["three_phase"].params
SPURIOUS = EXAMPLES["spurious_nonmonotone"].params
GENERAL_BIAS = EXAMPLES["general_bias"].params
SHIFTED = dict(v=4.0, alpha_plus=0.2, alpha_minus=-0.2)  # the three-phase set's shift and label imbalance


def _richardson_slope(params, init, h):
    """d eps_c/dt at t = 0 from solve, one-sided Richardson extrapolation (error O(h^2))."""
    method = "ode" if params.has_bias else "closed_form"
    sol = solve(params, np.array([0.0, h, 2 * h]), init, method=method)
    out = []
    for eps in (sol.eps_plus, sol.eps_minus):
        out.append((4 * (eps[1] - eps[0]) - (eps[2] - eps[0])) / (2 * h))
    return out


@pytest.mark.parametrize("params", [CENTRED, GENERAL, THREE_PHASE, SPURIOUS, GENERAL_BIAS],
                         ids=["centred", "general", "three", "spurious", "bias"])
@pytest.mark.parametrize("init", [None, {"Q": 0.25}, {"R_plus": 0.1, "R_minus": -0.05, "M": 0.2, "Q": 0.3}],
                         ids=["zero", "random", "trained"])
def test_initial_slopes_equal_finite_differences_of_solve(params, init):
    h = 1e-4 * float(min(params.tau_M, params.tau_Q))
    expected = _richardson_slope(params, init, h)
    got = phases.initial_slopes(params, init)
    for g, e in zip(got, expected):
        assert float(g) == pytest.approx(float(e), rel=1e-6, abs=1e-9)


def test_initial_slopes_from_zero_follow_the_closed_formula_on_a_grid():
    rng = np.random.default_rng(0)
    n = 50
    grid = TMParams(rho=rng.uniform(0.05, 0.95, n), delta_plus=rng.uniform(0.1, 3, n), delta_minus=rng.uniform(0.1, 3, n),
                    v=rng.uniform(0, 3, n), T=rng.uniform(-1, 1, n), alpha_plus=rng.normal(0, 0.5, n),
                    alpha_minus=rng.normal(0, 0.5, n), eta=rng.uniform(0.01, 0.3, n))
    k = coefficients(grid)
    plus, minus = phases.initial_slopes(grid)
    # https://biascourse.github.io/biascourse/book/derivations/tm_phases.html#deriv-phases-slopes: 1/2 eta^2 Delta_c Delta^mix - eta c E_c c1 - eta sqrt(Delta_c) G_c c_{2/3}
    for got, c, delta, E, G, c23 in ((plus, 1, grid.delta_plus, grid.E_plus, grid.G_plus, k.c2),
                                     (minus, -1, grid.delta_minus, grid.E_minus, grid.G_minus, k.c3)):
        formula = 0.5 * grid.eta**2 * delta * grid.delta_mix - grid.eta * c * E * k.c1 - grid.eta * np.sqrt(delta) * G * c23
        np.testing.assert_allclose(got, formula, rtol=1e-12, atol=1e-15)


def test_higher_variance_group_learns_first_in_the_centred_case():
    plus, minus = phases.initial_slopes(replace(CENTRED, eta=0.01))
    assert minus < plus < 0   # Delta_- = 2 > Delta_+ = 0.5
    S = 0.8 * np.sqrt(0.5) + 0.2 * np.sqrt(2.0)
    assert float(minus) == pytest.approx(-2 / np.pi * 0.01 * S * np.sqrt(2.0), rel=0.02)   # + O(eta^2)


def test_initial_slope_bounds_cover_every_teacher_overlap():
    T = np.linspace(-1, 1, 41)
    grid = TMParams(rho=0.8, delta_plus=0.5, delta_minus=2.0, T=T, eta=0.1)
    plus, minus = phases.initial_slopes(grid)
    (lo_p, hi_p), (lo_m, hi_m) = phases.initial_slope_bounds(grid)
    for slope, lo, hi in ((plus, lo_p, hi_p), (minus, lo_m, hi_m)):
        np.testing.assert_allclose(lo, slope[-1], rtol=1e-12)    # the bounds do not depend on T ...
        np.testing.assert_allclose(hi, slope[0], rtol=1e-12)     # ... and are attained at T = 1 and T = -1
        assert np.all(np.diff(slope) < 0)                       # steeper as the teachers align
    # small-eta values: -(2/pi) eta sqrt(Delta_c) (p_c sqrt(Delta_c) +- p_c' sqrt(Delta_c'))
    small = replace(grid, eta=1e-6)
    (lo_p, hi_p), _ = phases.initial_slope_bounds(small)
    a, b = 0.8 * np.sqrt(0.5), 0.2 * np.sqrt(2.0)
    np.testing.assert_allclose(lo_p, -2 / np.pi * 1e-6 * np.sqrt(0.5) * (a + b), rtol=1e-5)
    np.testing.assert_allclose(hi_p, -2 / np.pi * 1e-6 * np.sqrt(0.5) * (a - b), rtol=1e-5)


def _random_models(rng, n, *, centred, eta, T_range=(0.01, 1.0)):
    """n random models with teachers orthogonal to the shift; centred: no shift and no offsets."""
    extra = {} if centred else dict(v=rng.uniform(0, 3, n), alpha_plus=rng.normal(0, 0.5, n),
                                    alpha_minus=rng.normal(0, 0.5, n))
    return TMParams(rho=rng.uniform(0.01, 0.99, n), delta_plus=rng.uniform(0.1, 3, n), delta_minus=rng.uniform(0.1, 3, n),
                    T=rng.uniform(*T_range, n), eta=eta, **extra)


def test_initial_slope_terms_add_up_and_follow_the_formula_from_zero():
    grid = _random_models(np.random.default_rng(3), 200, centred=False, eta=0.2, T_range=(-1, 1))
    k = coefficients(grid)
    terms = phases.initial_slope_terms(grid)
    totals = phases.initial_slopes(grid)
    for i, (c, delta, E, G, c23) in enumerate(((1, grid.delta_plus, grid.E_plus, grid.G_plus, k.c2),
                                                (-1, grid.delta_minus, grid.E_minus, grid.G_minus, k.c3))):
        np.testing.assert_allclose(terms["M"][i], -grid.eta * c * E * k.c1, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(terms["R"][i], -grid.eta * np.sqrt(delta) * G * c23, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(terms["Q"][i], 0.5 * grid.eta**2 * delta * grid.delta_mix, rtol=1e-12)
        np.testing.assert_allclose(sum(terms[key][i] for key in phases.BIAS_DRIVERS), totals[i], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("eta", [1e-3, 0.1, 0.3])
def test_saliency_slope_ratio_lies_within_the_bounds_over_random_models(eta):
    # https://biascourse.github.io/biascourse/book/derivations/tm_phases.html#deriv-phases-slope-ratio: exact at any eta, with a shift and offsets
    grid = _random_models(np.random.default_rng(4), 5000, centred=False, eta=eta)
    saliency = phases.initial_slope_terms(grid)["R"]
    assert np.all(saliency[0] < 0) and np.all(saliency[1] < 0)       # for T > 0 both groups start learning
    ratio = saliency[0] / saliency[1]
    low, high = phases.initial_slope_ratio_bounds(grid)
    assert np.all(low <= ratio * (1 + 1e-12)) and np.all(ratio <= high * (1 + 1e-12))
    # the bounds are approached at the ends of rho: rho -> 1 gives high, rho -> 0 gives low
    for rho, bound in ((1 - 1e-12, high), (1e-12, low)):
        edge = phases.initial_slope_terms(replace(grid, rho=rho))["R"]
        np.testing.assert_allclose(edge[0] / edge[1], bound, rtol=1e-6)


def test_lecture_slope_ratio_bound_holds_for_the_whole_slopes_as_eta_goes_to_zero():
    # centred case: G_+ = G_-, the bounds are T sqrt(D+/D-) and sqrt(D+/D-)/T, and c1 = 0
    rng = np.random.default_rng(5)
    grid = _random_models(rng, 5000, centred=True, eta=1e-7)
    plus, minus = phases.initial_slopes(grid)
    low, high = phases.initial_slope_ratio_bounds(grid)
    root = np.sqrt(grid.delta_plus / grid.delta_minus)
    np.testing.assert_allclose(low, grid.T * root, rtol=1e-12)
    np.testing.assert_allclose(high, root / grid.T, rtol=1e-12)
    ratio = plus / minus
    assert np.all(low * (1 - 1e-5) <= ratio) and np.all(ratio <= high * (1 + 1e-5))   # O(eta) noise term
    with_T1 = replace(grid, T=1.0)                                                        # T = 1: equality
    np.testing.assert_allclose(np.divide(*phases.initial_slopes(with_T1)), root, rtol=1e-5)
    # each condition matters: finite eta (noise term), a shift with a label imbalance (c1 != 0), T < 0
    for broken in (replace(grid, eta=0.1), _random_models(rng, 5000, centred=False, eta=1e-7)):
        plus, minus = phases.initial_slopes(broken)
        low, high = np.sqrt(broken.delta_plus / broken.delta_minus) * np.array([broken.T, 1 / broken.T])
        outside = (plus / minus < low) | (plus / minus > high)
        assert 0.01 < outside.mean() < 0.9
    opposite = _random_models(rng, 5000, centred=True, eta=1e-7, T_range=(-1, -0.01))
    plus, minus = phases.initial_slopes(opposite)
    assert np.any(plus * minus < 0)            # one group's loss rises at first: the ratio changes sign


def test_slope_ratio_bounds_reject_models_outside_their_conditions():
    with pytest.raises(ValueError, match=r"T in \(0, 1\]; got T=-0.2"):
        phases.initial_slope_ratio_bounds(replace(CENTRED, T=np.array([0.5, -0.2])))
    with pytest.raises(ValueError, match="m_plus = m_minus = 0.*got m_plus=0.8"):
        phases.initial_slope_ratio_bounds(GENERAL)


def test_asymptotic_shift_overlap_is_the_fixed_point_with_and_without_a_bias():
    rng = np.random.default_rng(6)
    n = 300
    v = rng.uniform(0.5, 3, n)
    grid = TMParams(rho=rng.uniform(0.05, 0.95, n), delta_plus=rng.uniform(0.1, 3, n), delta_minus=rng.uniform(0.1, 3, n),
                    v=v, T=0.3, m_plus=0.3 * v * rng.uniform(-1, 1, n), m_minus=0.3 * v * rng.uniform(-1, 1, n),
                    alpha_plus=rng.normal(0, 0.5, n), alpha_minus=rng.normal(0, 0.5, n), eta=0.05)
    without, with_bias = phases.asymptotic_shift_overlap(grid)
    np.testing.assert_allclose(without, fixed_point(grid).M, rtol=1e-12, atol=1e-14)
    for eta_b in (0.01, 0.5):
        np.testing.assert_allclose(with_bias, fixed_point(replace(grid, eta_b=eta_b)).M, rtol=1e-10, atol=1e-13)
    # the decomposition E_bar = (2 rho - 1) y_bar + 2 rho (1 - rho) (E_+ - E_-): the bias takes the first part
    k = coefficients(grid)
    y_bar = grid.rho * grid.E_plus + (1 - grid.rho) * grid.E_minus
    np.testing.assert_allclose(k.E_bar, (2 * grid.rho - 1) * y_bar + 2 * grid.rho * (1 - grid.rho) * (grid.E_plus - grid.E_minus),
                               atol=1e-14)


@pytest.mark.parametrize("name", ["spurious_nonmonotone", "spurious", "general", "three_phase"])
def test_asymptotic_shift_overlap_is_the_long_time_limit_of_the_ode(name):
    params = EXAMPLES[name].params
    without, with_bias = phases.asymptotic_shift_overlap(params)
    assert solve(params, [20 * float(params.tau_R)]).M[0] == pytest.approx(float(without), abs=1e-8)
    biased = replace(params, eta_b=params.eta)
    _, tau_slow = phases.shift_bias_timescales(biased)
    t_end = 40 * float(max(tau_slow, params.tau_R))
    assert solve(biased, [t_end], method="ode").M[0] == pytest.approx(float(with_bias), abs=1e-8)
    if name.startswith("spurious"):
        # equal label means, teachers orthogonal to the shift: with a bias the shift direction disappears
        assert float(without) > 0.2 and float(with_bias) == pytest.approx(0.0, abs=1e-15)


@pytest.mark.parametrize("eta_b", [0.0, 0.01, 0.1, 1.0])
def test_shift_bias_timescales_are_the_rates_of_the_M_b_pair(eta_b):
    p = replace(SPURIOUS, eta_b=eta_b)
    tau_fast, tau_slow = phases.shift_bias_timescales(p)
    s = 2 * p.rho - 1
    rates = np.array([[p.eta * (p.V + p.delta_mix), p.eta * p.V * s], [eta_b * s, eta_b]])
    np.testing.assert_allclose(sorted(1 / np.array([tau_fast, tau_slow])), sorted(np.linalg.eigvals(rates).real), atol=1e-14)
    if eta_b == 0:
        assert float(tau_fast) == pytest.approx(float(p.tau_M)) and np.isinf(tau_slow)
        return
    # the ODE's M approaches its asymptote as exp(-t / tau_slow)
    t = float(tau_slow) * np.array([6.0, 8.0]) + 10 * float(tau_fast)
    M = solve(p, t, method="ode").M
    _, M_inf = phases.asymptotic_shift_overlap(p)
    decay = -np.log((M[1] - M_inf) / (M[0] - M_inf)) / (t[1] - t[0])
    assert decay * float(tau_slow) == pytest.approx(1.0, rel=1e-4)


def test_spurious_gap_vanishes_with_a_bias_and_stays_without():
    # equal variances, one teacher: eps_+ - eps_- = 2 M (b - E); without a bias b = 0
    E = float(SPURIOUS.E_plus)
    without, _ = phases.asymptotic_shift_overlap(SPURIOUS)
    eps_plus, eps_minus = phases.asymptotic_errors(SPURIOUS)
    assert float(eps_plus - eps_minus) == pytest.approx(-2 * E * float(without), rel=1e-12)
    eps_plus, eps_minus = phases.asymptotic_errors(replace(SPURIOUS, eta_b=0.1))
    assert float(eps_plus - eps_minus) == pytest.approx(0.0, abs=1e-14)


def test_centred_R_infinity_equals_the_fixed_point():
    grid = TMParams(rho=np.linspace(0.1, 0.9, 5)[:, None, None], delta_plus=0.5,
                    delta_minus=np.geomspace(0.1, 5, 6)[:, None], T=np.linspace(-1, 1, 7), eta=0.05)
    fp = fixed_point(grid)
    R_plus, R_minus = phases.centred_R_infinity(grid)
    np.testing.assert_allclose(R_plus, fp.R_plus, rtol=1e-12)
    np.testing.assert_allclose(R_minus, fp.R_minus, rtol=1e-12)


def test_asymptotic_errors_are_the_long_time_limit_and_nan_when_divergent():
    for params in (CENTRED, GENERAL, THREE_PHASE):
        sol = solve(params, [5000.0])
        eps_plus, eps_minus = phases.asymptotic_errors(params)
        assert float(eps_plus) == pytest.approx(sol.eps_plus[-1], abs=1e-10)
        assert float(eps_minus) == pytest.approx(sol.eps_minus[-1], abs=1e-10)
    unstable = replace(CENTRED, eta=2.0)   # eta_max = 1.6
    assert np.isnan(phases.asymptotic_errors(unstable)).all()


def test_small_eta_asymptotic_gap_has_an_order_eta_correction():
    grid = TMParams(rho=np.linspace(0.1, 0.9, 9)[:, None], delta_plus=0.5, delta_minus=np.geomspace(0.2, 4, 7), eta=1e-3)
    formula = phases.asymptotic_gap_small_eta(grid)
    errors = []
    for eta in (1e-3, 1e-2):
        eps_plus, eps_minus = phases.asymptotic_errors(replace(grid, eta=eta))
        errors.append(np.max(np.abs(eps_plus - eps_minus - formula)))
    assert errors[0] < 5e-3 * np.max(np.abs(formula))  # measured: max error 0.6 eta, max |gap| 0.27
    assert 5 < errors[1] / errors[0] < 20        # the correction is linear in eta
    # the sign is the representation rule: + wins (negative gap) iff rho sqrt(D+) > (1 - rho) sqrt(D-)
    rule = grid.rho * np.sqrt(grid.delta_plus) > (1 - grid.rho) * np.sqrt(grid.delta_minus)
    np.testing.assert_array_equal(formula < 0, rule)


@pytest.mark.parametrize("eta", [0.001, 0.01, 0.1])
def test_small_eta_crossing_time_agrees_with_crossings_to_order_eta(eta):
    p = replace(CENTRED, eta=eta)
    exact = crossings(p, 20 * float(p.tau_R))
    assert len(exact) == 1
    predicted = float(phases.crossing_time_small_eta(p))
    assert abs(predicted - exact[0]) / exact[0] <= 2 * eta     # measured: 1.4 eta to 1.6 eta
    assert predicted == pytest.approx(float(p.tau_R) * np.log(9.0))


def test_crossing_time_is_nan_without_a_crossing():
    p = TMParams(rho=0.3, delta_plus=0.5, delta_minus=2.0, eta=0.01)   # the minority has both advantages
    assert not phases.crossing_condition(p)
    assert np.isnan(phases.crossing_time_small_eta(p))
    assert len(crossings(p, 40 * float(p.tau_R))) == 0


@pytest.mark.parametrize("params", [CENTRED, THREE_PHASE, GENERAL, SPURIOUS, EXAMPLES["centred_T09"].params],
                         ids=["centred", "three", "general", "spurious", "T09"])
def test_crossings_agree_with_a_dense_grid_sign_scan(params):
    t_max = 10 * float(max(params.tau_R, params.tau_Q))
    t = np.linspace(0, t_max, 200_001)[1:]
    sol = solve(params, t)
    gap = sol.eps_plus - sol.eps_minus
    scan = t[1:][np.sign(gap[1:]) * np.sign(gap[:-1]) < 0]
    found = crossings(params, t_max)
    assert len(found) == len(scan)
    np.testing.assert_allclose(found, scan, atol=t[1] - t[0])


def test_crossing_condition_predicts_crossings_on_a_grid_at_small_eta():
    rho = np.linspace(0.05, 0.95, 13)
    ratio = np.geomspace(0.15, 7, 11)
    checked = 0
    for r in rho:
        for q in ratio:
            p = TMParams(rho=r, delta_plus=0.5, delta_minus=0.5 * q, eta=0.002)
            margin = abs(r * np.sqrt(0.5) - (1 - r) * np.sqrt(0.5 * q)) / np.sqrt(0.5 * q)
            if abs(np.log(q)) < 0.1 or margin < 0.05:
                continue      # too close to a boundary for the small-eta rule
            found = crossings(p, 40 * float(p.tau_R), n_grid=600)
            assert bool(phases.crossing_condition(p)) == (len(found) > 0), (r, q)
            checked += 1
    assert checked > 100


def _near_rule_boundaries(rho, ratio, delta_plus=0.5, tol=0.05):
    delta_minus = delta_plus * ratio
    margin = np.abs(rho * np.sqrt(delta_plus) - (1 - rho) * np.sqrt(delta_minus)) / np.sqrt(delta_minus)
    return (np.abs(np.log(ratio)) < tol) | (margin < tol)


def test_phase_diagram_reproduces_the_small_eta_rules_away_from_boundaries():
    rho, ratio = np.linspace(0.01, 0.99, 200), np.geomspace(0.1, 10, 200)
    diagram = phases.phase_diagram(rho, ratio, eta=1e-3)
    assert diagram.region.shape == (200, 200)
    rules = phases.small_eta_regimes(diagram.params)
    far = ~_near_rule_boundaries(rho[:, None], ratio[None, :])
    assert far.mean() > 0.8
    np.testing.assert_array_equal(diagram.region[far], rules[far])
    assert set(np.unique(diagram.region)) == {-2, -1, 1, 2}
    assert not diagram.diverged.any()


def test_phase_diagram_at_larger_eta_follows_the_exact_dynamics_not_the_rules():
    rho, ratio = np.linspace(0.05, 0.95, 60), np.geomspace(0.1, 10, 60)
    eta = 0.3
    diagram = phases.phase_diagram(rho, ratio, eta=eta)
    rules = phases.small_eta_regimes(diagram.params)
    differ = (diagram.region != rules) & ~diagram.diverged
    assert differ.any()                     # the eta^2 terms move the boundaries
    for i, j in np.argwhere(differ)[:: max(1, differ.sum() // 25)]:
        p = TMParams(rho=rho[i], delta_plus=0.5, delta_minus=0.5 * ratio[j], eta=eta)
        eps_plus, eps_minus = phases.asymptotic_errors(p)
        assert diagram.winner[i, j] == np.sign(eps_minus - eps_plus)
        assert diagram.n_crossings[i, j] == len(crossings(p, 60 * float(max(p.tau_R, p.tau_Q))))


def test_phase_diagram_marks_divergence_where_eta_exceeds_eta_max():
    rho, ratio = np.linspace(0.02, 0.98, 50), np.geomspace(0.1, 10, 40)
    diagram = phases.phase_diagram(rho, ratio, eta=0.5)
    expected = 0.5 >= diagram.params.eta_max
    assert expected.any() and not expected.all()
    np.testing.assert_array_equal(diagram.diverged, expected)
    np.testing.assert_array_equal(diagram.region == Region.DIVERGENT, expected)
    assert np.all(diagram.winner[expected] == 0) and np.all(diagram.n_crossings[expected] == 0)


def test_phase_diagram_with_a_shift_counts_every_crossing():
    rho, ratio = np.linspace(0.05, 0.95, 9), np.geomspace(0.1, 10, 8)
    diagram = phases.phase_diagram(rho, ratio, eta=0.05, **SHIFTED)
    assert diagram.n_crossings.max() == 2      # double crossings exist with a label imbalance
    for i, r in enumerate(rho):
        for j, q in enumerate(ratio):
            p = TMParams(rho=r, delta_plus=0.5, delta_minus=0.5 * q, eta=0.05, **SHIFTED)
            found = crossings(p, 40 * float(max(p.tau_R, p.tau_Q)), n_grid=2000)
            assert diagram.n_crossings[i, j] == len(found), (r, q)


def test_region_codes_combine_winner_and_crossings():
    p = TMParams(rho=np.array([0.3, 0.8, 0.9, 0.3]), delta_plus=0.5, delta_minus=np.array([2.0, 2.0, 0.2, 0.2]), eta=1e-3)
    regimes = phases.bias_regimes(p)
    np.testing.assert_array_equal(regimes.region, [Region.CONSISTENT_MINUS, Region.PLUS_AFTER_CROSSING,
                                                   Region.CONSISTENT_PLUS, Region.MINUS_AFTER_CROSSING])
    np.testing.assert_array_equal(regimes.early_winner, [-1, -1, 1, 1])


@pytest.mark.parametrize("params", [THREE_PHASE, GENERAL, SPURIOUS, CENTRED], ids=["three", "general", "spurious", "centred"])
def test_bias_drivers_sum_to_the_rate_of_change_of_the_bias(params):
    t = np.linspace(0.5, 30, 60)
    h = 1e-4
    drivers = phases.bias_drivers(params, t)
    total = sum(drivers.values())
    up, down = solve(params, t + h), solve(params, t - h)
    rate = ((up.eps_plus - up.eps_minus) - (down.eps_plus - down.eps_minus)) / (2 * h)
    np.testing.assert_allclose(total, rate, atol=1e-7)
    if params.V == 0:
        np.testing.assert_array_equal(drivers["M"], 0.0)


def test_three_phase_set_shows_the_three_phases_in_order():
    t_max = EXAMPLES["three_phase"].t_max
    intervals = phases.phase_intervals(THREE_PHASE, t_max)
    assert [p.driver for p in intervals] == ["M", "R", "Q"]
    assert intervals[0].start == 0 and intervals[-1].end == t_max
    assert all(a.end == b.start for a, b in zip(intervals, intervals[1:]))
    # class imbalance ends a few tau_M in; representation takes over near tau_R
    assert 1 < intervals[0].end / float(THREE_PHASE.tau_M) < 3
    assert 0.5 < intervals[1].end / float(THREE_PHASE.tau_R) < 1.5


def test_centred_phase_boundary_is_the_peak_of_the_saliency_bias():
    # With M = 0 the R and Q terms have opposite signs; where they balance, d(eps_+ - eps_-)/dt = 0.
    intervals = phases.phase_intervals(CENTRED, 80.0)
    assert [p.driver for p in intervals] == ["R", "Q"]
    t = np.linspace(0.01, 80, 80_000)
    sol = solve(CENTRED, t)
    peak = t[np.argmax(np.abs(sol.eps_plus - sol.eps_minus))]
    assert intervals[0].end == pytest.approx(peak, rel=0.01)


def test_spurious_set_is_all_class_imbalance():
    # Equal variances and one teacher: R and Q move both groups alike; only M separates them.
    assert [p.driver for p in phases.phase_intervals(SPURIOUS, 60.0)] == ["M"]


def test_phase_diagram_of_a_200_by_200_grid_is_one_fast_call():
    rho, ratio = np.linspace(0.01, 0.99, 200), np.geomspace(0.1, 10, 200)
    diagram = phases.phase_diagram(rho, ratio, eta=0.01)
    assert diagram.params.shape == (200, 200)
    np.testing.assert_array_equal(diagram.params.rho[:, 0], rho)


def test_centred_formulas_reject_other_cases():
    for func in (phases.centred_R_infinity, phases.asymptotic_gap_small_eta, phases.crossing_condition,
                 phases.crossing_time_small_eta, phases.small_eta_regimes):
        with pytest.raises(ValueError, match=r"centred case \(.*deriv-phases-centred\); got v=3"):
            func(SPURIOUS)
    for func in (phases.asymptotic_gap_small_eta, phases.crossing_condition, phases.crossing_time_small_eta):
        with pytest.raises(ValueError, match="T = 1.*T=0.9"):
            func(EXAMPLES["centred_T09"].params)
    phases.centred_R_infinity(EXAMPLES["centred_T09"].params)   # T < 1 is fine there


def test_bad_arguments_raise_value_errors():
    with pytest.raises(ValueError, match=r"t_max must be in \(0, inf\); got -1"):
        phases.phase_intervals(CENTRED, -1.0)
    with pytest.raises(ValueError, match="single parameter set"):
        phases.phase_intervals(TMParams(rho=np.array([0.3, 0.5])), 10.0)
    with pytest.raises(ValueError, match="eta_b = 0"):
        phases.bias_regimes(GENERAL_BIAS)
    with pytest.raises(ValueError, match=r"n_times must be an integer in \[2, inf\); got 1"):
        phases.bias_regimes(CENTRED, n_times=1)
    with pytest.raises(TypeError, match=r"n_times must be an integer in \[2, inf\); got 8.0"):
        phases.bias_regimes(CENTRED, n_times=8.0)
    with pytest.raises(ValueError, match=r"t_max must be a finite number in \(0, inf\); got nan"):
        phases.phase_intervals(CENTRED, float("nan"))
    with pytest.raises(ValueError, match=r"rho must have 1 dimension\(s\); got shape \(2, 2\)"):
        phases.phase_diagram(np.ones((2, 2)) * 0.5, [1.0], eta=0.1)
    with pytest.raises(ValueError, match=r"delta_ratio must be in \(0, inf\); got -1"):
        phases.phase_diagram([0.5], [-1.0, 1.0], eta=0.1)
    with pytest.raises(ValueError, match=r"rho must be in \(0, 1\); got 1.5"):
        phases.phase_diagram([0.5, 1.5], [1.0], eta=0.1)


def test_a_model_symmetric_under_swapping_the_groups_has_no_bias_and_no_phase():
    symmetric = TMParams(rho=0.5, delta_plus=1.0, delta_minus=1.0, eta=0.1)
    assert phases.phase_intervals(symmetric, 50.0) == []
    regimes = phases.bias_regimes(symmetric)
    assert regimes.region == Region.NO_PREFERENCE and regimes.n_crossings == 0
