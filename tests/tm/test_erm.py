"""Tests of biascourse.tm.erm: ERM solvers, exact per-group errors, learning curves, ridge theory."""
import dataclasses

import numpy as np
import pytest
from scipy.optimize import minimize

from biascourse.tm import TMParams, fixed_point, group_error_rate, group_mse, sample
from biascourse.tm import erm

GENERAL = TMParams(rho=0.7, delta_plus=0.5, delta_minus=1.5, v=2.0, T=0.6, m_plus=0.8, m_minus=-0.5,
                   alpha_plus=0.3, alpha_minus=-0.2)


def _data(n, N, seed=0, batch=()):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=batch + (n, N)) * rng.uniform(0.5, 1.5, size=batch + (n, 1))
    y = np.sign(rng.normal(size=batch + (n,)))
    weight = (rng.uniform(size=batch + (n,)) < 0.7).astype(float)
    return x, y, weight


def _normal_equations(x, y, lam, intercept, weight):
    """Ridge by a direct solve of the normal equations in N (+1) dimensions."""
    n, N = x.shape
    A = np.column_stack([x / np.sqrt(N), np.ones(n)]) if intercept else x / np.sqrt(N)
    penalty = np.diag([lam] * N + [0.0] * intercept)
    theta = np.linalg.solve(A.T @ (weight[:, None] * A) + penalty, A.T @ (weight * y))
    return theta[:N], (theta[N] if intercept else 0.0)


@pytest.mark.parametrize("n", [30, 90])  # fewer and more samples than dimensions
@pytest.mark.parametrize("intercept", [False, True])
def test_ridge_equals_normal_equation_solution(n, intercept):
    x, y, weight = _data(n, 60)
    result = erm.fit(x, y, lam=0.3, intercept=intercept, sample_weight=weight)
    W, b = _normal_equations(x, y, 0.3, intercept, weight)
    np.testing.assert_allclose(result.W, W, atol=1e-10)
    np.testing.assert_allclose(result.b, b, atol=1e-10)
    assert result.n_iter == 0


def test_ridgeless_is_the_minimum_norm_interpolator():
    x, y, _ = _data(40, 100)
    W = erm.fit(x, y, lam=0.0).W
    np.testing.assert_allclose(x @ W / 10.0, y, atol=1e-10)  # interpolates: y_hat = y
    np.testing.assert_allclose(W, np.linalg.pinv(x / 10.0) @ y, atol=1e-10)


def test_batched_fit_equals_one_fit_per_problem():
    x, y, weight = _data(50, 40, batch=(2, 3))
    for loss in ("square", "logistic"):
        batched = erm.fit(x, y, lam=0.5, loss=loss, intercept=True, sample_weight=weight)
        assert batched.W.shape == (2, 3, 40) and batched.b.shape == (2, 3)
        single = erm.fit(x[1, 2], y[1, 2], lam=0.5, loss=loss, intercept=True, sample_weight=weight[1, 2])
        np.testing.assert_allclose(batched.W[1, 2], single.W, atol=1e-9)
        np.testing.assert_allclose(batched.b[1, 2], single.b, atol=1e-9)


@pytest.mark.parametrize("n", [30, 90])
@pytest.mark.parametrize("intercept", [False, True])
def test_logistic_solver_converges_to_the_minimiser(n, intercept):
    x, y, weight = _data(n, 60, seed=4)
    lam = 0.2
    result = erm.fit(x, y, lam=lam, loss="logistic", intercept=intercept, sample_weight=weight)
    A = np.column_stack([x / np.sqrt(60), np.ones(n)]) if intercept else x / np.sqrt(60)
    penalty = np.array([lam] * 60 + [0.0] * intercept)

    def objective(theta):
        margin = y * (A @ theta)
        value = np.sum(weight * np.logaddexp(0, -margin)) + 0.5 * np.sum(penalty * theta**2)
        grad = -A.T @ (weight * y / (1 + np.exp(margin))) + penalty * theta
        return value, grad

    theta = np.append(result.W, result.b) if intercept else result.W
    assert np.max(np.abs(objective(theta)[1])) < 1e-10  # stationary: the gradient vanishes
    reference = minimize(objective, np.zeros(A.shape[1]), jac=True, method="L-BFGS-B",
                         options=dict(gtol=1e-12, ftol=1e-15, maxiter=10_000))
    np.testing.assert_allclose(theta, reference.x, atol=1e-5)  # L-BFGS's own precision
    assert 1 <= result.n_iter <= 20  # Newton: a handful of iterations


def test_logistic_solver_reports_non_convergence():
    x, y, _ = _data(50, 20)
    with pytest.raises(RuntimeError, match="did not converge in max_iter=1"):
        erm.fit(x, y, lam=0.1, loss="logistic", max_iter=1)
    with pytest.raises(RuntimeError, match="labels are all"):  # with an intercept, no minimiser exists
        erm.fit(x, np.ones(50), lam=0.1, loss="logistic", intercept=True)


def test_logistic_solver_stops_when_rounding_stalls_the_newton_step():
    """Near the minimum of a large problem the computed Newton step stalls at ~1e-8 relative (rounding);
    the solver must see that the predicted decrease is below the loss's rounding error and stop.
    (This case failed with 'did not converge' when only the step size was tested.)"""
    p = TMParams(rho=0.5, delta_plus=0.5, delta_minus=2.0, v=1.0, m_plus=0.5, m_minus=0.5)
    curve = erm.learning_curve(p, [2.18, 8.0], 400, 8, lam=0.5, loss="logistic")
    assert np.all(np.isfinite(curve.err_plus)) and np.all(curve.err_plus < 0.5)


@pytest.mark.parametrize("loss", ["square", "logistic"])
def test_per_group_errors_agree_with_fresh_test_samples(loss):
    """https://biascourse.github.io/biascourse/book/derivations/tm_model.html#deriv-tm-errors at the learned weights' overlaps equals the error measured on fresh samples (4 SE)."""
    N = 60
    train = sample(GENERAL, 150, N, seed=1)
    result = erm.fit(train.x, train.y, lam=0.5, loss=loss, intercept=True)
    state = erm.overlaps(result.W, train.geometry, result.b)
    eps = group_mse(GENERAL, state.R_plus, state.R_minus, state.M, state.Q, state.b)
    err = group_error_rate(GENERAL, state.R_plus, state.R_minus, state.M, state.Q, state.b)
    test = sample(GENERAL, 200_000, N, seed=2, geometry=train.geometry)
    y_hat = test.x @ result.W / np.sqrt(N) + result.b
    for i, c in enumerate((1, -1)):
        mine = test.group == c
        loss_c = 0.5 * (test.y[mine] - y_hat[mine]) ** 2
        wrong = np.sign(y_hat[mine]) != test.y[mine]
        assert eps[i] == pytest.approx(loss_c.mean(), abs=4 * loss_c.std() / np.sqrt(mine.sum()))
        assert err[i] == pytest.approx(wrong.mean(), abs=4 * wrong.std() / np.sqrt(mine.sum()))


def test_overlaps_are_the_order_parameters():
    train = sample(GENERAL, 10, 50, seed=3)
    W = np.arange(50.0) / 50
    state = erm.overlaps(W, train.geometry, 0.2)
    g = train.geometry
    np.testing.assert_allclose([state.R_plus, state.R_minus, state.M, state.Q, state.b],
                               [W @ g.teacher_plus / 50, W @ g.teacher_minus / 50, W @ g.shift / 50, W @ W / 50, 0.2])
    with pytest.raises(ValueError, match="W has dimension 49 but the geometry has dimension 50"):
        erm.overlaps(W[:49], train.geometry)


def test_learning_curve_is_reproducible_and_rows_are_seeds():
    kwargs = dict(lam=0.2, training="separate", intercept=True)
    first = erm.learning_curve(GENERAL, [0.5, 1.5], 40, 4, **kwargs)
    again = erm.learning_curve(GENERAL, [0.5, 1.5], 40, 4, **kwargs)
    np.testing.assert_array_equal(first.err_minus, again.err_minus)
    subset = erm.learning_curve(GENERAL, [0.5, 1.5], 40, [3, 1], **kwargs)
    np.testing.assert_allclose(subset.err_minus, first.err_minus[[3, 1]], atol=1e-12)
    np.testing.assert_array_equal(subset.seeds, [3, 1])
    assert first.err_plus.shape == (4, 2) and np.allclose(first.alpha, [0.5, 1.5])
    other = erm.learning_curve(GENERAL, [0.5, 1.5], 40, [7], **kwargs)
    assert not np.allclose(other.err_minus, first.err_minus[0])


@pytest.mark.parametrize("loss", ["square", "logistic"])
def test_learning_curve_fits_prefixes_of_each_seeds_stream(loss):
    """Joint: one student on the first alpha N samples; separate: one per group, on its own samples."""
    N, alphas = 30, [0.6, 2.0]
    joint = erm.learning_curve(GENERAL, alphas, N, [5], lam=0.4, loss=loss)
    separate = erm.learning_curve(GENERAL, alphas, N, [5], lam=0.4, loss=loss, training="separate")
    stream = sample(GENERAL, 60, N, seed=5)
    for j, n in enumerate((18, 60)):
        x, y, g = stream.x[:n], stream.y[:n], stream.group[:n]
        both = erm.overlaps(erm.fit(x, y, lam=0.4, loss=loss).W, stream.geometry)
        plus = erm.overlaps(erm.fit(x[g > 0], y[g > 0], lam=0.4, loss=loss).W, stream.geometry)
        minus = erm.overlaps(erm.fit(x[g < 0], y[g < 0], lam=0.4, loss=loss).W, stream.geometry)
        for name in ("R_plus", "R_minus", "M", "Q"):
            np.testing.assert_allclose(getattr(joint.model_plus, name)[0, j], getattr(both, name), atol=1e-9)
            np.testing.assert_allclose(getattr(joint.model_minus, name)[0, j], getattr(both, name), atol=1e-9)
            np.testing.assert_allclose(getattr(separate.model_plus, name)[0, j], getattr(plus, name), atol=1e-9)
            np.testing.assert_allclose(getattr(separate.model_minus, name)[0, j], getattr(minus, name), atol=1e-9)
    eps = group_mse(GENERAL, *(getattr(separate.model_minus, k) for k in ("R_plus", "R_minus", "M", "Q", "b")))[1]
    np.testing.assert_allclose(separate.eps_minus, eps)
    np.testing.assert_allclose(joint.eps_gap, joint.eps_plus - joint.eps_minus)
    np.testing.assert_allclose(joint.err, 0.7 * joint.err_plus + 0.3 * joint.err_minus)


@pytest.mark.slow
@pytest.mark.parametrize("training, intercept", [("joint", True), ("separate", False)])
def test_ridge_theory_agrees_with_simulation(training, intercept):
    """Seed means at N = 800 agree with the N -> infinity theory within 4 standard errors."""
    alphas = [0.5, 2.0]
    sim = erm.learning_curve(GENERAL, alphas, 800, 10, lam=0.3, training=training, intercept=intercept)
    theory = erm.ridge_theory(GENERAL, alphas, 0.3, training=training, intercept=intercept)
    for name in ("eps_plus", "eps_minus", "err_plus", "err_minus"):
        z = (sim.mean(name) - getattr(theory, name)) / sim.sem(name)
        assert np.all(np.abs(z) < 4), (name, z)
    for model in ("model_plus", "model_minus"):
        for name in ("R_plus", "R_minus", "M", "Q"):
            rows = getattr(getattr(sim, model), name)
            z = (rows.mean(0) - getattr(getattr(theory, model), name)) / (rows.std(0, ddof=1) / np.sqrt(10))
            assert np.all(np.abs(z) < 4), (model, name, z)


def test_ridge_theory_at_infinite_alpha_is_the_population_least_squares_solution():
    """alpha -> infinity: the minimiser of the population square loss, i.e. the SGD fixed point at eta -> 0."""
    theory = erm.ridge_theory(GENERAL, 1e9, 1.0)
    sgd = fixed_point(dataclasses.replace(GENERAL, eta=1e-9))
    for name in ("R_plus", "R_minus", "M", "Q"):
        np.testing.assert_allclose(getattr(theory.model_plus, name), getattr(sgd, name), rtol=1e-6)


def test_ridge_theory_broadcasts_alpha_and_lam():
    theory = erm.ridge_theory(GENERAL, np.array([0.5, 1.0, 4.0]), np.array([[0.1], [1.0]]), training="separate")
    assert theory.err_plus.shape == (2, 3) and theory.alpha.shape == (2, 3)
    one = erm.ridge_theory(GENERAL, 1.0, 1.0, training="separate")
    np.testing.assert_allclose(theory.err_minus[1, 1], one.err_minus)
    assert np.all((theory.err_plus > 0) & (theory.err_plus < 0.5))
    with pytest.raises(ValueError, match="ridge_theory, not learning_curve"):
        theory.mean("err_plus")


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: erm.fit(np.ones((5, 4)), np.ones(5), lam=0.1, loss="hinge"), "loss must be one of"),
        (lambda: erm.fit(np.ones((5, 4)), np.ones(5), lam=-1.0), r"lam must be in \[0, inf\) for the square loss"),
        (lambda: erm.fit(np.ones((5, 4)), np.ones(5), lam=0.0, loss="logistic"), r"lam must be in \(0, inf\) for the logistic"),
        (lambda: erm.fit(np.ones((5, 4)), np.ones(5), lam=np.nan), "lam must be a finite number"),
        (lambda: erm.fit(np.ones((5, 4)), 0.5 * np.ones(5), lam=0.1, loss="logistic"), r"labels in \{-1, \+1\}"),
        (lambda: erm.fit(np.ones((5, 4)), np.ones(4), lam=0.1), r"x must have shape batch \+ \(n, N\)"),
        (lambda: erm.fit(np.ones((5, 4)), np.ones(5), lam=0.1, sample_weight=-np.ones(5)), "non-negative"),
        (lambda: erm.fit(np.ones((5, 4)), np.ones(5), lam=0.1, intercept=True, sample_weight=np.zeros(5)), "at least one sample"),
        (lambda: erm.fit(np.ones((5, 4)), np.ones(5), lam=0.1, tol=0.0), r"tol must be in \(0, inf\); got 0"),
        (lambda: erm.learning_curve(GENERAL, [1.0], 20, 2, lam=0.1, training="mixed"), "training must be one of"),
        (lambda: erm.learning_curve(GENERAL, [0.0, 1.0], 20, 2, lam=0.1), r"alphas must be .* in \(0, inf\)"),
        (lambda: erm.learning_curve(GENERAL, [0.01], 20, 2, lam=0.1), r"round\(alpha N\) >= 1; got alpha=0.01"),
        (lambda: erm.learning_curve(GENERAL, [1.0], 2, 2, lam=0.1), r"N must be an integer in \[3, inf\)"),
        (lambda: erm.learning_curve(GENERAL, [1.0], 20, 0, lam=0.1), "seeds must be a number of runs"),
        (lambda: erm.learning_curve(GENERAL, [1.0], 20, [], lam=0.1), "non-empty list of seeds"),
        (lambda: erm.learning_curve(TMParams(rho=[0.2, 0.5]), [1.0], 20, 2, lam=0.1), "single parameter set"),
        (lambda: erm.learning_curve(TMParams(rho=0.02), [0.2], 20, 3, lam=0.1, training="separate"),
         r"sub-population \+ has no training sample at alpha=0.2"),
        (lambda: erm.ridge_theory(GENERAL, [1.0], 0.0), r"lam must be in \(0, inf\) for the theory"),
        (lambda: erm.ridge_theory(GENERAL, [-1.0, 1.0], 0.1), r"alphas must be in \(0, inf\); got -1"),
        (lambda: erm.ridge_theory(GENERAL, [1.0], 0.1, training="both"), "training must be one of"),
    ],
)
def test_error_paths(call, message):
    with pytest.raises(ValueError, match=message):
        call()
