"""Drawing teacher-mixture data: teachers, shift and labelled samples in dimension N (https://biascourse.github.io/biascourse/book/derivations/tm_model.html#deriv-tm-data, https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-verification)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Union

import numpy as np
import torch

from .._checks import instance, integer as check_integer
from .._random import check_seed
from ._backend import ArrayBackend, Backend, resolve_dtype
from ._params import TMParams, check_params

Array = Union[np.ndarray, torch.Tensor]


def fixed_coordinates(params: TMParams) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Coordinates of ``W_T^+ / sqrt(N)``, ``W_T^- / sqrt(N)`` and ``v / sqrt(N)`` in an orthonormal basis.

    https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-verification: ``W_T^+ = sqrt(N) e1``, ``W_T^- = sqrt(N) (T e1 + sqrt(1 - T^2) e2)`` and
    ``v = sqrt(N V) (a e1 + b' e2 + sqrt(1 - a^2 - b'^2) e3)`` with ``a = m_+ / sqrt(V)`` and
    ``b' = (m_- / sqrt(V) - T a) / sqrt(1 - T^2)``. Returns three vectors of length 3 whose Gram
    matrix is :func:`~biascourse.tm.teacher_shift_gram`.

    Raises
    ------
    ArgumentTypeError
        If ``params`` is not a :class:`TMParams`.
    ValueError
        If ``params`` is a grid (shape other than ``()``).
    """
    check_params(params, single=True)
    T, V = params.T, params.V
    s_T = np.sqrt(max(1.0 - T**2, 0.0))
    if V == 0:
        a = b = 0.0
    else:
        a = params.m_plus / np.sqrt(V)
        b = (params.m_minus / np.sqrt(V) - T * a) / s_T if s_T > 0 else 0.0
    c = np.sqrt(max(1.0 - a**2 - b**2, 0.0)) if V > 0 else 0.0
    return np.array([1.0, 0.0, 0.0]), np.array([T, s_T, 0.0]), np.sqrt(V) * np.array([a, b, c])


@dataclass(frozen=True)
class Geometry:
    """Teachers and shift vector in dimension N: ``|W_T^+-|^2 = N``, ``|v|^2 = N V`` (https://biascourse.github.io/biascourse/book/derivations/tm_model.html#deriv-tm-data)."""

    teacher_plus: Array
    teacher_minus: Array
    shift: Array

    @property
    def N(self) -> int:
        return int(self.teacher_plus.shape[-1])


@dataclass(frozen=True)
class TMSample:
    """A data set drawn from the teacher-mixture model.

    Attributes
    ----------
    x : inputs, shape ``(n, N)``.
    y : labels in {-1, +1}, shape ``(n,)``.
    group : sub-population of each sample in {-1, +1} (+1 is group +), shape ``(n,)``.
    geometry : the teachers and the shift vector that generated the data; pass it to
        :func:`sample` to draw more data (a test set) from the same model.
    """

    x: Array
    y: Array
    group: Array
    geometry: Geometry


def sample(
    params: TMParams,
    n: int,
    N: int,
    seed: int,
    *,
    geometry: Optional[Geometry] = None,
    backend: Backend = "numpy",
    device: Union[str, torch.device, None] = None,
    dtype: Optional[str] = None,
) -> TMSample:
    """Draw n labelled samples ``(x, y, group)`` of the teacher-mixture model in dimension N (https://biascourse.github.io/biascourse/book/derivations/tm_model.html#deriv-tm-data).

    Parameters
    ----------
    params : a single model (``params.shape == ()``).
    n : number of samples (>= 1).
    N : input dimension (>= 3).
    seed : seed of the draw; same seed, same data.
    geometry : teachers and shift to reuse (e.g. ``train.geometry`` for a test set); by default
        they are drawn first from the same seed, in a random orthonormal frame (https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-verification).
    backend : ``"numpy"`` or ``"torch"`` (then ``device`` picks the device).
    dtype : ``"float32"`` or ``"float64"``; default float64 for numpy, float32 for torch.

    Raises
    ------
    ArgumentTypeError
        If ``params`` is not a :class:`TMParams`, ``geometry`` not a :class:`Geometry`, or ``n``,
        ``N`` or ``seed`` not an integer.
    ValueError
        If ``params`` is a grid, ``n < 1``, ``N < 3``, ``geometry`` has another dimension, or
        ``backend``, ``dtype`` or ``device`` is unknown or unavailable.

    Examples
    --------
    >>> p = TMParams(rho=0.8, delta_plus=0.5, delta_minus=2.0)
    >>> train = sample(p, 1000, 100, seed=0)
    >>> test = sample(p, 500, 100, seed=1, geometry=train.geometry)
    >>> train.x.shape, test.y.shape
    ((1000, 100), (500,))
    """
    check_params(params, single=True)
    check_integer("n", n, 1)
    check_integer("N", N, 3)
    if geometry is not None:
        instance("geometry", geometry, Geometry)
    xb = ArrayBackend(backend, check_seed(seed), device, resolve_dtype(dtype, "float64" if backend == "numpy" else "float32"))
    t_plus, t_minus, mu = fixed_coordinates(params)
    if geometry is None:
        frame = xb.to_numpy(xb.normal((N, 3)))
        basis, _ = np.linalg.qr(frame)  # three random orthonormal directions e1, e2, e3
        geometry = Geometry(*(xb.asarray(np.sqrt(N) * basis @ u) for u in (t_plus, t_minus, mu)))
    elif geometry.N != N:
        raise ValueError(f"geometry has dimension {geometry.N} but N={N}")
    else:
        geometry = Geometry(*(xb.asarray(u) for u in (geometry.teacher_plus, geometry.teacher_minus, geometry.shift)))
    plus = xb.uniform((n,)) < params.rho
    group = xb.select(plus, 1.0, -1.0)
    sd = xb.select(plus, np.sqrt(params.delta_plus), np.sqrt(params.delta_minus))
    x = group[:, None] * geometry.shift / np.sqrt(N) + sd[:, None] * xb.normal((n, N))
    teacher_field = xb.select(plus, x @ geometry.teacher_plus / np.sqrt(N) + params.alpha_plus,
                              x @ geometry.teacher_minus / np.sqrt(N) + params.alpha_minus)
    y = xb.select(teacher_field >= 0, 1.0, -1.0)
    return TMSample(x=x, y=y, group=group, geometry=geometry)
