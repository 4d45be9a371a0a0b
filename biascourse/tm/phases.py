"""The phases of bias: initial slopes, asymptotes, crossings, phase intervals and phase diagrams.

Chapter 4 of the course. Derivations: the fixed point and the stability bound in
https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-closed-form; the initial slopes, the centred case (asymptote,
crossing condition, crossing time), the spurious case, the three phases and the phase diagrams in
https://biascourse.github.io/biascourse/book/derivations/tm_phases.html. Every function is vectorised over
array-valued :class:`~biascourse.tm.TMParams`, so a whole phase diagram is one call.

Sign convention: the *bias* is the gap ``eps_+ - eps_-`` of the per-group mean-squared errors; a
group "wins" (is preferred) when its error is the lower one.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from enum import IntEnum
from typing import NamedTuple

import numpy as np

from .._checks import array as check_array, integer as check_integer, real
from ._errors import _group_mse as group_mse
from ._ode import InitLike, rhs, with_time_axes, coefficients, fixed_point, order_parameters
from ._params import ArrayLike, TMParams, check_params
from ._trajectory import ORDER_PARAMETERS, TMState

_SQRT_2_OVER_PI = np.sqrt(2.0 / np.pi)
_CENTRED_PAGE = "https://biascourse.github.io/biascourse/book/derivations/tm_phases.html#deriv-phases-centred"

__all__ = [
    "BIAS_DRIVERS",
    "BiasRegimes",
    "Phase",
    "Region",
    "asymptotic_errors",
    "asymptotic_gap_small_eta",
    "asymptotic_shift_overlap",
    "bias_drivers",
    "bias_regimes",
    "centred_R_infinity",
    "crossing_condition",
    "crossing_time_small_eta",
    "initial_slope_bounds",
    "initial_slope_ratio_bounds",
    "initial_slope_terms",
    "initial_slopes",
    "phase_diagram",
    "phase_intervals",
    "shift_bias_timescales",
    "small_eta_regimes",
]

#: Drivers of the bias (https://biascourse.github.io/biascourse/book/derivations/tm_phases.html#deriv-phases-three), keyed by the order parameter that carries them.
BIAS_DRIVERS = {"M": "class imbalance", "R": "saliency", "Q": "representation"}


# ----- initial slopes -------------------------------------------------------------------


def initial_slopes(params: TMParams, init: InitLike = None) -> tuple[np.ndarray, np.ndarray]:
    """Initial rates ``d eps_+/dt`` and ``d eps_-/dt`` of the per-group errors (https://biascourse.github.io/biascourse/book/derivations/tm_phases.html#deriv-phases-slopes).

    From ``W_0 = 0`` this is
    ``d eps_c/dt (0) = eta^2 Delta_c Delta^mix / 2 - eta c E_c c1 - eta sqrt(Delta_c) G_c c_{2/3}``;
    from any other initial state (e.g. ``{"Q": 0.25}`` for a random start) it is the chain rule
    ``d eps_c/dt = (cM + b - E_c)(c dM/dt + db/dt) + Delta_c dQ/dt / 2 - sqrt(Delta_c) G_c dR_c/dt``
    applied to the ODEs of https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-coefficients (https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-bias with a trained bias).

    Parameters
    ----------
    params : the model (any shape).
    init : initial order parameters; default ``W = 0``.

    Returns
    -------
    slope_plus, slope_minus : arrays of ``params.shape``; negative means the group starts learning.

    Raises
    ------
    ArgumentTypeError
        If ``params`` is not a :class:`~biascourse.tm.TMParams`.

    Examples
    --------
    >>> p = TMParams(rho=0.8, delta_plus=0.5, delta_minus=2.0, eta=0.01)
    >>> plus, minus = initial_slopes(p)
    >>> bool(minus < plus < 0)     # the higher-variance group learns first
    True
    """
    check_params(params)
    terms = initial_slope_terms(params, init)
    return tuple(sum(terms[key][i] for key in BIAS_DRIVERS) for i in (0, 1))


def initial_slope_terms(params: TMParams, init: InitLike = None) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The initial slopes of :func:`initial_slopes` split by the order parameter that moves (https://biascourse.github.io/biascourse/book/derivations/tm_phases.html#deriv-phases-slopes).

    The three terms of the chain rule, keyed as in :data:`BIAS_DRIVERS`: ``"M"`` (class imbalance,
    ``(cM + b - E_c)(c dM/dt + db/dt)``), ``"R"`` (saliency, ``-sqrt(Delta_c) G_c dR_c/dt``) and
    ``"Q"`` (``Delta_c dQ/dt / 2``; from ``W_0 = 0`` this is the noise of SGD,
    ``eta^2 Delta_c Delta^mix / 2``). From ``W_0 = 0`` the saliency term is
    ``-eta sqrt(Delta_c) G_c c_{2/3}``.

    Parameters
    ----------
    params : the model (any shape).
    init : initial order parameters; default ``W = 0``.

    Returns
    -------
    dict
        ``{"M": (plus, minus), "R": (plus, minus), "Q": (plus, minus)}``; for each group the three
        terms add up to its initial slope.

    Raises
    ------
    ArgumentTypeError
        If ``params`` is not a :class:`~biascourse.tm.TMParams`.
    """
    check_params(params)
    return _loss_rate_terms(params, _state_dict(init))


def initial_slope_ratio_bounds(params: TMParams) -> tuple[np.ndarray, np.ndarray]:
    """Bounds on the ratio of the groups' initial slopes from ``W_0 = 0`` (https://biascourse.github.io/biascourse/book/derivations/tm_phases.html#deriv-phases-slope-ratio).

    From ``W_0 = 0`` the saliency parts of the slopes (``"R"`` in :func:`initial_slope_terms`) are
    ``s_c = -eta sqrt(Delta_c) G_c g_c`` with ``g_+ = a + b T``, ``g_- = a T + b``,
    ``a = rho sqrt(Delta_+) G_+`` and ``b = (1 - rho) sqrt(Delta_-) G_-`` (teachers orthogonal to the
    shift). For ``0 < T <= 1`` both are negative and, whatever ``rho``,

    ``T sqrt(Delta_+ / Delta_-) G_+ / G_- <= s_+ / s_- <= (1 / T) sqrt(Delta_+ / Delta_-) G_+ / G_-``,

    approached as ``rho -> 0`` and ``rho -> 1``. With ``G_+ = G_-`` (no label offsets, as in the
    centred case) these are the bounds ``T sqrt(Delta_+/Delta_-)`` and ``sqrt(Delta_+/Delta_-) / T``
    of the lecture. The ratio of the *whole* initial slopes obeys them in the limit ``eta -> 0`` when
    the class-imbalance term vanishes (``c1 = V E_bar + h = 0``, e.g. without a shift); at finite
    ``eta`` the noise term ``eta^2 Delta_c Delta^mix / 2`` can move it outside.

    Parameters
    ----------
    params : the model (any shape); needs ``T`` in (0, 1] and ``m_plus = m_minus = 0``.

    Returns
    -------
    low, high : arrays of ``params.shape``.

    Raises
    ------
    ArgumentTypeError
        If ``params`` is not a :class:`~biascourse.tm.TMParams`.
    ValueError
        Where ``T <= 0`` (a slope can then be zero or positive and the ratio is unbounded) or the
        teachers overlap the shift (``m_+- != 0`` adds ``m_c E_bar`` to ``g_c``).
    """
    check_params(params)
    T = np.asarray(params.T)
    if np.any(T <= 0):
        raise ValueError(f"initial_slope_ratio_bounds needs teachers that agree, T in (0, 1]; got T={float(T[T <= 0].flat[0]):g}")
    for name in ("m_plus", "m_minus"):
        if np.any(np.asarray(getattr(params, name)) != 0):
            raise ValueError(f"initial_slope_ratio_bounds needs teachers orthogonal to the shift (m_plus = m_minus = 0); "
                             f"got {name}={_first_off(getattr(params, name), 0.0):g}")
    centre = np.sqrt(params.delta_plus / params.delta_minus) * params.G_plus / params.G_minus
    return centre * T, centre / T


def initial_slope_bounds(params: TMParams) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Range of the initial slopes from ``W_0 = 0`` over every teacher overlap ``T`` in [-1, 1] (https://biascourse.github.io/biascourse/book/derivations/tm_phases.html#deriv-phases-slopes).

    Only ``dR_c/dt(0) = eta c_{2/3}`` depends on the teachers, and ``c_{2/3}`` is affine in ``T``
    through ``g_c = p_c sqrt(Delta_c) G_c + p_c' sqrt(Delta_c') G_c' T``, so

    ``d eps_c/dt(0) = s_c(T) = s_c(1) + eta sqrt(Delta_c) G_c p_c' sqrt(Delta_c') G_c' (1 - T)``.

    The slope is steepest for a shared teacher (``T = 1``) and flattest for opposite teachers
    (``T = -1``): ``s_c(1) <= s_c(T) <= s_c(-1)``. In the centred case at small eta
    ``s_c(+-1) = -(2/pi) eta sqrt(Delta_c) (p_c sqrt(Delta_c) +- p_c' sqrt(Delta_c'))``. (The
    bounds are attained only where the geometry allows ``T = +-1``; with ``m_+- != 0`` they are
    bounds, not values.)

    Returns
    -------
    (low_plus, high_plus), (low_minus, high_minus) : arrays of ``params.shape``.

    Raises
    ------
    ArgumentTypeError
        If ``params`` is not a :class:`~biascourse.tm.TMParams`.
    """
    check_params(params)
    plus, minus = initial_slopes(params)
    sp, sm = np.sqrt(params.delta_plus), np.sqrt(params.delta_minus)
    cross = params.eta * sp * params.G_plus * sm * params.G_minus
    d_plus = cross * (1 - params.rho)   # d slope_+ / d(-T)
    d_minus = cross * params.rho        # d slope_- / d(-T)
    T = params.T
    return ((plus - d_plus * (1 - T), plus + d_plus * (1 + T)),
            (minus - d_minus * (1 - T), minus + d_minus * (1 + T)))


# ----- asymptotes -------------------------------------------------------------------


def asymptotic_errors(params: TMParams) -> tuple[np.ndarray, np.ndarray]:
    """Per-group MSE at the fixed point, ``eps_c^inf`` (https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-stability, https://biascourse.github.io/biascourse/book/derivations/tm_model.html#deriv-tm-errors); NaN where ``eta >= eta_max``.

    Exact at any learning rate (the eta^2 terms included). Works with the trained bias of https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-bias.

    Raises
    ------
    ArgumentTypeError
        If ``params`` is not a :class:`~biascourse.tm.TMParams`.
    """
    check_params(params)
    stable = np.asarray(params.eta < params.eta_max)
    if not stable.all():
        # fixed_point rejects the negative "Q" of a divergent model: evaluate a stable stand-in, then mask.
        params = replace(params, eta=np.where(stable, params.eta, params.eta_max / 2))
    state = fixed_point(params)
    eps_plus, eps_minus = group_mse(params, *(getattr(state, name) for name in ORDER_PARAMETERS))
    return np.where(stable, eps_plus, np.nan), np.where(stable, eps_minus, np.nan)


def asymptotic_shift_overlap(params: TMParams) -> tuple[np.ndarray, np.ndarray]:
    """Asymptotic shift overlap ``M^inf`` without and with a trained student bias (https://biascourse.github.io/biascourse/book/derivations/tm_phases.html#deriv-phases-spurious-fate).

    Write the uncentred group-label correlation as ``E_bar = rho E_+ - (1 - rho) E_- =
    (2 rho - 1) y_bar + 2 rho (1 - rho) (E_+ - E_-)``, with the label mean
    ``y_bar = rho E_+ + (1 - rho) E_-``. Then

    - without a bias (the papers' student): ``M^inf = (V E_bar + h) / (V + Delta^mix)``;
    - with a trained bias (any ``eta_b > 0``):
      ``M^inf = (2 rho (1 - rho) V (E_+ - E_-) + h) / (Delta^mix + 4 rho (1 - rho) V)``,

    where ``h = rho sqrt(Delta_+) m_+ G_+ + (1 - rho) sqrt(Delta_-) m_- G_-`` (:func:`~biascourse.tm.coefficients`).
    The bias takes over the part ``(2 rho - 1) y_bar`` that the shift carries only to stand in for an
    intercept; with a bias the spurious direction disappears exactly when
    ``2 rho (1 - rho) V (E_+ - E_-) + h = 0``, e.g. equal label means and teachers orthogonal to the
    shift. Neither value depends on ``eta``; the second does not depend on ``eta_b`` either, and
    ``params.eta_b`` is ignored. :func:`~biascourse.tm.fixed_point` gives the same numbers.

    Returns
    -------
    without_bias, with_bias : arrays of ``params.shape``.

    Raises
    ------
    ArgumentTypeError
        If ``params`` is not a :class:`~biascourse.tm.TMParams`.
    """
    check_params(params)
    k = coefficients(params)
    mixing = 2 * params.rho * (1 - params.rho)
    without_bias = k.c1 / (params.V + params.delta_mix)
    with_bias = (mixing * params.V * (params.E_plus - params.E_minus) + k.h) / (params.delta_mix + 2 * mixing * params.V)
    return np.asarray(without_bias), np.asarray(with_bias)


def shift_bias_timescales(params: TMParams) -> tuple[np.ndarray, np.ndarray]:
    """Relaxation times of the pair (M, b): how fast the shift is learned and how fast a trained bias takes over (https://biascourse.github.io/biascourse/book/derivations/tm_phases.html#deriv-phases-spurious-fate).

    ``M`` and ``b`` obey a closed linear system with rate matrix
    ``[[eta (V + Delta^mix), eta V (2 rho - 1)], [eta_b (2 rho - 1), eta_b]]``; its eigenvalues are
    real and positive, ``lambda_fast >= lambda_slow``, with
    ``lambda_fast lambda_slow = eta eta_b (Delta^mix + 4 rho (1 - rho) V)``. For ``eta_b << eta V``,
    ``tau_fast ~ tau_M`` and ``tau_slow ~ (V + Delta^mix) / (eta_b (Delta^mix + 4 rho (1 - rho) V))``:
    the spurious direction is learned on ``tau_fast`` and approaches its asymptote
    (:func:`asymptotic_shift_overlap`) on ``tau_slow``. Without a bias (``eta_b = 0``) this is
    ``(tau_M, inf)``.

    Returns
    -------
    tau_fast, tau_slow : arrays of ``params.shape``.

    Raises
    ------
    ArgumentTypeError
        If ``params`` is not a :class:`~biascourse.tm.TMParams`.
    """
    check_params(params)
    s = 2 * params.rho - 1
    rate_M, rate_b = params.eta * (params.V + params.delta_mix), params.eta_b
    root = np.sqrt((rate_M - rate_b) ** 2 + 4 * params.eta * rate_b * params.V * s**2)
    fast = (rate_M + rate_b + root) / 2
    slow = params.eta * rate_b * (params.delta_mix + 4 * params.rho * (1 - params.rho) * params.V) / fast
    with np.errstate(divide="ignore"):
        return np.asarray(1 / fast), np.asarray(1 / slow)


def centred_R_infinity(params: TMParams) -> tuple[np.ndarray, np.ndarray]:
    """Asymptotic teacher overlaps of the centred case (https://biascourse.github.io/biascourse/book/derivations/tm_phases.html#deriv-phases-centred), independent of eta.

    ``R_+-^inf = G / Delta^mix (rho sqrt(Delta_+) T_{+,+-} + (1 - rho) sqrt(Delta_-) T_{-,+-})``
    with ``G = sqrt(2/pi)``, ``T_{++} = T_{--} = 1`` and ``T_{+-} = T``.

    Raises
    ------
    ArgumentTypeError
        If ``params`` is not a :class:`~biascourse.tm.TMParams`.
    ValueError
        Outside the centred case (``v = 0``, ``alpha_+ = alpha_- = 0``).
    """
    check_params(params)
    _require_centred(params, "centred_R_infinity")
    sp, sm = np.sqrt(params.delta_plus), np.sqrt(params.delta_minus)
    scale = _SQRT_2_OVER_PI / params.delta_mix
    rho = params.rho
    return (scale * (rho * sp + (1 - rho) * sm * params.T),
            scale * (rho * sp * params.T + (1 - rho) * sm))


def asymptotic_gap_small_eta(params: TMParams) -> np.ndarray:
    """Asymptotic bias ``eps_+^inf - eps_-^inf`` as eta -> 0, centred case with ``T = 1`` (https://biascourse.github.io/biascourse/book/derivations/tm_phases.html#deriv-phases-centred).

    ``G^2 S / (2 (Delta^mix)^2) (sqrt(Delta_+) - sqrt(Delta_-))^2 [(1 - rho) sqrt(Delta_-) - rho sqrt(Delta_+)]``
    with ``S = rho sqrt(Delta_+) + (1 - rho) sqrt(Delta_-)``: group + wins (negative gap) exactly
    when ``rho sqrt(Delta_+) > (1 - rho) sqrt(Delta_-)``. The exact value at finite eta is
    ``asymptotic_errors``; the two differ by O(eta).

    Raises
    ------
    ArgumentTypeError
        If ``params`` is not a :class:`~biascourse.tm.TMParams`.
    """
    check_params(params)
    _require_centred(params, "asymptotic_gap_small_eta", shared_teacher=True)
    sp, sm, rho = np.sqrt(params.delta_plus), np.sqrt(params.delta_minus), params.rho
    S = rho * sp + (1 - rho) * sm
    return (2 / np.pi) * S / (2 * params.delta_mix**2) * (sp - sm) ** 2 * ((1 - rho) * sm - rho * sp)


# ----- the crossing of the centred case --------------------------------------------------


def crossing_condition(params: TMParams) -> np.ndarray:
    """Small-eta rule: does ``eps_+ - eps_-`` change sign (centred case, ``T = 1``, ``W_0 = 0``)? (https://biascourse.github.io/biascourse/book/derivations/tm_phases.html#deriv-phases-centred)

    The higher-variance group learns first (saliency) and the group with the larger
    ``p_c sqrt(Delta_c)`` wins asymptotically (representation); a crossing happens exactly when these
    differ: ``(Delta_+ - Delta_-) (rho sqrt(Delta_+) - (1 - rho) sqrt(Delta_-)) < 0``. For
    ``Delta_- > Delta_+`` this is ``rho > sqrt(Delta_-) / (sqrt(Delta_+) + sqrt(Delta_-))``.

    Returns
    -------
    numpy.ndarray of bool, ``params.shape``.

    Raises
    ------
    ArgumentTypeError
        If ``params`` is not a :class:`~biascourse.tm.TMParams`.
    """
    check_params(params)
    _require_centred(params, "crossing_condition", shared_teacher=True)
    return _saliency_winner(params) * _representation_winner(params) < 0


def crossing_time_small_eta(params: TMParams) -> np.ndarray:
    """Crossing time of the centred case as eta -> 0 (https://biascourse.github.io/biascourse/book/derivations/tm_phases.html#deriv-phases-centred); NaN where there is no crossing.

    ``t_x = tau_R ln[(sqrt(Delta_+) + sqrt(Delta_-)) S / ((sqrt(Delta_+) - sqrt(Delta_-))
    ((1 - rho) sqrt(Delta_-) - rho sqrt(Delta_+)))]``, from ``Q = R^2`` and
    ``R(t) = R^inf (1 - exp(-t / tau_R))``. The exact crossing (:func:`~biascourse.tm.crossings`)
    differs from it by a relative O(eta).

    Raises
    ------
    ArgumentTypeError
        If ``params`` is not a :class:`~biascourse.tm.TMParams`.
    """
    check_params(params)
    _require_centred(params, "crossing_time_small_eta", shared_teacher=True)
    sp, sm, rho = np.sqrt(params.delta_plus), np.sqrt(params.delta_minus), params.rho
    S = rho * sp + (1 - rho) * sm
    ratio = (sp + sm) * S / ((sp - sm) * ((1 - rho) * sm - rho * sp))
    with np.errstate(divide="ignore", invalid="ignore"):
        t_cross = params.tau_R * np.log(ratio)
    return np.where(crossing_condition(params), t_cross, np.nan)


# ----- what drives the bias, and the phases ---------------------------------------------


def bias_drivers(params: TMParams, t: ArrayLike, init: InitLike = None) -> dict[str, np.ndarray]:
    """Split the rate of change of the bias ``d(eps_+ - eps_-)/dt`` by the order parameter that moves.

    Each per-group error depends on the order parameters as in https://biascourse.github.io/biascourse/book/derivations/tm_model.html#deriv-tm-errors, so
    ``d eps_c/dt = (cM + b - E_c)(c dM/dt + db/dt) + Delta_c dQ/dt / 2 - sqrt(Delta_c) G_c dR_c/dt``.
    The three terms are the three drivers of https://biascourse.github.io/biascourse/book/derivations/tm_phases.html#deriv-phases-three:

    - ``"M"`` (class imbalance): the shift overlap M (and the student bias b, which absorbs the
      label imbalance when it is trained) moves the outputs of the two groups in opposite directions;
    - ``"R"`` (saliency): alignment with the teachers, at a rate proportional to ``sqrt(Delta_c)``;
    - ``"Q"`` (representation): the growing norm penalises each group by ``Delta_c Q / 2``; its
      balance against R sets the asymptote, where the representation ``p_c`` enters.

    Parameters
    ----------
    params : the model (any shape); ``t`` : times; ``init`` : initial state (default ``W = 0``).

    Returns
    -------
    dict
        ``{"M": ..., "R": ..., "Q": ...}``, arrays of shape ``params.shape + t.shape`` that sum to
        ``d(eps_+ - eps_-)/dt``.

    Raises
    ------
    ArgumentTypeError
        If ``params`` is not a :class:`~biascourse.tm.TMParams` or ``t`` holds no numbers.
    ValueError
        If ``t`` holds a negative, NaN or infinite time.
    """
    check_params(params)
    t = check_array("t", t, low=0, nonempty=False)
    method = "ode" if params.has_bias else "closed_form"
    state = order_parameters(params, t, init, method)
    terms = _loss_rate_terms(with_time_axes(params, t), state)
    return {key: plus - minus for key, (plus, minus) in terms.items()}


class Phase(NamedTuple):
    """A time interval in which one driver dominates the change of the bias (see :func:`phase_intervals`)."""

    start: float
    end: float
    driver: str


def phase_intervals(params: TMParams, t_max: float, init: InitLike = None, n_times: int = 2000) -> list[Phase]:
    """The phases of bias: intervals of ``[0, t_max]`` in which one driver dominates (https://biascourse.github.io/biascourse/book/derivations/tm_phases.html#deriv-phases-three).

    At each time the phase is the driver of :func:`bias_drivers` with the largest absolute
    contribution to ``d(eps_+ - eps_-)/dt``: ``"M"`` (class imbalance), ``"R"`` (saliency) or ``"Q"``
    (representation). This definition of the phase boundaries is the course's choice; it makes the
    three phases of the general case appear in the order class imbalance -> saliency ->
    representation, and the centred case (``M = 0``) has only the last two. The ``n_times`` grid
    is geometric from ``t_max / 10^6``, so with the default the boundaries are resolved to under 1%
    of their time. Times where every driver is exactly zero (a model symmetric under swapping the
    groups) get no phase.

    Returns
    -------
    list of Phase
        Consecutive ``Phase(start, end, driver)``, the first starting at 0 and the last ending at
        ``t_max`` (empty when the bias never moves).

    Raises
    ------
    ArgumentTypeError
        If ``params`` is not a :class:`~biascourse.tm.TMParams`, ``t_max`` not a number or
        ``n_times`` not an integer.
    ValueError
        If ``params`` is a grid, ``t_max`` is not in (0, inf) or ``n_times < 2``.
    """
    check_params(params, single=True)
    t_max = real("t_max", t_max, 0, low_open=True)
    n_times = check_integer("n_times", n_times, 2)
    t = np.geomspace(t_max * 1e-6, t_max, n_times)
    drivers = bias_drivers(params, t, init)
    keys = list(drivers)
    size = np.abs(np.stack([np.broadcast_to(drivers[k], t.shape) for k in keys]))
    label = np.argmax(size, axis=0)
    label[size.max(axis=0) == 0] = -1
    change = np.nonzero(np.diff(label))[0]
    starts = np.concatenate([[0], change + 1])
    ends = np.concatenate([change + 1, [len(t)]])
    phases = []
    for i, j in zip(starts, ends):
        if label[i] < 0:
            continue
        start = 0.0 if i == 0 else float(np.sqrt(t[i - 1] * t[i]))
        end = t_max if j == len(t) else float(np.sqrt(t[j - 1] * t[j]))
        phases.append(Phase(start, end, keys[label[i]]))
    return phases


# ----- phase diagrams -------------------------------------------------------------------


class Region(IntEnum):
    """Regions of a phase diagram: who wins asymptotically, and whether the preference changes (https://biascourse.github.io/biascourse/book/derivations/tm_phases.html#deriv-phases-diagram)."""

    CONSISTENT_MINUS = -2
    MINUS_AFTER_CROSSING = -1
    NO_PREFERENCE = 0
    PLUS_AFTER_CROSSING = 1
    CONSISTENT_PLUS = 2
    DIVERGENT = 3


@dataclass(frozen=True)
class BiasRegimes:
    """Who is preferred early and late, and how often the preference changes, for a grid of models.

    Attributes
    ----------
    params : the models (the grid).
    early_winner : +1 where group + has the lower error just after ``t = 0``, -1 where group -
        has, 0 for a tie or a divergence.
    winner : the same at ``t -> infinity`` (the fixed point).
    n_crossings : number of sign changes of ``eps_+ - eps_-`` over ``t > 0`` (0 where divergent).
    diverged : ``eta >= eta_max`` (Q diverges, https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-stability).
    """

    params: TMParams
    early_winner: np.ndarray
    winner: np.ndarray
    n_crossings: np.ndarray
    diverged: np.ndarray

    @property
    def region(self) -> np.ndarray:
        """:class:`Region` codes: ``winner * 2`` without a crossing, ``winner`` after one, 3 if divergent."""
        code = self.winner * np.where(self.n_crossings > 0, 1, 2)
        return np.where(self.diverged, int(Region.DIVERGENT), code).astype(int)


def bias_regimes(params: TMParams, n_times: int = 64) -> BiasRegimes:
    """Classify every model of a grid by its asymptotic preference and its crossings (https://biascourse.github.io/biascourse/book/derivations/tm_phases.html#deriv-phases-centred, https://biascourse.github.io/biascourse/book/derivations/tm_phases.html#deriv-phases-three).

    The early preference comes from the exact initial slopes (:func:`initial_slopes`; ``W_0 = 0``,
    where both errors start at 1/2), the late one from the exact fixed point, both at the grid's own
    learning rate: no small-eta rule is used. In between, ``eps_+ - eps_-`` is a sum of
    exponentials (https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-closed-form). Where ``V = 0`` it has only the rates ``0, 1/tau_R, 1/tau_Q`` and, since a sum
    of three exponentials has at most two zeros and one is at ``t = 0``, at most one crossing: the
    count is exact without any time grid. Where ``V > 0`` (up to five rates, up to three crossings)
    the closed form is also evaluated on ``n_times`` geometric times shared by the grid, from
    ``tau_M / 100`` to ``40 max(tau_R, tau_Q)``; two crossings closer than that spacing can be missed.

    Parameters
    ----------
    params : a grid of models without a trained bias (``eta_b = 0``).
    n_times : number of scan times (used only where ``V > 0``).

    Raises
    ------
    ArgumentTypeError
        If ``params`` is not a :class:`~biascourse.tm.TMParams` or ``n_times`` not an integer.
    ValueError
        If ``eta_b > 0`` anywhere or ``n_times < 2``.
    """
    check_params(params)
    if params.has_bias:
        raise ValueError("bias_regimes uses the closed form of https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-closed-form, which has no trained bias; set eta_b = 0")
    n_times = check_integer("n_times", n_times, 2)
    shape = params.shape
    diverged = np.broadcast_to(np.asarray(params.eta >= params.eta_max), shape)
    with np.errstate(all="ignore"):
        slope_plus, slope_minus = initial_slopes(params)
        eps_plus, eps_minus = asymptotic_errors(params)
    early = np.where(diverged, 0, np.sign(slope_minus - slope_plus)).astype(int)
    late = np.where(diverged, 0, np.sign(np.nan_to_num(eps_minus - eps_plus))).astype(int)
    early, late = np.broadcast_to(early, shape), np.broadcast_to(late, shape)
    if np.all(np.asarray(params.V) == 0) or np.all(diverged):
        n_crossings = ((early * late) < 0).astype(int)
    else:
        signs = -np.sign(_scan_gap(params, diverged, n_times)).astype(int)   # +1 where + leads
        n_crossings = _sign_changes(np.concatenate([early[..., None], signs, late[..., None]], axis=-1))
    n_crossings = np.where(diverged, 0, n_crossings)
    return BiasRegimes(params=params, early_winner=early, winner=late, n_crossings=n_crossings, diverged=diverged)


def phase_diagram(
    rho: ArrayLike, delta_ratio: ArrayLike, eta: float, *, delta_plus: float = 0.5, n_times: int = 64, **fixed
) -> BiasRegimes:
    """Phase diagram over representation ``rho`` and variance ratio ``Delta_- / Delta_+`` at fixed eta (https://biascourse.github.io/biascourse/book/derivations/tm_phases.html#deriv-phases-diagram).

    The axes are the course's choice (the source paper's axes are not confirmed). Every grid point
    is classified from the exact closed form by :func:`bias_regimes`; with the other parameters at
    their defaults (centred case, ``T = 1``) a 200 x 200 grid takes a few milliseconds.

    Parameters
    ----------
    rho : 1-D array of representations (first axis of the result).
    delta_ratio : 1-D array of ratios ``Delta_- / Delta_+`` (second axis).
    eta : learning rate.
    delta_plus : the fixed variance of group +.
    n_times : passed to :func:`bias_regimes`.
    **fixed : any other :class:`~biascourse.tm.TMParams` field (``v``, ``T``, ``alpha_plus`` ...).

    Returns
    -------
    BiasRegimes
        Shape ``(len(rho), len(delta_ratio))``; its ``region`` gives the colours of the diagram.

    Raises
    ------
    ArgumentTypeError
        If ``rho`` or ``delta_ratio`` holds no numbers, or ``eta`` or a fixed field is not a number.
    ValueError
        If ``rho`` or ``delta_ratio`` is empty, not 1-D or holds NaN or infinite values, a value is
        out of its range (``rho`` in (0, 1), ``delta_ratio`` in (0, inf), ``eta > 0``), or
        ``n_times < 2``.

    Examples
    --------
    >>> d = phase_diagram(np.linspace(0.05, 0.95, 5), np.geomspace(0.1, 10, 5), eta=0.01)
    >>> d.region.shape
    (5, 5)
    """
    rho, ratio = check_array("rho", rho, ndim=1), check_array("delta_ratio", delta_ratio, ndim=1)
    if np.any(ratio <= 0):
        raise ValueError(f"delta_ratio must be in (0, inf); got {ratio.min():g}")
    params = TMParams(rho=rho[:, None], delta_plus=delta_plus, delta_minus=delta_plus * ratio[None, :], eta=eta, **fixed)
    return bias_regimes(params, n_times=n_times)


def small_eta_regimes(params: TMParams) -> np.ndarray:
    """The :class:`Region` of each model by the small-eta rules of https://biascourse.github.io/biascourse/book/derivations/tm_phases.html#deriv-phases-diagram (centred case, ``T = 1``).

    Early winner: the higher-variance group (saliency). Late winner: the larger
    ``p_c sqrt(Delta_c)`` (representation). The rules ignore the eta^2 terms and the divergence,
    so they differ from :func:`bias_regimes` near the boundaries and at larger eta.

    Raises
    ------
    ArgumentTypeError
        If ``params`` is not a :class:`~biascourse.tm.TMParams`.
    ValueError
        Outside the centred case with one teacher (``v = 0``, ``alpha_+ = alpha_- = 0``, ``T = 1``).
    """
    check_params(params)
    _require_centred(params, "small_eta_regimes", shared_teacher=True)
    early, late = _saliency_winner(params), _representation_winner(params)
    return (late * np.where(early * late < 0, 1, 2)).astype(int)


# ----- implementation --------------------------------------------------------------------------


def _state_dict(init: InitLike) -> dict:
    state = TMState.coerce(init)
    return {name: np.asarray(getattr(state, name), dtype=float) for name in ORDER_PARAMETERS}


def _loss_rate_terms(p: TMParams, state: dict) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The three terms of ``d eps_c/dt`` (see :func:`bias_drivers`), for both groups, at a state."""
    k = coefficients(p)
    R_plus, R_minus, M, Q, b = (state[name] for name in ORDER_PARAMETERS)
    dR_plus, dR_minus, dM, dQ, db = rhs(p, k, R_plus, R_minus, M, Q, b)
    terms = {key: [] for key in BIAS_DRIVERS}
    for c, delta, E, G, dR in ((1.0, p.delta_plus, p.E_plus, p.G_plus, dR_plus),
                               (-1.0, p.delta_minus, p.E_minus, p.G_minus, dR_minus)):
        terms["M"].append((c * M + b - E) * (c * dM + db))
        terms["R"].append(-np.sqrt(delta) * G * dR)
        terms["Q"].append(0.5 * delta * dQ)
    return {key: tuple(value) for key, value in terms.items()}


def _scan_gap(params: TMParams, diverged: np.ndarray, n_times: int) -> np.ndarray:
    """``eps_+ - eps_-`` on geometric times shared by the grid (shape ``params.shape + (n_times,)``)."""
    stable = ~diverged
    tau_M = np.broadcast_to(params.tau_M, params.shape)[stable]
    tau_slow = np.broadcast_to(np.maximum(params.tau_R, params.tau_Q), params.shape)[stable]
    t = np.geomspace(tau_M.min() / 100, 40 * tau_slow.max(), n_times)
    with np.errstate(all="ignore"):
        state = order_parameters(params, t)
        eps_plus, eps_minus = group_mse(with_time_axes(params, t), *(state[name] for name in ORDER_PARAMETERS))
    return np.nan_to_num(eps_plus - eps_minus)


def _sign_changes(signs: np.ndarray) -> np.ndarray:
    """Number of sign changes along the last axis, skipping zeros."""
    count = np.zeros(signs.shape[:-1], dtype=int)
    last = np.zeros(signs.shape[:-1], dtype=int)
    for i in range(signs.shape[-1]):
        s = signs[..., i]
        count += (s * last) < 0
        last = np.where(s != 0, s, last)
    return count


def _saliency_winner(params: TMParams) -> np.ndarray:
    """+1 where group + has the higher variance (learns first at small eta), -1 where group - has."""
    return np.sign(params.delta_plus - params.delta_minus)


def _representation_winner(params: TMParams) -> np.ndarray:
    """+1 where ``rho sqrt(Delta_+) > (1 - rho) sqrt(Delta_-)`` (group + wins at small eta), else -1."""
    return np.sign(params.rho * np.sqrt(params.delta_plus) - (1 - params.rho) * np.sqrt(params.delta_minus))


def _require_centred(params: TMParams, name: str, shared_teacher: bool = False) -> None:
    centred = np.all(np.asarray(params.v) == 0) and np.all(np.asarray(params.alpha_plus) == 0) \
        and np.all(np.asarray(params.alpha_minus) == 0)
    if centred and (not shared_teacher or np.all(np.asarray(params.T) == 1)):
        return
    names = ("v", "alpha_plus", "alpha_minus") + (("T",) if shared_teacher else ())
    needed = "v = 0, alpha_plus = alpha_minus = 0" + (" and T = 1" if shared_teacher else "")
    got = ", ".join(f"{field}={_first_off(getattr(params, field), 1.0 if field == 'T' else 0.0):g}" for field in names)
    raise ValueError(f"{name} is a formula of the centred case ({needed}; see {_CENTRED_PAGE}); got {got}")


def _first_off(value: ArrayLike, target: float) -> float:
    """The first entry of ``value`` that differs from ``target`` (else ``target``)."""
    off = np.asarray(value)[np.asarray(value) != target]
    return float(off.flat[0]) if off.size else target
