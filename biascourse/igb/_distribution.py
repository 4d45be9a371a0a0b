"""The law of the guess fraction :math:`G_0` over initialisations, given gamma (https://biascourse.github.io/biascourse/book/derivations/initial_guessing_bias.html#deriv-igb-law).

Under the note's assumptions (many data points, output Gaussian over the data with a variance
that self-averages, data-mean :math:`\\mu_W\\sim\\mathcal N(0,\\gamma\\sigma^2)`), the fraction of
points sent to class 0 is :math:`G_0=\\Phi(\\mu_W/\\sigma)=\\Phi(\\sqrt\\gamma Z)`. Everything here
follows from that one line; it is the course's derivation (the note marks the exact printed form
in the ICML paper as unverified).
"""
from __future__ import annotations

import numpy as np
from scipy import special, stats

from .._checks import array as check_array, integer as check_integer

from .._random import check_seed


def _check_gamma(gamma: np.ndarray, scalar: bool = False) -> np.ndarray:
    """gamma as a float array in [0, inf] (NaN rejected; infinity is deep prejudice); one number if ``scalar``."""
    gamma = check_array("gamma", gamma, allow_inf=True, low=0, nonempty=False, ndim=0 if scalar else None)
    return gamma


def c_from_gamma(gamma: np.ndarray | float) -> np.ndarray:
    """The output correlation :math:`c=\\gamma/(1+\\gamma)` (https://biascourse.github.io/biascourse/book/derivations/initial_guessing_bias.html#deriv-igb-definitions).

    Raises
    ------
    ArgumentTypeError
        If ``gamma`` holds no numbers.
    ValueError
        If ``gamma`` holds NaN or a negative value.
    """
    gamma = _check_gamma(gamma)
    with np.errstate(invalid="ignore"):
        return np.where(np.isinf(gamma), 1.0, gamma / (1.0 + gamma))[()]


def gamma_from_c(c: np.ndarray | float) -> np.ndarray:
    """The inverse link :math:`\\gamma=c/(1-c)`; infinite at :math:`c=1` (deep prejudice).

    Raises
    ------
    ArgumentTypeError
        If ``c`` holds no numbers.
    ValueError
        If ``c`` holds NaN or infinite values, or values outside [0, 1].
    """
    c = check_array("c", c, low=0, high=1, nonempty=False)
    with np.errstate(divide="ignore"):
        return np.where(c >= 1.0, np.inf, c / np.where(c >= 1.0, 1.0, 1.0 - c))[()]


def g0_density(f: np.ndarray | float, gamma: float) -> np.ndarray:
    """Density of :math:`G_0` over initialisations.

    .. math:: p(f)=\\frac1{\\sqrt\\gamma}\\exp\\Big[-\\Big(\\frac1\\gamma-1\\Big)\\big(\\mathrm{erf}^{-1}(2f-1)\\big)^2\\Big]

    Parameters
    ----------
    f : points in (0, 1).
    gamma : the IGB parameter, > 0 (at 0 the law is a point mass at 1/2).

    Raises
    ------
    ArgumentTypeError
        If ``gamma`` is not a number or ``f`` holds no numbers.
    ValueError
        If ``gamma`` is NaN or not in (0, inf], or ``f`` holds NaN or values outside (0, 1).
    """
    gamma = float(_check_gamma(gamma, scalar=True))
    if gamma == 0:
        raise ValueError("gamma must be > 0 for a density; at gamma = 0, G_0 = 1/2 exactly")
    f = check_array("f", f, nonempty=False)
    if np.any((f <= 0) | (f >= 1)):
        raise ValueError("f must lie strictly inside (0, 1)")
    e = special.ndtri(f) / np.sqrt(2.0)  # erfinv(2f - 1), accurate near f = 0
    return np.exp(-(1.0 / gamma - 1.0) * e**2) / np.sqrt(gamma)


def g0_cdf(f: np.ndarray | float, gamma: float) -> np.ndarray:
    """:math:`P(G_0\\le f)=\\Phi\\big(\\Phi^{-1}(f)/\\sqrt\\gamma\\big)`.

    Raises
    ------
    ArgumentTypeError
        If ``gamma`` is not a number or ``f`` holds no numbers.
    ValueError
        If ``gamma`` is NaN or negative, or ``f`` holds NaN.
    """
    gamma = float(_check_gamma(gamma, scalar=True))
    f = check_array("f", f, allow_inf=True, nonempty=False)
    if gamma == 0:
        return (f >= 0.5).astype(float)
    with np.errstate(divide="ignore"):
        return stats.norm.cdf(stats.norm.ppf(np.clip(f, 0.0, 1.0)) / np.sqrt(gamma))


def g0_variance(gamma: np.ndarray | float) -> np.ndarray:
    """:math:`\\mathrm{Var}(G_0)=\\arcsin\\big(\\gamma/(1+\\gamma)\\big)/(2\\pi)`.

    Raises
    ------
    ArgumentTypeError, ValueError
        As :func:`c_from_gamma` (``gamma`` not numeric, NaN or negative).
    """
    return np.arcsin(c_from_gamma(gamma)) / (2.0 * np.pi)


def expected_gmax(gamma: np.ndarray | float) -> np.ndarray:
    """:math:`\\mathbb E\\,G_{\\max}=\\tfrac12+\\arctan(\\sqrt\\gamma)/\\pi` (two classes).

    Raises
    ------
    ArgumentTypeError, ValueError
        As :func:`c_from_gamma` (``gamma`` not numeric, NaN or negative).
    """
    return 0.5 + np.arctan(np.sqrt(_check_gamma(gamma))) / np.pi


def gmax_tail(t: np.ndarray | float, gamma: float) -> np.ndarray:
    """:math:`P(G_{\\max}>t)=2\\big[1-\\Phi\\big(\\Phi^{-1}(t)/\\sqrt\\gamma\\big)\\big]` for t in [1/2, 1).

    Raises
    ------
    ArgumentTypeError
        If ``t`` or ``gamma`` holds no numbers.
    ValueError
        If ``t`` holds NaN or values outside [0.5, 1), or ``gamma`` is NaN or negative.
    """
    t = check_array("t", t, nonempty=False)
    if np.any((t < 0.5) | (t >= 1)):
        raise ValueError(f"t must be in [0.5, 1); got {t}")
    return 2.0 * (1.0 - g0_cdf(t, gamma))


def gamma_from_g0_variance(variance: np.ndarray | float) -> np.ndarray:
    """Invert :func:`g0_variance`: :math:`c=\\sin(2\\pi\\mathrm{Var}\\,G_0)`, :math:`\\gamma=c/(1-c)`.

    A second estimator of gamma that needs only the guess fractions (not the outputs).

    Raises
    ------
    ArgumentTypeError
        If ``variance`` holds no numbers.
    ValueError
        If ``variance`` holds NaN or values outside [0, 1/4].
    """
    v = check_array("variance", variance, nonempty=False)
    if np.any((v < 0) | (v > 0.25)):
        raise ValueError(f"variance must be in [0, 1/4] (G_0 lies in [0, 1]); got {v}")
    return gamma_from_c(np.sin(2.0 * np.pi * np.minimum(v, 0.25)))


def sample_guess_fractions(gamma: float, n_classes: int, n_init: int, seed: int) -> np.ndarray:
    """Draw guess fractions :math:`G_c` of C-class networks from the Gaussian-mean model.

    https://biascourse.github.io/biascourse/book/derivations/initial_guessing_bias.html#deriv-igb-law (multi-class): class means :math:`\\mu_c/\\sigma\\sim\\mathcal N(0,\\gamma)`
    independently and :math:`G_c=\\int\\phi(z)\\prod_{c'\\neq c}\\Phi\\big(z+(\\mu_c-\\mu_{c'})/\\sigma\\big)dz`,
    evaluated by Gauss-Hermite quadrature for each draw.

    Returns
    -------
    numpy.ndarray
        Shape (n_init, n_classes); rows sum to 1 (up to quadrature error).

    Raises
    ------
    ArgumentTypeError
        If ``gamma`` is not a number, or ``n_classes``, ``n_init`` or ``seed`` not an integer.
    ValueError
        If ``gamma`` is NaN or negative, ``n_classes < 2``, ``n_init < 1`` or ``seed`` is out of range.
    """
    gamma = float(_check_gamma(gamma, scalar=True))
    n_classes = check_integer("n_classes", n_classes, 2)
    n_init = check_integer("n_init", n_init, 1)
    rng = np.random.default_rng(check_seed(seed))
    mu = np.sqrt(gamma) * rng.standard_normal((n_init, n_classes))
    nodes, weights = np.polynomial.hermite_e.hermegauss(64)
    weights = weights / np.sqrt(2.0 * np.pi)
    fractions = np.empty_like(mu)
    for c in range(n_classes):
        # P(every other output below output c | noise z of output c) = prod_c' Phi(z + mu_c - mu_c')
        others = np.delete(mu, c, axis=1)
        below = special.ndtr(nodes[:, None, None] + (mu[:, c, None] - others)[None])
        fractions[:, c] = weights @ below.prod(axis=-1)
    return fractions
