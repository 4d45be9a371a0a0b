"""Checks of chapter 2b (the equilibrium): ex-2b-1 to ex-2b-3."""
from __future__ import annotations

import dataclasses

import numpy as np

from .. import tm
from ..tm import erm
from ._core import compare, numbers, register

#: The ridge strength of the chapter's main comparisons.
LAM = 0.5


@register("ex-2b-1", ("lambdas",))
def ridge_tuned_per_group(lambdas):
    """The ridge strengths that minimise eps_+, eps_- and the total MSE (centred crossing set, alpha = 2)."""
    lambdas = numbers("ex-2b-1", "lambdas", lambdas, 3, "the best lambda for group +, for group -, for the total")
    grid = np.geomspace(1e-3, 1e3, 2000)
    scan = erm.ridge_theory(tm.EXAMPLES["centred_crossing"].params, 2.0, grid)
    reference = grid[[np.argmin(scan.eps_plus), np.argmin(scan.eps_minus), np.argmin(scan.eps)]]
    by_error = grid[[np.argmin(scan.err_plus), np.argmin(scan.err_minus), np.argmin(scan.err)]]
    return [compare("lambdas", lambdas, reference, rtol=0.05, mistakes=(
        (reference[[1, 0, 2]], "group + and group - are swapped."),
        (by_error, "minimise the mean-squared errors eps (scan.eps_plus, ...), not the error rates."),
    ), hint="scan lambda on a fine logarithmic grid (1e-3 to 1e3) and take the argmin of each curve.")]


@register("ex-2b-2", ("alpha_star",))
def separate_training_crossover(alpha_star):
    """The sample ratio beyond which separate training helps the minority, for T = 0.5, ..., 0.95."""
    alpha_star = numbers("ex-2b-2", "alpha_star", alpha_star, 6, "alpha* for T = 0.5, 0.6, 0.7, 0.8, 0.9, 0.95")
    alphas = np.geomspace(0.1, 1e4, 4000)
    reference, majority = [], []
    for T in (0.5, 0.6, 0.7, 0.8, 0.9, 0.95):
        p = tm.TMParams(rho=0.8, T=T)
        joint, separate = erm.ridge_theory(p, alphas, LAM), erm.ridge_theory(p, alphas, LAM, training="separate")
        reference.append(alphas[np.argmax(joint.err_minus - separate.err_minus > 0)])
        majority.append(alphas[np.argmax(joint.err_plus - separate.err_plus > 0)])
    return [compare("alpha_star", alpha_star, reference, rtol=0.05, mistakes=(
        (majority, "that is the majority's crossover: compare the minority's errors (err_minus)."),
    ), hint="for each T, the first alpha on a fine grid where joint training's err_minus exceeds separate training's.")]


@register("ex-2b-3", ("gap_without", "gap_with"))
def mirror_symmetry(gap_without, gap_with):
    """Theory error gaps at alpha = 0.5, 2, 8 for equal variances, without and with an intercept."""
    gap_without = numbers("ex-2b-3", "gap_without", gap_without, 3, "err_gap at alpha = 0.5, 2, 8, no intercept")
    gap_with = numbers("ex-2b-3", "gap_with", gap_with, 3, "err_gap at alpha = 0.5, 2, 8, with an intercept")
    matched = tm.TMParams(rho=0.8, delta_plus=0.5, delta_minus=2.0, v=1.0, m_plus=0.5, m_minus=0.5)
    mirror = dataclasses.replace(matched, delta_plus=1.0, delta_minus=1.0)
    alphas = [0.5, 2.0, 8.0]
    without = erm.ridge_theory(mirror, alphas, LAM).err_gap
    with_ = erm.ridge_theory(mirror, alphas, LAM, intercept=True).err_gap
    unequal = erm.ridge_theory(matched, alphas, LAM).err_gap
    return [
        compare("gap_without", gap_without, without, atol=2e-3, mistakes=(
            (unequal, "that is the matched set with unequal variances: set delta_plus = delta_minus = 1."),
        ), hint="use erm.ridge_theory(...).err_gap on the mirror-symmetric set, lambda = 0.5."),
        compare("gap_with", gap_with, with_, atol=2e-3, mistakes=(
            (without, "that is the gap without intercept: pass intercept=True."),
        ), hint="use erm.ridge_theory(..., intercept=True).err_gap on the mirror-symmetric set, lambda = 0.5."),
    ]
