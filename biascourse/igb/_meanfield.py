"""Mean-field signal propagation: variance and correlation maps, chi_1, order and chaos, and gamma.

https://biascourse.github.io/biascourse/book/derivations/initial_guessing_bias.html#deriv-igb-meanfield (after Poole et al. 2016 and Schoenholz et al. 2017). For a wide MLP with
weights :math:`\\mathcal N(0,\\sigma_w^2/\\text{fan-in})` and biases :math:`\\mathcal N(0,\\sigma_b^2)`,
the pre-activations of two inputs are jointly Gaussian with second moment :math:`q` and
correlation :math:`c`, and one layer maps

.. math:: q\\mapsto\\sigma_w^2\\,\\mathbb E\\,\\phi(\\sqrt q z)^2+\\sigma_b^2,\\qquad
          q\\,c\\mapsto\\sigma_w^2\\,\\mathbb E\\,\\phi(u_a)\\phi(u_b)+\\sigma_b^2 .

The correlation of the *outputs* between two distinct data points is the IGB level,
:math:`c=\\gamma/(1+\\gamma)` (https://biascourse.github.io/biascourse/book/derivations/initial_guessing_bias.html#deriv-igb-definitions), so the same maps predict gamma for any
depth, activation, shift, bias and normalisation placement. All functions are vectorised: pass
arrays (e.g. a meshgrid) of :math:`\\sigma_w^2` and :math:`\\sigma_b^2`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import array as check_array, instance, real
from ._activations import Activation, as_activation
from ._distribution import gamma_from_c
from ._ensemble import MLPSpec

_Q_MAX = 1e8  # a fixed point q* above this counts as infinite (variance explodes)
_BISECTIONS = 64
_C_BISECTIONS = 32  # c in [0, 1] to 2e-10
_C_ONE_TOLERANCE = 1e-9  # a fixed point c* closer than this to 1 is c* = 1 (deep prejudice)
_SIGMA_W2_MAX = 20.0  # search range of the edge-of-chaos and iso-gamma lines


def _arrays(*values):
    return np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in values))


#: The allowed range of each argument of the maps (closed intervals; None: unbounded).
_RANGES = {"q": (0.0, None), "c": (-1.0, 1.0), "sigma_w2": (0.0, None), "sigma_b2": (0.0, None)}


def _checked(**values) -> list[np.ndarray]:
    """The public boundary of the maps: each named argument finite and in its range, broadcast together."""
    arrays = [check_array(name, value, low=_RANGES[name][0], high=_RANGES[name][1], nonempty=False)
              for name, value in values.items()]
    try:
        return np.broadcast_arrays(*arrays)
    except ValueError:
        shapes = ", ".join(f"{name} {a.shape}" for name, a in zip(values, arrays))
        raise ValueError(f"{', '.join(values)} must broadcast together; got shapes {shapes}") from None


def variance_map(q: np.ndarray, sigma_w2: np.ndarray, sigma_b2: np.ndarray, activation: str | Activation) -> np.ndarray:
    """One layer of the length map, :math:`q^{l}=\\sigma_w^2\\mathbb E\\,\\phi(\\sqrt{q^{l-1}}z)^2+\\sigma_b^2`.

    Raises
    ------
    ArgumentTypeError
        If an argument holds no numbers.
    ValueError
        If an argument holds NaN or infinite values or lies outside its range (``q``,
        ``sigma_w2``, ``sigma_b2`` in [0, inf), ``c`` in [-1, 1]), the arrays do not broadcast
        together, or ``activation`` is unknown.
    """
    phi = as_activation(activation)
    return _variance_map(*_checked(q=q, sigma_w2=sigma_w2, sigma_b2=sigma_b2), phi)


def _variance_map(q, sigma_w2, sigma_b2, phi: Activation) -> np.ndarray:
    q, sigma_w2, sigma_b2 = _arrays(q, sigma_w2, sigma_b2)
    return sigma_w2 * phi.second_moment(q) + sigma_b2


def correlation_map(
    c: np.ndarray, q: np.ndarray, sigma_w2: np.ndarray, sigma_b2: np.ndarray, activation: str | Activation
) -> np.ndarray:
    """One layer of the correlation map for two inputs with the same length ``q``.

    .. math:: c^{l}=\\frac{\\sigma_w^2\\,\\mathbb E\\,\\phi(u_a)\\phi(u_b)+\\sigma_b^2}{q^{l}},\\quad
              u_a=\\sqrt q z_1,\\ u_b=\\sqrt q\\,(c z_1+\\sqrt{1-c^2}z_2).

    Raises
    ------
    ArgumentTypeError, ValueError
        As :func:`variance_map`: an argument that is not numeric, NaN, infinite or out of its
        range, arrays that do not broadcast, or an unknown ``activation``.
    """
    phi = as_activation(activation)
    # clipped: rounding can put the map a few ulp above 1, and its output is fed back in as ``c``
    return np.clip(_correlation_map(*_checked(c=c, q=q, sigma_w2=sigma_w2, sigma_b2=sigma_b2), phi), -1.0, 1.0)


def _correlation_map(c, q, sigma_w2, sigma_b2, phi: Activation) -> np.ndarray:
    c, q, sigma_w2, sigma_b2 = _arrays(c, q, sigma_w2, sigma_b2)
    return (sigma_w2 * phi.kernel(q, q, c) + sigma_b2) / _variance_map(q, sigma_w2, sigma_b2, phi)


def chi_1(q: np.ndarray, sigma_w2: np.ndarray, activation: str | Activation) -> np.ndarray:
    """:math:`\\chi_1=\\sigma_w^2\\,\\mathbb E\\,\\phi'(\\sqrt q z)^2`; the slope of the correlation map at
    :math:`c=1` when ``q`` is the fixed point :math:`q^*`. For ReLU it is :math:`\\sigma_w^2/2`.

    Raises
    ------
    ArgumentTypeError, ValueError
        As :func:`variance_map`: an argument that is not numeric, NaN, infinite or out of its
        range, arrays that do not broadcast, or an unknown ``activation``.
    """
    phi = as_activation(activation)
    return _chi_1(*_checked(q=q, sigma_w2=sigma_w2), phi)


def _chi_1(q, sigma_w2, phi: Activation) -> np.ndarray:
    q, sigma_w2 = _arrays(q, sigma_w2)
    return sigma_w2 * phi.derivative_second_moment(q)


def fixed_point_q(sigma_w2: np.ndarray, sigma_b2: np.ndarray, activation: str | Activation) -> np.ndarray:
    """The stable fixed point :math:`q^*` of the variance map (``inf`` where the variance explodes).

    Found by vectorised bisection of :math:`V(q)-q` on :math:`[0, 10^8]`. For ReLU,
    :math:`q^*=\\sigma_b^2/(1-\\sigma_w^2/2)` when :math:`\\sigma_w^2<2` and infinite above.

    Raises
    ------
    ArgumentTypeError, ValueError
        As :func:`variance_map`: an argument that is not numeric, NaN, infinite or out of its
        range, arrays that do not broadcast, or an unknown ``activation``.
    """
    phi = as_activation(activation)
    return _fixed_point_q(*_checked(sigma_w2=sigma_w2, sigma_b2=sigma_b2), phi)


def _fixed_point_q(sigma_w2, sigma_b2, phi: Activation) -> np.ndarray:
    sigma_w2, sigma_b2 = _arrays(sigma_w2, sigma_b2)
    lo = np.zeros_like(sigma_w2)
    hi = np.full_like(sigma_w2, _Q_MAX)
    exploding = _variance_map(hi, sigma_w2, sigma_b2, phi) > hi
    for _ in range(_BISECTIONS):
        mid = 0.5 * (lo + hi)
        up = _variance_map(mid, sigma_w2, sigma_b2, phi) > mid
        lo = np.where(up, mid, lo)
        hi = np.where(up, hi, mid)
    return np.where(exploding, np.inf, 0.5 * (lo + hi))[()]


def _c_map_at(c, q, sigma_w2, sigma_b2, phi):
    """The correlation map at the fixed point; where q* is infinite, its scale-free limit."""
    infinite = np.isinf(q)
    finite_q = np.where(infinite, 1.0, q)
    at_q = _correlation_map(c, finite_q, sigma_w2, sigma_b2, phi)
    if not infinite.any():
        return at_q
    # q -> infinity: the bias and the shift become negligible next to the signal
    limit = _correlation_map(c, 1.0, sigma_w2, 0.0, Activation(phi.name))
    return np.where(infinite, limit, at_q)


def fixed_point_c(sigma_w2: np.ndarray, sigma_b2: np.ndarray, activation: str | Activation) -> np.ndarray:
    """The stable fixed point :math:`c^*` of the correlation map at :math:`q^*`.

    :math:`c^*=1` in the ordered phase (:math:`\\chi_1\\le1`); otherwise the crossing of the map with
    the diagonal, found by vectorised bisection on (0, 1) (the map lies above the diagonal at 0);
    a crossing within :math:`10^{-9}` of 1 counts as :math:`c^*=1`.

    Raises
    ------
    ArgumentTypeError, ValueError
        As :func:`variance_map`: an argument that is not numeric, NaN, infinite or out of its
        range, arrays that do not broadcast, or an unknown ``activation``.
    """
    phi = as_activation(activation)
    return _fixed_point_c(*_checked(sigma_w2=sigma_w2, sigma_b2=sigma_b2), phi)


def _fixed_point_c(sigma_w2, sigma_b2, phi: Activation) -> np.ndarray:
    sigma_w2, sigma_b2 = _arrays(sigma_w2, sigma_b2)
    q = _fixed_point_q(sigma_w2, sigma_b2, phi)
    lo, hi = np.zeros_like(sigma_w2), np.ones_like(sigma_w2)
    for _ in range(_C_BISECTIONS):
        mid = 0.5 * (lo + hi)
        up = _c_map_at(mid, q, sigma_w2, sigma_b2, phi) > mid
        lo = np.where(up, mid, lo)
        hi = np.where(up, hi, mid)
    ordered = _chi_1(np.where(np.isinf(q), 1.0, q), sigma_w2, phi) <= 1.0
    # a map above the diagonal all the way up (ReLU) converges to 1, only slowly: call that 1
    c = np.where(hi > 1.0 - _C_ONE_TOLERANCE, 1.0, 0.5 * (lo + hi))
    return np.where(ordered, 1.0, c)[()]


@dataclass(frozen=True)
class PhaseDiagram:
    """Mean-field quantities on a grid of :math:`(\\sigma_w^2,\\sigma_b^2)` (https://biascourse.github.io/biascourse/book/derivations/initial_guessing_bias.html#deriv-igb-meanfield).

    Attributes
    ----------
    sigma_w2, sigma_b2 : the (broadcast) grid.
    q_star : fixed point of the variance map (``inf`` where it explodes).
    chi_1 : :math:`\\chi_1` at :math:`q^*`; < 1 ordered, > 1 chaotic, = 1 edge of chaos.
    c_star : fixed point of the correlation map.
    gamma_star : :math:`c^*/(1-c^*)`, the IGB level of a deep network (``inf``: deep prejudice).
    """

    sigma_w2: np.ndarray
    sigma_b2: np.ndarray
    q_star: np.ndarray
    chi_1: np.ndarray
    c_star: np.ndarray
    gamma_star: np.ndarray

    @property
    def phase(self) -> np.ndarray:
        """0 ordered-deep prejudice (:math:`c^*=1`), 1 prejudice (:math:`1/2<c^*<1`), 2 neutrality
        (:math:`c^*\\le 1/2`): the labels of the official phase plots."""
        return np.where(self.c_star >= 1.0, 0, np.where(self.c_star > 0.5, 1, 2))


def phase_diagram(sigma_w2: np.ndarray, sigma_b2: np.ndarray, activation: str | Activation) -> PhaseDiagram:
    """Fixed points, :math:`\\chi_1` and :math:`\\gamma^*` on a grid, in one vectorised call.

    Raises
    ------
    ArgumentTypeError
        If ``sigma_w2`` or ``sigma_b2`` holds no numbers.
    ValueError
        If ``sigma_w2`` or ``sigma_b2`` holds NaN, infinite or negative values, they do not
        broadcast together, or ``activation`` is unknown.

    Examples
    --------
    >>> w, b = np.meshgrid(np.linspace(0.5, 4, 50), np.linspace(0, 1, 40))
    >>> pd = phase_diagram(w, b, "tanh")
    """
    phi = as_activation(activation)
    sigma_w2, sigma_b2 = _checked(sigma_w2=sigma_w2, sigma_b2=sigma_b2)
    q = _fixed_point_q(sigma_w2, sigma_b2, phi)
    chi = _chi_1(np.where(np.isinf(q), 1.0, q), sigma_w2, phi)
    c = _fixed_point_c(sigma_w2, sigma_b2, phi)
    return PhaseDiagram(sigma_w2, sigma_b2, q, chi, c, gamma_from_c(np.clip(c, 0.0, 1.0)))


def _bisect_sigma_w2(condition, sigma_b2, lo, hi):
    """Vectorised bisection for the sigma_w2 in [lo, hi] where ``condition`` switches from False to True."""
    lo, hi = np.array(lo, dtype=float), np.array(hi, dtype=float)
    for _ in range(_BISECTIONS):
        mid = 0.5 * (lo + hi)
        above = condition(mid, sigma_b2)
        lo = np.where(above, lo, mid)
        hi = np.where(above, mid, hi)
    return 0.5 * (lo + hi)


def edge_of_chaos(sigma_b2: np.ndarray, activation: str | Activation) -> np.ndarray:
    """The edge of chaos: the :math:`\\sigma_w^2` where :math:`\\chi_1(q^*)=1`, for each :math:`\\sigma_b^2`.

    For tanh, :math:`\\sigma^2_{w,\\mathrm{EOC}}(0.1)=1.9861` (https://biascourse.github.io/biascourse/book/derivations/initial_guessing_bias.html#deriv-igb-meanfield); for ReLU it is 2.

    Raises
    ------
    ArgumentTypeError
        If ``sigma_b2`` holds no numbers.
    ValueError
        If ``sigma_b2`` holds NaN, infinite or negative values, or ``activation`` is unknown.
    """
    phi = as_activation(activation)
    (sigma_b2,) = _checked(sigma_b2=sigma_b2)
    return _edge_of_chaos(sigma_b2, phi)


def _edge_of_chaos(sigma_b2: np.ndarray, phi: Activation) -> np.ndarray:
    def chaotic(sigma_w2, sb2):
        q = _fixed_point_q(sigma_w2, sb2, phi)
        return _chi_1(np.where(np.isinf(q), 1.0, q), sigma_w2, phi) > 1.0

    lo, hi = np.full(sigma_b2.shape, 1e-3), np.full(sigma_b2.shape, _SIGMA_W2_MAX)
    return _bisect_sigma_w2(chaotic, sigma_b2, lo, hi)[()]


def iso_gamma_line(gamma: float, sigma_b2: np.ndarray, activation: str | Activation) -> np.ndarray:
    """The :math:`\\sigma_w^2` above the edge of chaos where :math:`\\gamma^*=\\gamma`, for each :math:`\\sigma_b^2`.

    ``gamma = 1`` (:math:`c^*=1/2`, a uniform :math:`G_0`) is the official *neutrality line*. Where
    no such point exists below :math:`\\sigma_w^2=20` the result is ``nan``.

    Raises
    ------
    ArgumentTypeError
        If ``gamma`` is not a number or ``sigma_b2`` holds no numbers.
    ValueError
        If ``gamma`` is not in (0, inf), ``sigma_b2`` holds NaN, infinite or negative values, or
        ``activation`` is unknown.
    """
    gamma = real("gamma", gamma, 0, low_open=True)
    phi = as_activation(activation)
    (sigma_b2,) = _checked(sigma_b2=sigma_b2)
    target = gamma / (1.0 + gamma)

    def below_target(sigma_w2, sb2):
        # the map crosses the diagonal once on (0, 1), from above: c* <= target iff map(target) <= target
        q = _fixed_point_q(sigma_w2, sb2, phi)
        return _c_map_at(target, q, sigma_w2, sb2, phi) <= target

    lo = _edge_of_chaos(sigma_b2, phi)
    hi = np.full(sigma_b2.shape, _SIGMA_W2_MAX)
    line = _bisect_sigma_w2(below_target, sigma_b2, lo, hi)
    reachable = below_target(hi, sigma_b2)
    return np.where(reachable, line, np.nan)[()]


def correlation_profile(spec: MLPSpec, input_q: float = 1.0, input_c: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Second moment and correlation of the pre-activations of every Linear layer of ``spec``.

    The inputs are described by their per-coordinate second moment ``input_q`` (:math:`\\|x\\|^2/d`)
    and the correlation ``input_c`` between distinct points (0 for centred Gaussian data; see
    :func:`input_moments`). Normalisation acts as in https://biascourse.github.io/biascourse/book/derivations/initial_guessing_bias.html#deriv-igb-normalisation, in the limit of
    infinite width and data: BatchNorm centres and rescales each unit over the data (so
    :math:`q=1, c=0` after it); LayerNorm rescales each point over the units (:math:`q=1`) and,
    placed after the activation, also removes the mean over units :math:`\\mathbb E\\phi`, leaving
    the covariance kernel.

    Returns
    -------
    (q, c)
        Arrays of length ``depth + 1``: hidden layers 1..L, then the outputs.

    Raises
    ------
    ArgumentTypeError
        If ``spec`` is not an :class:`MLPSpec`, or ``input_q`` or ``input_c`` not a number.
    ValueError
        For ``pool > 1``, which these two-point maps do not cover (use :func:`gamma_maxpool` for
        one layer, or measure); if ``input_q`` is not in (0, inf) or ``input_c`` not in [-1, 1].
    """
    instance("spec", spec, MLPSpec)
    input_q = real("input_q", input_q, 0, low_open=True)
    input_c = real("input_c", input_c, -1, 1)
    if spec.pool != 1:
        raise ValueError(
            f"the mean-field maps cover pool = 1 only; got pool={spec.pool} (use gamma_maxpool or measure)"
        )
    phi = spec.phi
    norm, _, place = spec.norm.partition("_")
    sw2, sb2 = spec.sigma_w2, spec.sigma_b2
    # post-activation kernel entering the next Linear layer: diagonal k_aa and off-diagonal k_ab
    k_aa, k_ab = float(input_q), float(input_q * input_c)
    qs, cs = [], []
    for layer in range(spec.depth + 1):
        q, q_ab = sw2 * k_aa + sb2, sw2 * k_ab + sb2
        qs.append(q)
        cs.append(q_ab / q)
        if layer == spec.depth:
            break
        c = q_ab / q
        if place == "before":
            q, c = 1.0, (0.0 if norm == "bn" else c)
        k_aa, k_ab = float(phi.second_moment(q)), float(phi.kernel(q, q, c))
        if place == "after":
            m2 = 0.0 if norm == "bn" else float(phi.mean(q)) ** 2
            # BN: every unit centred over the data -> no common part left (infinite data);
            # LN: the mean over units E phi is removed from every point, then unit length
            k_ab = 0.0 if norm == "bn" else (k_ab - m2) / (k_aa - m2)
            k_aa = 1.0
    return np.array(qs), np.array(cs)


def gamma_mean_field(spec: MLPSpec, input_q: float = 1.0, input_c: float = 0.0) -> float:
    """The mean-field IGB parameter of the outputs of ``spec``: :math:`\\gamma=c_{\\rm out}/(1-c_{\\rm out})`.

    One hidden ReLU layer on centred data gives :math:`1/(\\pi-1)`; deeper ReLU stacks the depth
    recursion; tanh without bias 0; see :func:`correlation_profile` for the conventions.

    Raises
    ------
    ArgumentTypeError, ValueError
        As :func:`correlation_profile`.
    """
    _, c = correlation_profile(spec, input_q, input_c)
    return float(gamma_from_c(np.clip(c[-1], 0.0, 1.0)))


def input_moments(x: np.ndarray) -> tuple[float, float]:
    """Per-coordinate second moment and mean correlation between distinct points of a data set.

    Returns
    -------
    (input_q, input_c)
        :math:`q=\\overline{\\|x_a\\|^2}/d` and
        :math:`c=\\overline{x_a\\cdot x_b}^{\\,a\\neq b}/\\overline{\\|x_a\\|^2}`, the two numbers the
        mean-field maps take from the data (a homogeneous-data approximation for real images).

    Raises
    ------
    ArgumentTypeError
        If ``x`` holds no numbers.
    ValueError
        If ``x`` holds NaN or infinite values, is not an array of points (at least 2-d), has fewer
        than 2 points, or holds only zeros.
    """
    x = check_array("x", x, nonempty=False)
    if x.ndim < 2 or 0 in x.shape[1:]:
        raise ValueError(f"x must be an array of points, shape (n, ...) with at least one coordinate; got {x.shape}")
    if len(x) < 2:
        raise ValueError(f"x needs at least 2 points; got {len(x)}")
    x = x.reshape(len(x), -1)
    n, d = x.shape
    if not np.any(x):
        raise ValueError("x must not be all zeros (its correlation is undefined)")
    norms = (x**2).sum(axis=1).mean()
    total = x.sum(axis=0)
    pair = (total @ total - n * norms) / (n * (n - 1))
    return float(norms / d), float(pair / norms)
