"""Checks of chapter 2 (Gaussian mixtures): ex-2-1 to ex-2-3."""
from __future__ import annotations

import numpy as np

from .. import tm
from ._core import compare, number, numbers, register


@register("ex-2-1", ("M",))
def spurious_shift_coefficient(M):
    """The least-squares coefficient of a shift-only student without intercept, spurious set."""
    M = number("ex-2-1", "M", M)
    p = tm.EXAMPLES["spurious"].params
    group_mean = 2 * p.rho - 1  # E[c] for c = +1 with probability rho
    reference = group_mean * p.E_plus
    return [compare("M", M, reference, atol=0.02, mistakes=(
        (p.E_plus, "E[y c] = E[y] E[c], and the mean of the group coordinate c is not 1."),
        (0.0, "y and c are independent, but that makes E[y c] = E[y] E[c], not 0: neither factor vanishes."),
    ), hint="M = E[y c] / E[c^2] with c = +-1, so E[c^2] = 1; average y * c over a large sample.")]


@register("ex-2-2", ("error_rates", "mses"))
def centred_equal_accuracy(error_rates, mses):
    """Per-group error rates and MSEs at R = 0.4, Q = 0.5, M = 0 for rho = 0.8, Delta = (0.5, 2)."""
    error_rates = numbers("ex-2-2", "error_rates", error_rates, 2, "the error rates of group + and group -")
    mses = numbers("ex-2-2", "mses", mses, 2, "the MSEs of group + and group -")
    p = tm.TMParams(rho=0.8, delta_plus=0.5, delta_minus=2.0)
    err = np.array([float(e) for e in tm.group_error_rate(p, 0.4, 0.4, 0.0, 0.5)])
    eps = np.array([float(e) for e in tm.group_mse(p, 0.4, 0.4, 0.0, 0.5)])
    return [
        compare("error_rates", error_rates, err, atol=1e-3, mistakes=(
            (err * np.pi, "that is the angle between student and teacher: the error rate is the angle divided by pi."),
        ), hint="the sign of the output depends only on the angle between W and the teacher: use tm.group_error_rate."),
        compare("mses", mses, eps, atol=1e-3, mistakes=(
            (np.full(2, eps.mean()), "the two groups' MSEs differ: each depends on its own Delta_c."),
        ), hint="eps_c = (1 + Delta_c Q - 2 sqrt(Delta_c) G R_c) / 2: use tm.group_mse with Delta_- = 2."),
    ]


def _accepted(m_minus: float) -> bool:
    try:
        tm.TMParams(T=0.6, v=2.0, m_plus=0.8, m_minus=m_minus)
    except ValueError:
        return False
    return True


def _edge(inside: float, outside: float, accepted) -> float:
    for _ in range(60):
        middle = 0.5 * (inside + outside)
        inside, outside = (middle, outside) if accepted(middle) else (inside, middle)
    return inside


@register("ex-2-3", ("interval",))
def allowed_overlaps(interval):
    """The interval of m_minus that TMParams accepts for T = 0.6, v = 2, m_plus = 0.8."""
    interval = numbers("ex-2-3", "interval", interval, 2, "the lowest and the highest accepted m_minus")
    reference = np.array([_edge(0.0, -2.0, _accepted), _edge(0.0, 2.0, _accepted)])
    T, v, m_plus = 0.6, 2.0, 0.8
    # the Gram matrix with |v| in place of |v|^2: the usual slip
    with_v = np.sort(np.roots([-1.0, 2 * T * m_plus, v * (1 - T**2) - m_plus**2]).real)
    return [compare("interval", interval, reference, atol=1e-3, mistakes=(
        (with_v, "the Gram matrix holds the squared norm of the shift, v^2, not v."),
    ), hint="bisect on whether tm.TMParams raises, from 0 (accepted) towards -2 and towards +2.")]
