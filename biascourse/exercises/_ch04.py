"""Checks of chapter 4 (phases of bias): ex-4-1 to ex-4-4."""
from __future__ import annotations

import numpy as np
from scipy.optimize import brentq

from .. import tm
from ..tm import phases
from .._checks import ArgumentTypeError
from ._core import Part, compare, number, register


@register("ex-4-1", ("params",))
def no_crossing_nonmonotone(params):
    """Parameters with no crossing of the loss curves and a minority loss that rises before it falls."""
    if not isinstance(params, tm.TMParams):
        raise ArgumentTypeError(f"ex-4-1: params must be a tm.TMParams; got {type(params).__name__}")
    horizon = 20 * float(max(params.tau_R, params.tau_M))
    crossings = tm.crossings(params, horizon)
    loss = tm.solve(params, np.linspace(0, horizon, 6001))
    minority = loss.eps_minus if params.rho >= 0.5 else loss.eps_plus
    peak = minority.max()
    rises = bool(peak > minority[0] + 1e-3 and minority[-1] < peak - 1e-3)
    within = f"over 20 timescales, t <= {horizon:.3g}"
    return [
        Part("no crossing", len(crossings) == 0, within,
             f"the curves cross at t = {np.round(crossings, 2)}: keep the majority ahead throughout (a favourable "
             "representation and variance for the majority)."),
        Part("minority loss not monotonic", rises, f"it rises above its start and falls again by more than 0.001, {within}",
             "the minority's loss only goes down (or only up): a shift v and a label imbalance (alpha_+ = alpha_-) make the "
             "fast-learned shift push the minority's output the wrong way first."),
    ]


@register("ex-4-2", ("predicted", "exact"))
def predict_crossing(predicted, exact):
    """Small-eta and exact crossing times for rho = 0.75, Delta = (0.4, 1.6), T = 1, v = 0, eta = 0.02."""
    predicted, exact = number("ex-4-2", "predicted", predicted), number("ex-4-2", "exact", exact)
    rho, dp, dm = 0.75, 0.4, 1.6
    p = tm.TMParams(rho=rho, delta_plus=dp, delta_minus=dm, eta=0.02)
    sp, sm = np.sqrt(dp), np.sqrt(dm)
    S = rho * sp + (1 - rho) * sm
    log = np.log((sp + sm) * S / ((sp - sm) * ((1 - rho) * sm - rho * sp)))
    tau_R = float(p.tau_R)
    return [
        compare("predicted", predicted, tau_R * log, rtol=1e-3, mistakes=(
            (tau_R, "that is tau_R alone: the crossing time is tau_R times the logarithm."),
            (tau_R * log / p.eta, "tau_R = 1 / (eta (rho Delta_+ + (1-rho) Delta_-)) already holds the 1/eta."),
        ), hint="t_x = tau_R ln[(sqrt D+ + sqrt D-) S / ((sqrt D+ - sqrt D-)((1-rho) sqrt D- - rho sqrt D+))]."),
        compare("exact", exact, tm.crossings(p, 10 * tau_R)[0], rtol=1e-3,
                hint="the first root of tm.crossings(p, 10 * tau_R)."),
    ]


@register("ex-4-3", ("T_star",))
def equal_start(T_star):
    """The teacher overlap at which both groups start learning at the same rate (rho = 0.7, Delta = (0.5, 2))."""
    T_star = number("ex-4-3", "T_star", T_star)

    def difference(T):
        plus, minus = phases.initial_slopes(tm.TMParams(rho=0.7, delta_plus=0.5, delta_minus=2.0, T=T, eta=1e-4))
        return float(plus - minus)

    reference = brentq(difference, -1.0, 1.0, xtol=1e-10)
    return [compare("T_star", T_star, reference, atol=2e-3, hint=(
        "set the O(eta) parts of the two initial slopes equal: the equation is linear in T. "
        "Check your T* with phases.initial_slopes on a fine grid of T."))]


@register("ex-4-4", ("fraction_double",))
def double_crossings(fraction_double):
    """The fraction of the phase diagram (eta = 0.05, v = 4, alpha = +-0.2) with two crossings."""
    fraction_double = number("ex-4-4", "fraction_double", fraction_double)
    n = 100  # the exercise's default grid; a coarser one agrees within the tolerance
    diagram = phases.phase_diagram(np.linspace(0.02, 0.98, n), np.geomspace(0.1, 10, n), eta=0.05, v=4.0,
                                   alpha_plus=0.2, alpha_minus=-0.2)
    counts = diagram.n_crossings
    return [compare("fraction_double", fraction_double, np.mean(counts == 2), atol=0.02, mistakes=(
        (np.mean(counts >= 1), "that counts every crossing: count only the points with two (n_crossings == 2)."),
        (np.mean(counts == 1), "that counts single crossings: count the points with two (n_crossings == 2)."),
        (100 * np.mean(counts == 2), "give a fraction between 0 and 1, not a percentage."),
    ), hint="np.mean(diagram.n_crossings == 2) on the diagram with v = 4, alpha_+ = 0.2, alpha_- = -0.2, eta = 0.05.")]
