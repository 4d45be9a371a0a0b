"""Parameters of the teacher-mixture (TM) model and the constants derived from them.

https://biascourse.github.io/biascourse/book/derivations/tm_model.html#deriv-tm-data (data model), https://biascourse.github.io/biascourse/book/derivations/tm_model.html#deriv-tm-protocol (protocol), https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-coefficients (ODE coefficients) and https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-closed-form
(timescales, stability bound). Every field may be a float or a numpy array; arrays broadcast
together, so one :class:`TMParams` can hold a whole grid of models (a phase diagram is one call).
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Union

import numpy as np
from scipy.special import erf

from .._checks import ArgumentTypeError, array as check_array, instance

ArrayLike = Union[float, np.ndarray]

_SQRT_2_OVER_PI = np.sqrt(2.0 / np.pi)


@dataclass(frozen=True)
class TMParams:
    """Parameters of the teacher-mixture model and of online SGD on it (https://biascourse.github.io/biascourse/book/derivations/tm_model.html#deriv-tm-data, https://biascourse.github.io/biascourse/book/derivations/tm_model.html#deriv-tm-protocol).

    Each sample belongs to sub-population ``c = +1`` with probability ``rho`` (else ``c = -1``) and is
    ``x = c v / sqrt(N) + sqrt(Delta_c) z`` with ``z ~ N(0, I_N)``; its label is
    ``y = sign(W_T^c . x / sqrt(N) + alpha_c)``. A linear student ``y_hat = W . x / sqrt(N) + b`` is
    trained by online SGD on ``(y - y_hat)^2 / 2`` with learning rate ``eta``.

    Parameters
    ----------
    rho : fraction of sub-population + ("representation"), in (0, 1).
    delta_plus, delta_minus : per-group input variances Delta_+ and Delta_- ("saliency"), > 0.
    v : norm of the shift vector, ``|v| / sqrt(N)`` (so ``V = v**2``), >= 0.
    T : teacher overlap ``W_T^+ . W_T^- / N``, in [-1, 1].
    alpha_plus, alpha_minus : teacher offsets (label imbalance inside each group).
    m_plus, m_minus : teacher-shift overlaps ``W_T^+- . v / N``; the Gram matrix of
        ``(W_T^+, W_T^-, v)`` must be positive semi-definite.
    eta : SGD learning rate, > 0. Values at or above :attr:`eta_max` are allowed, but the
        student norm Q then diverges (``solve`` and ``simulate`` warn, ``fixed_point`` raises).
    eta_b : learning rate of the trainable student bias b (the extension of https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-bias, updated as
        ``b <- b + eta_b e / N``); the default 0 is the paper's student without a trained bias.

    Every field may be a numpy array; the fields broadcast together to :attr:`shape`.

    Raises
    ------
    ArgumentTypeError
        If a field is not a number or an array of numbers.
    ValueError
        If a field is NaN or infinite or outside its range (given above), the array-valued
        fields do not broadcast together, or the teachers and the shift have no valid Gram matrix.

    Examples
    --------
    >>> p = TMParams(rho=0.8, delta_plus=0.5, delta_minus=2.0, eta=0.1)
    >>> round(float(p.tau_R), 3)
    6.25
    >>> grid = TMParams(rho=np.linspace(0.1, 0.9, 5)[:, None], delta_plus=0.5,
    ...                 delta_minus=np.linspace(0.5, 3.0, 4), eta=0.01)
    >>> grid.shape
    (5, 4)
    """

    rho: ArrayLike = 0.5
    delta_plus: ArrayLike = 1.0
    delta_minus: ArrayLike = 1.0
    v: ArrayLike = 0.0
    T: ArrayLike = 1.0
    alpha_plus: ArrayLike = 0.0
    alpha_minus: ArrayLike = 0.0
    m_plus: ArrayLike = 0.0
    m_minus: ArrayLike = 0.0
    eta: ArrayLike = 0.1
    eta_b: ArrayLike = 0.0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, (list, tuple, np.ndarray)):
                value = check_array(f.name, value, finite=False, nonempty=False)
            elif isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
                raise ArgumentTypeError(f"{f.name} must be a number or an array of numbers; got {value!r}")
            else:
                value = float(value)
            if not np.all(np.isfinite(value)):
                raise ValueError(f"{f.name} must be finite; got {value}")
            object.__setattr__(self, f.name, value)
        try:
            np.broadcast_shapes(*(np.shape(getattr(self, f.name)) for f in fields(self)))
        except ValueError as err:
            shapes = {f.name: np.shape(getattr(self, f.name)) for f in fields(self) if np.ndim(getattr(self, f.name))}
            raise ValueError(f"the array-valued fields must broadcast together; got shapes {shapes}") from err
        _check_range("rho", self.rho, 0.0, 1.0, "(0, 1)", open_low=True, open_high=True)
        _check_range("delta_plus", self.delta_plus, 0.0, np.inf, "(0, inf)", open_low=True)
        _check_range("delta_minus", self.delta_minus, 0.0, np.inf, "(0, inf)", open_low=True)
        _check_range("v", self.v, 0.0, np.inf, "[0, inf)")
        _check_range("T", self.T, -1.0, 1.0, "[-1, 1]")
        _check_range("eta", self.eta, 0.0, np.inf, "(0, inf)", open_low=True)
        _check_range("eta_b", self.eta_b, 0.0, np.inf, "[0, inf)")
        gram = teacher_shift_gram(self)
        scale = 1.0 + np.abs(gram).max(axis=(-2, -1))
        bad = np.linalg.eigvalsh(gram)[..., 0] < -1e-10 * scale
        if np.any(bad):
            first = tuple(np.argwhere(bad)[0])
            T, mp, mm, v = (float(np.broadcast_to(x, bad.shape)[first]) for x in (self.T, self.m_plus, self.m_minus, self.v))
            raise ValueError(
                "the Gram matrix [[1, T, m_plus], [T, 1, m_minus], [m_plus, m_minus, v**2]] of "
                "(W_T^+, W_T^-, v) must be positive semi-definite (teachers of norm 1 and a shift "
                f"of norm v cannot have these overlaps); got T={T:g}, m_plus={mp:g}, m_minus={mm:g}, "
                f"v={v:g}. Need m_plus**2 <= v**2, m_minus**2 <= v**2 and, for |T| = 1, m_minus = T * m_plus"
            )

    # ----- shape --------------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        """Broadcast shape of the array-valued fields (``()`` for a single model)."""
        return np.broadcast_shapes(*(np.shape(getattr(self, f.name)) for f in fields(self)))

    @property
    def has_bias(self) -> bool:
        """True when the student bias is trained somewhere (any ``eta_b > 0``)."""
        return bool(np.any(np.asarray(self.eta_b) > 0))

    # ----- derived constants -------------------------------------------------------
    @property
    def V(self) -> ArrayLike:
        """Squared shift norm ``V = |v|^2 / N = v**2``."""
        return self.v**2

    @property
    def delta_mix(self) -> ArrayLike:
        """Mixture variance ``Delta^mix = rho Delta_+ + (1 - rho) Delta_-`` (https://biascourse.github.io/biascourse/book/derivations/tm_model.html#deriv-tm-data)."""
        return self.rho * self.delta_plus + (1 - self.rho) * self.delta_minus

    @property
    def delta2_mix(self) -> ArrayLike:
        """``Delta^2mix = rho Delta_+^2 + (1 - rho) Delta_-^2`` (https://biascourse.github.io/biascourse/book/derivations/tm_model.html#deriv-tm-data)."""
        return self.rho * self.delta_plus**2 + (1 - self.rho) * self.delta_minus**2

    @property
    def tau_M(self) -> ArrayLike:
        """Timescale of the shift overlap M: ``1 / (eta (V + Delta^mix))`` (https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-closed-form)."""
        return 1.0 / (self.eta * (self.V + self.delta_mix))

    @property
    def tau_R(self) -> ArrayLike:
        """Timescale of the teacher overlaps R_+-: ``1 / (eta Delta^mix)`` (https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-closed-form)."""
        return 1.0 / (self.eta * self.delta_mix)

    @property
    def tau_Q(self) -> ArrayLike:
        """Timescale of the student norm Q: ``1 / (2 eta Delta^mix - eta^2 Delta^2mix)`` (https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-closed-form).

        Negative (or infinite) when ``eta >= eta_max``: Q then diverges.
        """
        with np.errstate(divide="ignore"):
            return 1.0 / (2 * self.eta * self.delta_mix - self.eta**2 * self.delta2_mix)

    @property
    def eta_max(self) -> ArrayLike:
        """Stability bound ``2 Delta^mix / Delta^2mix``: Q converges iff ``eta < eta_max`` (https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-stability)."""
        return 2 * self.delta_mix / self.delta2_mix

    # ----- label statistics ------------------------------------------------------------
    @property
    def a_plus(self) -> ArrayLike:
        """Mean teacher field in group +: ``a_+ = m_+ + alpha_+``."""
        return self.m_plus + self.alpha_plus

    @property
    def a_minus(self) -> ArrayLike:
        """Mean teacher field in group -: ``a_- = -m_- + alpha_-``."""
        return -self.m_minus + self.alpha_minus

    @property
    def E_plus(self) -> ArrayLike:
        """Label mean in group +: ``E_+ = E[y | +] = erf(a_+ / sqrt(2 Delta_+))``."""
        return erf(self.a_plus / np.sqrt(2 * self.delta_plus))

    @property
    def E_minus(self) -> ArrayLike:
        """Label mean in group -: ``E_- = erf(a_- / sqrt(2 Delta_-))``."""
        return erf(self.a_minus / np.sqrt(2 * self.delta_minus))

    @property
    def G_plus(self) -> ArrayLike:
        """Stein factor of group +: ``G_+ = sqrt(2/pi) exp(-a_+^2 / (2 Delta_+))``."""
        return _SQRT_2_OVER_PI * np.exp(-self.a_plus**2 / (2 * self.delta_plus))

    @property
    def G_minus(self) -> ArrayLike:
        """Stein factor of group -: ``G_- = sqrt(2/pi) exp(-a_-^2 / (2 Delta_-))``."""
        return _SQRT_2_OVER_PI * np.exp(-self.a_minus**2 / (2 * self.delta_minus))

    def warn_if_unstable(self, stacklevel: int = 3) -> None:
        """Warn (RuntimeWarning) when ``eta >= eta_max`` anywhere: Q diverges (https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-stability)."""
        unstable = np.asarray(self.eta >= self.eta_max)
        if np.any(unstable):
            import warnings

            eta_max = np.asarray(self.eta_max)
            worst = float(np.min(np.broadcast_to(eta_max, unstable.shape)[unstable]))
            warnings.warn(
                f"eta >= eta_max = 2 Delta^mix / Delta^2mix (= {worst:.4g}) for "
                f"{int(unstable.sum())} of {unstable.size} parameter set(s): the student norm Q "
                "diverges exponentially in t (https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-stability)",
                RuntimeWarning,
                stacklevel=stacklevel,
            )


def check_params(params, single: bool = False, name: str = "params") -> TMParams:
    """``params``, checked to be a :class:`TMParams` (and a single model, shape ``()``, if ``single``).

    Raises :class:`~biascourse._checks.ArgumentTypeError` for another kind of value and ValueError
    for a grid where one model is needed.
    """
    instance(name, params, TMParams)
    if single and params.shape != ():
        raise ValueError(f"{name} must be a single parameter set (shape ()); got {name} of shape {params.shape}")
    return params


def check_stable(params: TMParams, what: str) -> None:
    """Raise ValueError when ``eta >= eta_max`` anywhere: ``what`` does not exist there (Q diverges)."""
    unstable = np.asarray(params.eta >= params.eta_max)
    if np.any(unstable):
        eta = float(np.broadcast_to(params.eta, unstable.shape)[unstable].flat[0])
        eta_max = float(np.broadcast_to(params.eta_max, unstable.shape)[unstable].flat[0])
        where = "" if unstable.ndim == 0 else f" (at {int(unstable.sum())} of {unstable.size} parameter sets)"
        raise ValueError(
            f"eta must be below the stable bound eta_max = 2 Delta^mix / Delta^2mix = {eta_max:.4g}; got eta = {eta:g}"
            f"{where}. Above it the student norm Q diverges and {what} does not exist "
            "(https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-stability)"
        )


def teacher_shift_gram(params: TMParams) -> np.ndarray:
    """Gram matrix ``[[1, T, m_+], [T, 1, m_-], [m_+, m_-, V]]`` of ``(W_T^+, W_T^-, v) / sqrt(N)``.

    Shape ``params.shape + (3, 3)``.

    Raises
    ------
    ArgumentTypeError
        If ``params`` is not a :class:`TMParams`.
    """
    check_params(params)
    one = np.ones(params.shape)
    T, mp, mm, V = (np.broadcast_to(x, params.shape) for x in (params.T, params.m_plus, params.m_minus, params.V))
    return np.stack(
        [np.stack([one, T, mp], -1), np.stack([T, one, mm], -1), np.stack([mp, mm, V], -1)], -2
    )


def _check_range(
    name: str, value: ArrayLike, low: float, high: float, text: str, open_low: bool = False, open_high: bool = False
) -> None:
    arr = np.asarray(value)
    bad = (arr <= low if open_low else arr < low) | (arr >= high if open_high else arr > high)
    if np.any(bad):
        shown = arr[bad].flat[0] if arr.ndim else float(arr)
        raise ValueError(f"{name} must be in {text}; got {shown:g}")
