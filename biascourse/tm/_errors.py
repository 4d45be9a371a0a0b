"""Per-group errors of the linear student as functions of the order parameters (https://biascourse.github.io/biascourse/book/derivations/tm_model.html#deriv-tm-errors)."""
from __future__ import annotations

import numpy as np
from scipy.special import ndtr, owens_t

from .._checks import array as check_array
from ._params import ArrayLike, TMParams, check_params


def _check_order_parameters(params, R_plus, R_minus, M, Q, b) -> tuple:
    """The public boundary of the error formulas: a TMParams and finite order parameters, Q >= 0."""
    check_params(params)
    values = [check_array(name, value) for name, value in
              (("R_plus", R_plus), ("R_minus", R_minus), ("M", M), ("b", b))]
    values.insert(3, check_array("Q", Q, low=0))
    try:
        np.broadcast_shapes(np.shape(params.rho), *(v.shape for v in values))
    except ValueError:
        shapes = ", ".join(f"{n} {v.shape}" for n, v in zip(("R_plus", "R_minus", "M", "Q", "b"), values))
        raise ValueError(f"the order parameters must broadcast together and with params; got {shapes}") from None
    return tuple(values)


def group_mse(
    params: TMParams, R_plus: ArrayLike, R_minus: ArrayLike, M: ArrayLike, Q: ArrayLike, b: ArrayLike = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """Mean-squared generalisation error of each sub-population, with the 1/2 of the loss (https://biascourse.github.io/biascourse/book/derivations/tm_model.html#deriv-tm-errors).

    ``eps_c = 1/2 [1 + (cM + b)^2 + Delta_c Q - 2 (cM + b) E_c - 2 sqrt(Delta_c) G_c R_c]``.

    Parameters
    ----------
    params : the model; its fields broadcast against the order parameters.
    R_plus, R_minus, M, Q, b : order parameters (arrays broadcasting together).

    Returns
    -------
    eps_plus, eps_minus : numpy arrays.

    Raises
    ------
    ArgumentTypeError
        If ``params`` is not a :class:`TMParams` or an order parameter is not numeric.
    ValueError
        If an order parameter is NaN or infinite, ``Q < 0``, or the shapes do not broadcast.
    """
    return _group_mse(params, *_check_order_parameters(params, R_plus, R_minus, M, Q, b))


def _group_mse(params: TMParams, R_plus, R_minus, M, Q, b=0.0) -> tuple[np.ndarray, np.ndarray]:
    """:func:`group_mse` without the argument checks (internal callers, diverging states included)."""
    out = []
    for c, R, delta, E, G in (
        (1.0, R_plus, params.delta_plus, params.E_plus, params.G_plus),
        (-1.0, R_minus, params.delta_minus, params.E_minus, params.G_minus),
    ):
        mean = c * np.asarray(M) + b
        out.append(0.5 * (1 + mean**2 + delta * np.asarray(Q) - 2 * mean * E - 2 * np.sqrt(delta) * G * R))
    return out[0], out[1]


def group_error_rate(
    params: TMParams, R_plus: ArrayLike, R_minus: ArrayLike, M: ArrayLike, Q: ArrayLike, b: ArrayLike = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """Misclassification probability ``P(sign y_hat != y | c)`` of each sub-population (https://biascourse.github.io/biascourse/book/derivations/tm_model.html#deriv-tm-errors).

    ``P_c = Phi(h_A) + Phi(h_B) - 2 Phi_2(h_A, h_B; R_c / sqrt(Q))`` with
    ``h_A = -(cM + b) / sqrt(Delta_c Q)`` and ``h_B = -a_c / sqrt(Delta_c)``. In the centred case it
    is ``arccos(R_c / sqrt(Q)) / pi``. Undefined (NaN) where ``Q = 0``, i.e. at ``W = 0``.

    Returns
    -------
    err_plus, err_minus : numpy arrays.

    Raises
    ------
    ArgumentTypeError, ValueError
        As :func:`group_mse`.
    """
    return _group_error_rate(params, *_check_order_parameters(params, R_plus, R_minus, M, Q, b))


def _group_error_rate(params: TMParams, R_plus, R_minus, M, Q, b=0.0) -> tuple[np.ndarray, np.ndarray]:
    """:func:`group_error_rate` without the argument checks."""
    Q = np.asarray(Q, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        sqrt_q = np.where(Q > 0, np.sqrt(np.where(Q > 0, Q, 1.0)), np.nan)
        out = []
        for c, R, delta, a in (
            (1.0, R_plus, params.delta_plus, params.a_plus),
            (-1.0, R_minus, params.delta_minus, params.a_minus),
        ):
            h_a = -(c * np.asarray(M) + b) / (np.sqrt(delta) * sqrt_q)
            h_b = -a / np.sqrt(delta) + 0.0 * h_a
            r = np.clip(np.asarray(R) / sqrt_q, -1.0, 1.0)
            out.append(ndtr(h_a) + ndtr(h_b) - 2 * _bivariate_normal_cdf(h_a, h_b, r))
    return out[0], out[1]


def bivariate_normal_cdf(h: ArrayLike, k: ArrayLike, r: ArrayLike) -> np.ndarray:
    """``P(X <= h, Y <= k)`` for standard normals with correlation r; vectorised over all inputs.

    Uses Owen's T function: ``Phi_2 = [Phi(h) + Phi(k)]/2 - T(h, a_h) - T(k, a_k) - beta`` with
    ``a_h = (k - r h) / (h sqrt(1 - r^2))`` (Owen 1956), and the limits ``|r| = 1`` exactly.

    Raises
    ------
    ArgumentTypeError
        If an argument is not numeric.
    ValueError
        If ``h`` or ``k`` holds NaN (infinite bounds are allowed), ``r`` is outside [-1, 1] or NaN,
        or the shapes do not broadcast.
    """
    h, k = (check_array(name, x, allow_inf=True, nonempty=False) for name, x in (("h", h), ("k", k)))
    r = check_array("r", r, low=-1, high=1, nonempty=False)
    try:
        h, k, r = np.broadcast_arrays(h, k, r)
    except ValueError:
        raise ValueError(f"h, k and r must broadcast together; got shapes {h.shape}, {k.shape}, {r.shape}") from None
    return _bivariate_normal_cdf(h, k, r)


def _bivariate_normal_cdf(h: np.ndarray, k: np.ndarray, r: np.ndarray) -> np.ndarray:
    """:func:`bivariate_normal_cdf` without the argument checks (clipped correlations, NaN passed through)."""
    h, k, r = np.broadcast_arrays(h, k, r)
    s = np.sqrt(np.clip(1 - r**2, 0.0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        t_h = _owens_t_ratio(h, k - r * h, s)
        t_k = _owens_t_ratio(k, h - r * k, s)
    beta = np.where((h * k < 0) | ((h * k == 0) & (h + k < 0)), 0.5, 0.0)
    general = 0.5 * (ndtr(h) + ndtr(k)) - t_h - t_k - beta
    # At h = k = 0 the formula above is 0/0; the exact value is 1/4 + arcsin(r) / (2 pi).
    general = np.where((h == 0) & (k == 0), 0.25 + np.arcsin(r) / (2 * np.pi), general)
    plus_one = ndtr(np.minimum(h, k))
    minus_one = np.maximum(ndtr(h) + ndtr(k) - 1.0, 0.0)
    return np.where(r >= 1.0, plus_one, np.where(r <= -1.0, minus_one, general))


def _owens_t_ratio(h: np.ndarray, num: np.ndarray, s: np.ndarray) -> np.ndarray:
    """``T(h, num / (h s))`` including its limits ``h -> 0`` (``sign(num)/4``) and ``num = 0``."""
    safe_h = np.where(h == 0, 1.0, h)
    safe_s = np.where(s == 0, 1.0, s)
    value = owens_t(h, num / (safe_h * safe_s))
    return np.where(h == 0, 0.25 * np.sign(num), value)
