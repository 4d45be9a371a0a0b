"""Tests of biascourse/train/_teacher_mixture.py beyond those in test_loop.py: the lecture's set, gaps, checks."""
import numpy as np
import pytest

from biascourse import tm
from biascourse.train import DivergenceError, History, measured_crossings, train_teacher_mixture

# the lecture's synthetic set, in the course's reading (alpha as teacher offsets, V = v^2 = 16)
LECTURE = tm.TMParams(rho=0.7, delta_plus=0.1, delta_minus=1.0, v=4.0, T=0.9, eta=0.01,
                      alpha_plus=0.471, alpha_minus=-0.188)


def test_linear_network_with_minibatches_of_100_follows_the_theory_on_the_lecture_set():
    # Chapter 5 trains the lecture's set with B = 100 fresh samples per step (lr = eta B / N). One such step moves the
    # shift overlap M by a fraction eta B (V + Delta_mix) / N = 0.16 of its distance to the fixed point, against
    # 1 - exp(-0.16) = 0.15 for 100 single-sample steps: the first phase runs a few per cent faster, by at most
    # 0.02 in the loss of group +. Check the per-group losses against tm.solve within that and 4 standard errors.
    seeds, N = 8, 100
    hist = train_teacher_mixture(LECTURE, [], N=N, n_seeds=seeds, t_max=60, batch_size=100, n_test=4000,
                                 n_evals=6, progress=False)
    t = hist.samples / N
    theory = tm.solve(LECTURE, t)
    for g, eps in (("+", theory.eps_plus), ("-", theory.eps_minus)):
        runs = hist.get("loss", group=g)
        sem = runs.std(axis=0, ddof=1) / np.sqrt(seeds)
        assert np.all(np.abs(runs.mean(axis=0) - eps) < 4 * sem + 0.02), (g, runs.mean(0), eps)
    # the loss of group + falls on the fast clock tau_M (class imbalance), group - barely moves: a large gap
    assert hist.gap()[:, -1].mean() < -0.1


def test_history_gap_and_measured_crossings_by_hand():
    steps = np.arange(6)
    loss_plus = np.array([[0.5, 0.4, 0.3, 0.2, 0.3, 0.4], [0.5, 0.4, 0.3, 0.2, 0.3, 0.4]])
    loss_minus = np.full((2, 6), 0.3)
    acc_plus = np.array([[0.5, 0.6, 0.7, 0.8, 0.9, 0.9]] * 2)
    acc_minus = np.full((2, 6), 0.75)
    metrics = {"test/loss/group=+": loss_plus, "test/loss/group=-": loss_minus,
               "test/accuracy/group=+": acc_plus, "test/accuracy/group=-": acc_minus}
    hist = History(steps, metrics, seeds=(0, 1), batch_size=10)
    np.testing.assert_allclose(hist.gap(), loss_plus - loss_minus)
    np.testing.assert_allclose(hist.gap("loss", split="test"), hist.gap())
    np.testing.assert_allclose(hist.gap("error"), acc_minus - acc_plus)  # (1 - acc+) - (1 - acc-)
    # loss gap: +0.2, +0.1, 0, -0.1, 0, +0.1 -> crossings where it passes 0 (t = samples / N = steps * 10 / 5)
    np.testing.assert_allclose(measured_crossings(hist, N=5, tol=0.05), [4.0, 8.0])
    np.testing.assert_allclose(measured_crossings(hist, "error", tol=0.01), [25.0])  # from +0.05 at 20 to -0.05 at 30
    with pytest.raises(ValueError, match=r"metric must be one of \('loss', 'error'\); got 'accuracy'"):
        hist.gap("accuracy")
    with pytest.raises(ValueError, match=r"N must be an integer in \[1, inf\); got 0"):
        measured_crossings(hist, N=0)


@pytest.mark.parametrize("kwargs, message", [
    (dict(hidden=[0]), r"hidden width must be an integer in \[1, inf\); got 0"),
    (dict(hidden=[2.5]), r"hidden width must be an integer in \[1, inf\); got 2.5"),
    (dict(batch_size=0), r"batch_size must be an integer in \[1, inf\); got 0"),
    (dict(n_seeds=1.5), r"n_seeds must be an integer in \[1, inf\); got 1.5"),
    (dict(t_max=-1.0), r"t_max must be in \(0, inf\); got -1"),
    (dict(t_max="1"), r"t_max must be a real number in \(0, inf\); got '1'"),
    (dict(N=0), r"N must be an integer in \[1, inf\); got 0"),
    (dict(seed=-1), r"seed must be in \[0, 4294967295\]; got -1"),
    (dict(eta=0.0), r"eta must be in \(0, inf\); got 0"),
    (dict(device="tpu"), "device must be 'auto', 'cpu', 'cuda', 'cuda:N' or 'mps'; got 'tpu'"),
    (dict(optimizer="rmsprop"), r"optimizer must be one of 'sgd', 'adam', 'adamw'; got 'rmsprop'"),
    (dict(activation="swish"), "activation must be one of"),
])
def test_train_teacher_mixture_rejects_bad_input(kwargs, message):
    hidden = kwargs.pop("hidden", [4])
    with pytest.raises(ValueError, match=message):
        train_teacher_mixture(LECTURE, hidden, progress=False, **kwargs)


def test_train_teacher_mixture_stops_on_divergence_naming_eta_and_its_bound():
    eta = 50 * float(LECTURE.eta_max)
    with pytest.raises(DivergenceError, match=rf"lr=.*eta={eta:g}; the linear student is stable for eta < eta_max"):
        train_teacher_mixture(LECTURE, [], N=20, n_seeds=1, t_max=40.0, eta=eta, n_test=50, progress=False)
    hist = train_teacher_mixture(LECTURE, [], N=20, n_seeds=1, t_max=40.0, eta=eta, n_test=50, progress=False,
                                 on_divergence="record")
    assert not np.isfinite(hist.get("loss")).all()


def test_train_teacher_mixture_needs_a_single_parameter_set():
    grid = tm.TMParams(rho=np.array([0.6, 0.7]))
    with pytest.raises(ValueError, match=r"single parameter set; got params of shape \(2,\)"):
        train_teacher_mixture(grid, [4], progress=False)
