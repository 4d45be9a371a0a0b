"""The exact high-dimensional theory of online SGD on the teacher-mixture model.

https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-odes (ODEs for the order parameters), https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-closed-form (closed form, fixed point, timescales) and
https://biascourse.github.io/biascourse/book/derivations/tm_phases.html#deriv-phases-centred (crossings). Everything is vectorised over times and over array-valued :class:`TMParams`.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, fields, replace
from typing import Literal, Mapping, Union

import numpy as np
from scipy.integrate import solve_ivp
from scipy.optimize import brentq
from scipy.special import exprel

from .._checks import array as check_array, choice, integer as check_integer, real
from ._errors import _group_error_rate as group_error_rate, _group_mse as group_mse
from ._params import ArrayLike, TMParams, check_params, check_stable
from ._trajectory import ORDER_PARAMETERS, TMState, Trajectory

Method = Literal["closed_form", "ode"]
InitLike = Union[TMState, Mapping[str, ArrayLike], None]


@dataclass(frozen=True)
class Coefficients:
    """Constants of the ODEs of https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-coefficients (numbering c1..c9 is  's own, not the paper's).

    ``E_bar = rho E_+ - (1 - rho) E_-``, ``E_bar_delta = rho Delta_+ E_+ - (1 - rho) Delta_- E_-``,
    ``g_plus``, ``g_minus`` and ``h`` are the Stein terms; then
    ``dM/dt = eta [c1 - (V + Delta^mix) M]``, ``dR_+-/dt = eta [c2/c3 - m_+- M - Delta^mix R_+-]``,
    ``dQ/dt = c4 + c5 M + c6 M^2 + c7 R_+ + c8 R_- - c9 Q``.
    """

    E_bar: ArrayLike
    E_bar_delta: ArrayLike
    g_plus: ArrayLike
    g_minus: ArrayLike
    h: ArrayLike
    c1: ArrayLike
    c2: ArrayLike
    c3: ArrayLike
    c4: ArrayLike
    c5: ArrayLike
    c6: ArrayLike
    c7: ArrayLike
    c8: ArrayLike
    c9: ArrayLike


def coefficients(params: TMParams) -> Coefficients:
    """The coefficients of the ODEs of https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-coefficients for the student without a bias (arrays of ``params.shape``).

    Raises
    ------
    ArgumentTypeError
        If ``params`` is not a :class:`TMParams`.
    """
    p = check_params(params)
    rho, q = p.rho, 1 - p.rho
    sp, sm = np.sqrt(p.delta_plus), np.sqrt(p.delta_minus)
    Ep, Em, Gp, Gm = p.E_plus, p.E_minus, p.G_plus, p.G_minus
    E_bar = rho * Ep - q * Em
    E_bar_delta = rho * p.delta_plus * Ep - q * p.delta_minus * Em
    g_plus = rho * sp * Gp + q * sm * Gm * p.T
    g_minus = rho * sp * Gp * p.T + q * sm * Gm
    h = rho * sp * p.m_plus * Gp + q * sm * p.m_minus * Gm
    eta = p.eta
    return Coefficients(
        E_bar=E_bar,
        E_bar_delta=E_bar_delta,
        g_plus=g_plus,
        g_minus=g_minus,
        h=h,
        c1=p.V * E_bar + h,
        c2=p.m_plus * E_bar + g_plus,
        c3=p.m_minus * E_bar + g_minus,
        c4=eta**2 * p.delta_mix,
        c5=2 * eta * (E_bar - eta * E_bar_delta),
        c6=-eta * (2 - eta * p.delta_mix),
        c7=2 * eta * rho * sp * Gp * (1 - eta * p.delta_plus),
        c8=2 * eta * q * sm * Gm * (1 - eta * p.delta_minus),
        c9=2 * eta * p.delta_mix - eta**2 * p.delta2_mix,
    )


def fixed_point(params: TMParams) -> TMState:
    """The fixed point of the ODEs (https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-closed-form; with the trainable bias of https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-bias when ``eta_b > 0``).

    Meaningful as the long-time limit only for ``eta < eta_max``; there ``Q`` converges.
    ``Q^inf = tau_Q [c4 + c5 M + c6 M^2 + c7 R_+ + c8 R_-]`` without a bias; with a bias the
    (M, b) pair solves the 2x2 linear system of https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-bias first.

    Raises
    ------
    ArgumentTypeError
        If ``params`` is not a :class:`TMParams`.
    ValueError
        If ``eta >= eta_max`` for any parameter set: "eta must be below the stable bound eta_max =
        ...", since Q diverges there and has no fixed point.
    """
    check_params(params)
    check_stable(params, "the fixed point")
    p, k = params, coefficients(params)
    s = 2 * p.rho - 1
    mean_label = p.rho * p.E_plus + (1 - p.rho) * p.E_minus
    trained = np.asarray(p.eta_b) > 0
    # (V + Dmix) M + V s b = V E_bar + h ;  s M + b = mean_label   (b = 0 where eta_b = 0)
    det = p.V + p.delta_mix - p.V * s**2
    M_bias = (k.c1 - p.V * s * mean_label) / det
    M = np.where(trained, M_bias, k.c1 / (p.V + p.delta_mix))
    b = np.where(trained, mean_label - s * M, 0.0)
    D = k.E_bar - M - s * b
    R_plus = (p.m_plus * D + k.g_plus) / p.delta_mix
    R_minus = (p.m_minus * D + k.g_minus) / p.delta_mix
    source = _dQ_dt(p, R_plus, R_minus, M, 0.0, b)
    with np.errstate(divide="ignore"):
        Q = source / k.c9
    return TMState(R_plus=R_plus, R_minus=R_minus, M=M, Q=Q, b=b)


def solve(params: TMParams, t: ArrayLike, init: InitLike = None, method: Method = "closed_form") -> Trajectory:
    """Order parameters and per-group errors of online SGD in the limit N -> infinity (https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-odes, https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-closed-form, https://biascourse.github.io/biascourse/book/derivations/tm_model.html#deriv-tm-errors).

    Parameters
    ----------
    params : the model; array-valued fields give a grid of models solved at once.
    t : times (steps / N), any shape, >= 0.
    init : initial order parameters (a :class:`TMState`, or a mapping such as
        ``{"Q": 0.25}``); default ``W = 0``. Start it from a simulation's measured initial state
        (``sim.initial_state()``) to compare with that simulation (https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-verification).
    method : ``"closed_form"`` (https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-closed-form; the student without a bias) or ``"ode"`` (numerical integration
        of https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-coefficients, https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-bias, also for the trainable bias). Both agree to 1e-8.

    Returns
    -------
    Trajectory
        Fields of shape ``params.shape + t.shape``.

    Raises
    ------
    ArgumentTypeError
        If ``params`` is not a :class:`TMParams`, ``t`` holds no numbers or ``init`` is of the wrong kind.
    ValueError
        If ``t`` holds a negative, NaN or infinite time, ``init`` an unknown name or a negative ``Q``,
        or ``method`` is unknown ("closed_form" with a trained bias included).

    Warns
    -----
    RuntimeWarning
        When ``eta >= eta_max``: Q then diverges.

    Examples
    --------
    >>> p = TMParams(rho=0.8, delta_plus=0.5, delta_minus=2.0, eta=0.1)
    >>> sol = solve(p, np.linspace(0, 80, 5))
    >>> sol.eps_plus.shape
    (5,)
    """
    check_params(params)
    t = _check_times(t)
    params.warn_if_unstable()
    state = order_parameters(params, t, init, method)
    values = [state[name] for name in ORDER_PARAMETERS]
    eps_plus, eps_minus = group_mse(with_time_axes(params, t), *values)
    err_plus, err_minus = group_error_rate(with_time_axes(params, t), *values)
    return Trajectory(t=t, **state, eps_plus=eps_plus, eps_minus=eps_minus,
                      err_plus=err_plus, err_minus=err_minus, params=params)


def order_parameters(params: TMParams, t: ArrayLike, init: InitLike = None, method: Method = "closed_form") -> dict:
    """Only the order parameters of :func:`solve` (a dict ``R_plus, R_minus, M, Q, b``), without warnings.

    Raises the errors of :func:`solve`.
    """
    check_params(params)
    t = _check_times(t)
    init = TMState.coerce(init)
    choice("method", method, ("closed_form", "ode"))
    if method == "closed_form":
        if params.has_bias or np.any(np.asarray(init.b) != 0):
            raise ValueError(
                "method='closed_form' covers the student without a bias (eta_b = 0 and b = 0, https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-closed-form); "
                "use method='ode' for the trainable bias of https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-bias"
            )
        return _closed_form(params, t, init)
    return _integrate(params, t, init)


def crossings(
    params: TMParams, t_max: float, init: InitLike = None, method: Method = "closed_form", n_grid: int = 4000
) -> np.ndarray:
    """Times in ``(0, t_max]`` at which ``eps_+ - eps_-`` changes sign (https://biascourse.github.io/biascourse/book/derivations/tm_phases.html#deriv-phases-centred, https://biascourse.github.io/biascourse/book/derivations/tm_phases.html#deriv-phases-three).

    Sign changes are bracketed on a grid that is dense both at short times (geometric) and along the
    whole horizon (linear), then each root is found with Brent's method on the exact solution
    (closed form, or the ODE for the trainable bias). Two crossings closer than the grid spacing
    can be missed; increase ``n_grid`` for nearly tangent curves.

    Returns
    -------
    numpy.ndarray
        Sorted crossing times (empty when the groups never swap).

    Raises
    ------
    ArgumentTypeError
        If ``params`` is not a :class:`TMParams`, ``t_max`` not a number or ``n_grid`` not an integer.
    ValueError
        If ``params`` is a grid, ``t_max`` is not in (0, inf), ``n_grid < 2``, or ``init`` or
        ``method`` is invalid (see :func:`solve`).
    """
    check_params(params, single=True)
    t_max = real("t_max", t_max, 0, low_open=True)
    n_grid = check_integer("n_grid", n_grid, 2)
    choice("method", method, ("closed_form", "ode"))
    params.warn_if_unstable()
    init = TMState.coerce(init)

    def gap(times):
        state = order_parameters(params, times, init, method)
        eps_plus, eps_minus = group_mse(params, *(state[name] for name in ORDER_PARAMETERS))
        return eps_plus - eps_minus

    grid = np.unique(np.concatenate([np.geomspace(t_max * 1e-7, t_max, n_grid), np.linspace(0, t_max, n_grid)[1:]]))
    values = gap(grid)
    roots = []
    for i in np.nonzero(np.sign(values[:-1]) * np.sign(values[1:]) < 0)[0]:
        roots.append(brentq(lambda s: float(gap(np.array([s]))[0]), grid[i], grid[i + 1], xtol=1e-12 * t_max))
    return np.array(roots)


def gap_crossings(t: np.ndarray, gap: np.ndarray, tol: float = 0.0) -> np.ndarray:
    """Times at which a sampled bias gap (e.g. the seed mean of a measured ``eps_+ - eps_-``, see
    :meth:`biascourse.train.History.gap`) changes sign.

    A sign change counts only when the gap goes from below ``-tol`` to above ``tol`` or back, so
    noise around zero (both groups at the same loss at the start) is not a crossing; its time is
    found by linear interpolation between the two evaluations around the last zero before it.

    Parameters
    ----------
    t : evaluation times, finite and strictly increasing, shape (T,).
    gap : the gap at those times, shape (T,); NaN marks an evaluation without a value and is skipped.
    tol : half-width of the band around zero that does not count, a finite number >= 0.

    Returns
    -------
    numpy.ndarray
        The crossing times (the theory's, found on the exact solution, are :func:`crossings`).

    Raises
    ------
    ValueError
        When ``t`` is not finite and strictly increasing, ``gap`` has another shape, or ``tol`` is
        negative or not finite (a wrong type raises ``ArgumentTypeError``, also a ``ValueError``).
    """
    t = check_array("t", t, ndim=1, nonempty=False)
    gap = check_array("gap", gap, shape=(t.size,), finite=False, nonempty=False)
    tol = real("tol", tol, 0)
    if np.any(np.diff(t) <= 0):
        raise ValueError("t must be strictly increasing")
    times, side = [], 0
    for k in np.flatnonzero(np.isfinite(gap) & (np.abs(gap) > tol)):
        new = int(np.sign(gap[k]))
        if side and new != side:
            j = k
            while j > 0 and np.sign(gap[j - 1]) == new:
                j -= 1
            a, b = gap[j - 1], gap[j]
            times.append(t[j - 1] + (t[j] - t[j - 1]) * a / (a - b) if a != b else t[j])
        side = new
    return np.array(times)


# ----- implementation --------------------------------------------------------------------------


def _check_times(t: ArrayLike) -> np.ndarray:
    return check_array("t", t, low=0, nonempty=False)


def with_time_axes(params: TMParams, t: np.ndarray) -> TMParams:
    """Params whose fields carry trailing singleton axes for t, so they broadcast as params.shape + t.shape."""
    extra = (1,) * t.ndim
    return replace(params, **{f.name: np.reshape(getattr(params, f.name), np.shape(getattr(params, f.name)) + extra)
                              for f in fields(params) if np.ndim(getattr(params, f.name))})


def _relaxation(t: np.ndarray, rate: ArrayLike, source_rate: ArrayLike) -> np.ndarray:
    """Response ``(exp(-l t) - exp(-c t)) / (c - l)`` of ``dq/dt = exp(-l t) - c q``, ``q(0) = 0``.

    Written as ``t exp(-min(c, l) t) exprel(-|c - l| t)``: finite at resonance (``c = l``, where it is
    ``t exp(-c t)``), for ``c <= 0`` (divergence) and for ``l = 0`` (a constant source).
    """
    return t * np.exp(-np.minimum(rate, source_rate) * t) * exprel(-np.abs(rate - source_rate) * t)


def _closed_form(params: TMParams, t: np.ndarray, init: TMState) -> dict:
    """The closed-form solution of https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-closed-form from an arbitrary initial state."""
    shape = params.shape + t.shape
    p = with_time_axes(params, t)
    k = coefficients(p)
    init = TMState(**{name: _trail(getattr(init, name), t.ndim) for name in ORDER_PARAMETERS})
    rate_M, rate_R, c9 = 1 / p.tau_M, 1 / p.tau_R, k.c9
    M_inf = k.c1 / (p.V + p.delta_mix)
    k1 = init.M - M_inf
    R_inf = [(c - m * M_inf) / p.delta_mix for c, m in ((k.c2, p.m_plus), (k.c3, p.m_minus))]
    with np.errstate(divide="ignore", invalid="ignore"):
        # M is frozen (m_+- = 0 is forced) where V = 0, so the M-driven part of R vanishes there.
        k2 = [np.where(p.V > 0, m * k1 / np.where(p.V > 0, p.V, 1.0), 0.0) for m in (p.m_plus, p.m_minus)]
    k3 = [R0 - Rinf - k2i for R0, Rinf, k2i in zip((init.R_plus, init.R_minus), R_inf, k2)]
    decay_M, decay_R = np.exp(-rate_M * t), np.exp(-rate_R * t)
    M = M_inf + k1 * decay_M
    R_plus, R_minus = (Rinf + k2i * decay_M + k3i * decay_R for Rinf, k2i, k3i in zip(R_inf, k2, k3))
    source_inf = k.c4 + k.c5 * M_inf + k.c6 * M_inf**2 + k.c7 * R_inf[0] + k.c8 * R_inf[1]
    f1 = (k.c5 + 2 * k.c6 * M_inf) * k1 + k.c7 * k2[0] + k.c8 * k2[1]
    f2 = k.c6 * k1**2
    f3 = k.c7 * k3[0] + k.c8 * k3[1]
    Q = init.Q * np.exp(-c9 * t)
    for f, rate in ((source_inf, 0.0), (f1, rate_M), (f2, 2 * rate_M), (f3, rate_R)):
        Q = Q + f * _relaxation(t, c9, rate)
    state = dict(R_plus=R_plus, R_minus=R_minus, M=M, Q=Q, b=np.zeros(shape))
    return {name: value if np.shape(value) == shape else np.broadcast_to(value, shape).copy()
            for name, value in state.items()}


def _dQ_dt(p: TMParams, R_plus, R_minus, M, Q, b) -> np.ndarray:
    """Compact form of dQ/dt (https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-coefficients, https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-bias): 2 eta E[e lambda] + eta^2 sum_c p_c Delta_c 2 eps_c."""
    eps_plus, eps_minus = group_mse(p, R_plus, R_minus, M, Q, b)
    drift = 0.0
    for c, pc, delta, E, G, R, eps in (
        (1.0, p.rho, p.delta_plus, p.E_plus, p.G_plus, R_plus, eps_plus),
        (-1.0, 1 - p.rho, p.delta_minus, p.E_minus, p.G_minus, R_minus, eps_minus),
    ):
        drift = drift + pc * (
            2 * p.eta * (c * M * (E - c * M - b) + np.sqrt(delta) * G * R - delta * Q) + p.eta**2 * delta * 2 * eps
        )
    return drift


def rhs(p: TMParams, k: Coefficients, R_plus, R_minus, M, Q, b) -> tuple:
    """Right-hand side of the ODEs of https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-bias (the no-bias ODEs of https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-coefficients when eta_b = 0 and b = 0)."""
    s = 2 * p.rho - 1
    D = k.E_bar - M - s * b
    dR_plus = p.eta * (p.m_plus * D + k.g_plus - p.delta_mix * R_plus)
    dR_minus = p.eta * (p.m_minus * D + k.g_minus - p.delta_mix * R_minus)
    dM = p.eta * (p.V * D + k.h - p.delta_mix * M)
    db = p.eta_b * (p.rho * p.E_plus + (1 - p.rho) * p.E_minus - s * M - b)
    return dR_plus, dR_minus, dM, _dQ_dt(p, R_plus, R_minus, M, Q, b), db


def _integrate(params: TMParams, t: np.ndarray, init: TMState) -> dict:
    """Numerical integration of the ODEs (DOP853, tight tolerances), all parameter sets at once."""
    shape = params.shape
    size = int(np.prod(shape))
    flat = _flatten(params)
    k = coefficients(flat)
    y0 = np.concatenate([np.broadcast_to(getattr(init, name), shape).reshape(size) for name in ORDER_PARAMETERS])
    times = np.unique(np.concatenate([[0.0], t.ravel()]))

    def derivative(_, y):
        return np.concatenate([np.broadcast_to(d, (size,)) for d in rhs(flat, k, *y.reshape(5, size))])

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # diverging Q (eta >= eta_max) overflows quietly
        sol = solve_ivp(derivative, (0.0, times[-1]), y0, method="DOP853", t_eval=times, rtol=1e-12, atol=1e-13)
    if not sol.success:
        raise RuntimeError(f"ODE integration failed: {sol.message}")
    index = np.searchsorted(times, t.ravel())
    out = sol.y.reshape(5, size, len(times))[:, :, index]
    return {name: out[i].reshape(shape + t.shape) for i, name in enumerate(ORDER_PARAMETERS)}


def _flatten(params: TMParams) -> TMParams:
    return replace(params, **{f.name: np.broadcast_to(getattr(params, f.name), params.shape).ravel()
                              for f in fields(params) if params.shape})


def _trail(value: ArrayLike, ndim: int) -> np.ndarray:
    value = np.asarray(value, dtype=float)
    return value.reshape(value.shape + (1,) * ndim)
