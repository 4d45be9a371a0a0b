"""Closed forms of gamma for particular architectures (https://biascourse.github.io/biascourse/book/derivations/initial_guessing_bias.html#deriv-igb-architecture).

These are the formulas the derivation page states in closed form: one ReLU layer, the ReLU depth
recursion, max pooling after one ReLU layer or directly after a linear layer, and a linear network
on un-centred data. The general mean-field
route (:func:`~biascourse.igb.gamma_mean_field`) reproduces the first two, which the tests check.
"""
from __future__ import annotations

from .._checks import ArgumentTypeError, array as check_array, choice, integer as check_integer

import numpy as np
from scipy import integrate, stats

#: Gamma of one hidden ReLU layer on centred data: :math:`1/(\pi-1)` (https://biascourse.github.io/biascourse/book/derivations/initial_guessing_bias.html#deriv-igb-depth).
GAMMA_RELU = 1.0 / (np.pi - 1.0)


def _g_relu(gamma: np.ndarray) -> np.ndarray:
    root = np.sqrt(2.0 * gamma + 1.0)
    return 2.0 / np.pi * gamma * np.arctan(root) + root / np.pi


def relu_gamma_map(gamma: np.ndarray | float) -> np.ndarray:
    """One ReLU layer of the depth recursion (https://biascourse.github.io/biascourse/book/derivations/initial_guessing_bias.html#deriv-igb-depth, the official ``g_relu``).

    .. math:: G(\\gamma)=\\frac{g(\\gamma)}{1+\\gamma-g(\\gamma)},\\qquad
              g(\\gamma)=\\tfrac2\\pi\\gamma\\arctan\\sqrt{2\\gamma+1}+\\tfrac1\\pi\\sqrt{2\\gamma+1}.

    Exact in the mean-field limit for :math:`\\sigma_b=0` and any :math:`\\sigma_w`; :math:`G(0)=1/(\\pi-1)`.

    Raises
    ------
    ArgumentTypeError
        If ``gamma`` holds no numbers.
    ValueError
        If ``gamma`` holds NaN, infinite or negative values.
    """
    gamma = check_array("gamma", gamma, low=0, nonempty=False)
    g = _g_relu(gamma)
    return g / (1.0 + gamma - g)


def gamma_relu_depth(depth: np.ndarray | int) -> np.ndarray:
    """:math:`\\gamma_L=G^L(0)` for L hidden ReLU layers on centred data; vectorised over ``depth``.

    Raises
    ------
    ArgumentTypeError
        If ``depth`` holds anything but integers.
    ValueError
        If ``depth`` holds negative values.
    """
    depth = check_array("depth", depth, dtype=None, nonempty=False)
    if not np.issubdtype(depth.dtype, np.integer) or depth.dtype == bool:
        raise ArgumentTypeError(f"depth must be an integer or an array of integers in [0, inf); got {depth.tolist()!r}")
    if np.any(depth < 0):
        raise ValueError(f"depth must hold integers in [0, inf); got {int(depth.min())}")
    gamma = np.zeros(depth.shape)
    for layer in range(int(depth.max(initial=0))):
        gamma = np.where(layer < depth, relu_gamma_map(gamma), gamma)
    return gamma[()]


#: What :func:`gamma_maxpool` can put before the pooling: a ReLU, or nothing (a linear layer).
POOL_INPUTS = ("relu", "linear")


def gamma_maxpool(k: int, before: str = "relu") -> float:
    """Gamma of one hidden layer followed by ``MaxPool1d(k)`` and a linear readout (https://biascourse.github.io/biascourse/book/derivations/initial_guessing_bias.html#deriv-igb-pooling).

    With ``before="relu"`` (Linear, ReLU, MaxPool1d(k), Linear) the readout sees
    :math:`\\psi=\\max(0,\\max_{i\\le k}Z_i)`; with ``before="linear"`` (Linear, MaxPool1d(k), Linear:
    pooling without an activation) it sees :math:`\\psi=\\max_{i\\le k}Z_i`, for :math:`Z_i` i.i.d.
    standard normal. Then

    .. math:: \\gamma(k)=\\frac{M_k^2}{E_k-M_k^2},\\qquad M_k=\\mathbb E\\,\\psi,\\quad E_k=\\mathbb E\\,\\psi^2,

    with, from :math:`P(\\psi>z)=1-\\Phi(z)^k` for :math:`z\\ge0`,
    :math:`M_k=\\int_0^\\infty(1-\\Phi(z)^k)\\,dz-[\\int_0^\\infty\\Phi(-z)^kdz]` and
    :math:`E_k=\\int_0^\\infty2z\\,(1-\\Phi(z)^k)\\,dz+[\\int_0^\\infty2z\\,\\Phi(-z)^kdz]`, the bracketed
    terms (the negative side of the maximum) only without the ReLU. Evaluated by quadrature.

    Parameters
    ----------
    k : the kernel size, an integer >= 1.
    before : ``"relu"`` or ``"linear"`` (one of :data:`POOL_INPUTS`).

    Returns
    -------
    float
        ``gamma_maxpool(1)`` is :math:`1/(\\pi-1)`; ``gamma_maxpool(1, "linear")`` is 0 (no pooling,
        no activation); ``gamma_maxpool(2, "linear")`` is again :math:`1/(\\pi-1)` exactly. Both grow
        without bound with k.
    """
    k = check_integer("k", k, 1)
    choice("before", before, POOL_INPUTS)

    def tail(z):  # 1 - Phi(z)^k, computed without cancellation for large z
        return -np.expm1(k * stats.norm.logcdf(z))

    def below(z):  # P(max < -z) = Phi(-z)^k, the negative side of the maximum
        return np.exp(k * stats.norm.logcdf(-z))

    def moment(f):
        value, _ = integrate.quad(f, 0.0, np.inf, epsabs=1e-13, epsrel=1e-12)
        return value

    m, e = moment(tail), moment(lambda z: 2.0 * z * tail(z))
    if before == "linear":
        m, e = m - moment(below), e + moment(lambda z: 2.0 * z * below(z))
    return m**2 / (e - m**2)


def gamma_linear(x: np.ndarray) -> float:
    """Gamma of a linear network (any depth, no bias) on the data set ``x``.

    .. math:: \\gamma_{\\rm lin}=\\|\\bar x\\|^2/\\mathrm{tr}\\,\\Sigma_x

    Exact in expectation over the weights for the given points (https://biascourse.github.io/biascourse/book/derivations/initial_guessing_bias.html#deriv-igb-centring):
    inputs shifted by :math:`s` per unit-variance coordinate give :math:`\\gamma=s^2`. The
    covariance is the population covariance of the n points (divisor n).

    Raises
    ------
    ArgumentTypeError
        If ``x`` holds no numbers.
    ValueError
        If ``x`` holds NaN or infinite values, fewer than 2 points, or only equal points.
    """
    x = check_array("x", x)
    if x.ndim < 2 or len(x) < 2:
        raise ValueError(f"x must hold at least 2 points, shape (n, ...) with n >= 2; got {x.shape}")
    x = x.reshape(len(x), -1)
    mean = x.mean(axis=0)
    spread = x.var(axis=0).sum()
    if spread == 0:
        raise ValueError("x must not be constant: all points are equal, so gamma_lin = |mean|^2 / 0 is undefined")
    return float(mean @ mean / spread)
