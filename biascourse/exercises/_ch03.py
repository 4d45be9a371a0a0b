"""Checks of chapter 3 (SGD dynamics): ex-3-1 to ex-3-3."""
from __future__ import annotations

import dataclasses

import numpy as np

from .. import tm
from ._core import compare, numbers, register


def _initial_slopes(p, half: float = 0.5, sign: float = 1.0) -> np.ndarray:
    k = tm.coefficients(p)
    out = []
    for c, delta, E, G, c23 in ((1, p.delta_plus, p.E_plus, p.G_plus, k.c2), (-1, p.delta_minus, p.E_minus, p.G_minus, k.c3)):
        out.append(float(half * p.eta**2 * delta * p.delta_mix - sign * p.eta * c * E * k.c1
                         - p.eta * np.sqrt(delta) * G * c23))
    return np.array(out)


@register("ex-3-1", ("slopes",))
def initial_slopes(slopes):
    """d eps_c / dt at t = 0 for group + and group - of the set "spurious_nonmonotone"."""
    slopes = numbers("ex-3-1", "slopes", slopes, 2, "the initial slopes of group + and group -")
    p = tm.EXAMPLES["spurious_nonmonotone"].params
    early = tm.solve(p, [0.0, 1e-6])
    reference = np.array([(early.eps_plus[1] - early.eps_plus[0]) / 1e-6, (early.eps_minus[1] - early.eps_minus[0]) / 1e-6])
    return [compare("slopes", slopes, reference, rtol=0.01, atol=1e-4, mistakes=(
        (_initial_slopes(p, half=1.0), "the eta^2 term carries a factor 1/2."),
        (_initial_slopes(p, sign=-1.0), "the label-mean term -eta c E_c c1 carries the group's sign c."),
    ), hint="evaluate the formula with tm.coefficients(p) (c1, c2 for group +, c3 for group -) and compare "
            "with a finite difference of tm.solve.")]


@register("ex-3-2", ("t_cross", "t_formula"))
def crossing_small_eta(t_cross, t_formula):
    """Exact and small-eta crossing times of the centred set for eta = 0.001, 0.01, 0.1."""
    t_cross = numbers("ex-3-2", "t_cross", t_cross, 3, "tm.crossings for eta = 0.001, 0.01, 0.1")
    t_formula = numbers("ex-3-2", "t_formula", t_formula, 3, "the small-eta formula for eta = 0.001, 0.01, 0.1")
    rho, dp, dm = 0.8, 0.5, 2.0
    sp, sm = np.sqrt(dp), np.sqrt(dm)
    S = rho * sp + (1 - rho) * sm
    exact, formula, per_step = [], [], []
    for eta in (0.001, 0.01, 0.1):
        p = tm.TMParams(rho=rho, delta_plus=dp, delta_minus=dm, eta=eta)
        exact.append(tm.crossings(p, 20 * p.tau_R)[0])
        log = np.log((sp + sm) * S / ((sp - sm) * ((1 - rho) * sm - rho * sp)))
        formula.append(float(p.tau_R) * log)
        per_step.append(float(p.tau_R) * log / eta)
    return [
        compare("t_cross", t_cross, exact, rtol=1e-3, hint="the first root of tm.crossings(p, 20 * p.tau_R) for each eta."),
        compare("t_formula", t_formula, formula, rtol=1e-3, mistakes=(
            (per_step, "tau_R = 1 / (eta (rho Delta_+ + (1-rho) Delta_-)) already holds the 1/eta."),
        ), hint="t_x = tau_R ln(...) with tau_R = p.tau_R of each eta: the timescale shrinks as 1/eta."),
    ]


@register("ex-3-3", ("M_bias", "eps_minus_bias"))
def trainable_bias(M_bias, eps_minus_bias):
    """M and eps_- at t = 60 in the set "spurious" with a bias trained at eta_b = eta."""
    numbers("ex-3-3", "M_bias", [M_bias], 1, "M at t = 60")
    numbers("ex-3-3", "eps_minus_bias", [eps_minus_bias], 1, "eps_- at t = 60")
    base = tm.EXAMPLES["spurious"].params
    with_bias = dataclasses.replace(base, eta_b=base.eta)
    biased, without = tm.solve(with_bias, [60.0], method="ode"), tm.solve(base, [60.0])
    unbiased = "that is the student without a bias: set eta_b = eta (dataclasses.replace) and solve with method='ode'."
    return [
        compare("M_bias", float(np.ravel(M_bias)[0]), float(biased.M[0]), atol=2e-3, mistakes=((float(without.M[0]), unbiased),),
                hint="read M at t = 60 from tm.solve(with_bias, t, method='ode')."),
        compare("eps_minus_bias", float(np.ravel(eps_minus_bias)[0]), float(biased.eps_minus[0]), atol=2e-3,
                mistakes=((float(without.eps_minus[0]), unbiased),),
                hint="read eps_minus at t = 60 from tm.solve(with_bias, t, method='ode')."),
    ]
