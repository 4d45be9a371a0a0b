"""Containers for order parameters: one state, and a trajectory in time (theory or simulation)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional, Union

import numpy as np

from .._checks import ArgumentTypeError, array as check_array
from ._params import ArrayLike, TMParams

ORDER_PARAMETERS = ("R_plus", "R_minus", "M", "Q", "b")


@dataclass(frozen=True)
class TMState:
    """Order parameters of the student at one time (https://biascourse.github.io/biascourse/book/derivations/tm_model.html#deriv-tm-protocol).

    ``R_plus = W.W_T^+/N``, ``R_minus = W.W_T^-/N``, ``M = W.v/N``, ``Q = W.W/N`` and the student
    bias ``b`` (0 unless the extension of https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-bias is on). Fields may be arrays (one per parameter set).
    The default is ``W = 0``, ``b = 0``.

    Raises
    ------
    ArgumentTypeError
        If a field is not a number or an array of numbers.
    ValueError
        If a field holds NaN or infinite values, or ``Q < 0``.
    """

    R_plus: ArrayLike = 0.0
    R_minus: ArrayLike = 0.0
    M: ArrayLike = 0.0
    Q: ArrayLike = 0.0
    b: ArrayLike = 0.0

    def __post_init__(self) -> None:
        for name in ORDER_PARAMETERS:
            check_array(name, getattr(self, name), nonempty=False)
        if np.any(np.asarray(self.Q) < 0):
            raise ValueError(f"Q must be in [0, inf) (it is |W|^2 / N); got {np.min(self.Q):g}")

    @classmethod
    def coerce(cls, init: Union["TMState", Mapping[str, ArrayLike], None]) -> "TMState":
        """Accept a :class:`TMState`, a mapping with some of its field names, or None (``W = 0``)."""
        if init is None:
            return cls()
        if isinstance(init, cls):
            return init
        if isinstance(init, Mapping):
            unknown = set(init) - set(ORDER_PARAMETERS)
            if unknown:
                raise ValueError(f"init keys must be among {ORDER_PARAMETERS}; got {sorted(unknown)}")
            return cls(**{k: init[k] for k in init})
        raise ArgumentTypeError(f"init must be a TMState, a mapping of order parameters or None; got {type(init).__name__}")


@dataclass(frozen=True)
class Trajectory:
    """Order parameters and per-group errors along time, from :func:`solve` or :func:`simulate`.

    For :func:`solve` each field has shape ``params.shape + t.shape``; for :func:`simulate` it has
    shape ``(n_seeds, len(t))`` (one row per seed).

    Attributes
    ----------
    t : times (steps / N).
    R_plus, R_minus, M, Q, b : order parameters (https://biascourse.github.io/biascourse/book/derivations/tm_model.html#deriv-tm-protocol).
    eps_plus, eps_minus : per-group MSE with the 1/2 of the loss (https://biascourse.github.io/biascourse/book/derivations/tm_model.html#deriv-tm-errors).
    err_plus, err_minus : per-group misclassification probabilities (https://biascourse.github.io/biascourse/book/derivations/tm_model.html#deriv-tm-errors); NaN where ``Q = 0``.
    params : the model.
    eps_plus_test, eps_minus_test, err_plus_test, err_minus_test : (simulation only, when fresh
        test samples were requested) the same errors measured on fresh test samples; else None.
    seeds : (simulation only) the seed of each row.
    """

    t: np.ndarray
    R_plus: np.ndarray
    R_minus: np.ndarray
    M: np.ndarray
    Q: np.ndarray
    b: np.ndarray
    eps_plus: np.ndarray
    eps_minus: np.ndarray
    err_plus: np.ndarray
    err_minus: np.ndarray
    params: TMParams
    eps_plus_test: Optional[np.ndarray] = None
    eps_minus_test: Optional[np.ndarray] = None
    err_plus_test: Optional[np.ndarray] = None
    err_minus_test: Optional[np.ndarray] = None
    seeds: Optional[np.ndarray] = None

    @property
    def eps(self) -> np.ndarray:
        """Total MSE ``rho eps_+ + (1 - rho) eps_-``."""
        return _mix(self.params.rho, self.eps_plus, self.eps_minus, self.t.ndim)

    @property
    def err(self) -> np.ndarray:
        """Total misclassification probability ``rho P_+ + (1 - rho) P_-``."""
        return _mix(self.params.rho, self.err_plus, self.err_minus, self.t.ndim)

    @property
    def eps_gap(self) -> np.ndarray:
        """Bias in the MSE, ``eps_+ - eps_-`` (positive: group - is ahead)."""
        return self.eps_plus - self.eps_minus

    def mean(self, name: str) -> np.ndarray:
        """Mean over seeds (rows) of a simulated field, e.g. ``sim.mean("Q")``."""
        return np.mean(self._rows(name), axis=0)

    def sem(self, name: str) -> np.ndarray:
        """Standard error over seeds of a simulated field (NaN with a single seed)."""
        rows = self._rows(name)
        if rows.shape[0] < 2:
            return np.full(rows.shape[1:], np.nan)
        return np.std(rows, axis=0, ddof=1) / np.sqrt(rows.shape[0])

    def initial_state(self) -> TMState:
        """The state at ``t[0]`` (seed mean for a simulation): start :func:`solve` from it (https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-verification)."""
        pick = (lambda a: np.mean(a[:, 0])) if self.seeds is not None else (lambda a: a[..., 0])
        return TMState(**{name: pick(getattr(self, name)) for name in ORDER_PARAMETERS})

    def _rows(self, name: str) -> np.ndarray:
        if self.seeds is None:
            raise ValueError("mean and sem average over seeds; this trajectory comes from solve, not simulate")
        value = getattr(self, name)
        if value is None:
            raise ValueError(f"{name} was not recorded in this simulation")
        return np.asarray(value)


def _mix(rho: ArrayLike, plus: np.ndarray, minus: np.ndarray, t_ndim: int) -> np.ndarray:
    rho = np.asarray(rho)
    rho = rho.reshape(rho.shape + (1,) * t_ndim)
    return rho * plus + (1 - rho) * minus
