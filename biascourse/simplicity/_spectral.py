"""Spectral bias in 1-D regression: the target, its Fourier amplitudes and the learning times.

https://biascourse.github.io/biascourse/book/derivations/simplicity_biases.html#deriv-simp-spectral (Rahaman et al.): a sum of ten sines of frequencies
5, 10, ..., 50 sampled on the periodic grid :math:`z_j = j/N` (endpoint excluded), and the
normalised amplitude :math:`2F_{k_i}/A_i` of the network's output at each target frequency, where
:math:`F_k = |\\tfrac1N\\sum_j f(z_j)e^{-2\\pi i kj/N}|`. The normalisation is exactly 1 for a
perfect fit and 0 for a function that lacks the component.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import _checks
from .._checks import integer

from .._random import check_seed

#: The target frequencies of Rahaman et al.: k_i = 5 i, i = 1..10.
RAHAMAN_FREQUENCIES = tuple(range(5, 55, 5))
#: The two amplitude settings of Rahaman et al.: all ones, or 0.1, 0.2, ..., 1.0.
AMPLITUDE_PROFILES = ("equal", "increasing")


@dataclass(frozen=True)
class SpectralTarget:
    """The target :math:`\\lambda(z)=\\sum_i A_i\\sin(2\\pi k_i z+\\varphi_i)` on the grid :math:`z_j=j/N`.

    https://biascourse.github.io/biascourse/book/derivations/simplicity_biases.html#deriv-simp-spectral.

    Parameters
    ----------
    frequencies : the integer frequencies :math:`k_i`, distinct, in [1, N/2).
    amplitudes : the amplitudes :math:`A_i > 0`, one per frequency.
    phases : the phases :math:`\\varphi_i`, one per frequency.
    n_points : the number N of grid points.

    Raises
    ------
    ValueError
        If ``n_points`` is not an integer >= 4, the frequencies are not distinct integers in
        [1, N/2), or the amplitudes (finite, > 0) and phases (finite) do not have one entry per
        frequency.
    """

    frequencies: tuple[int, ...]
    amplitudes: tuple[float, ...]
    phases: tuple[float, ...]
    n_points: int = 200

    def __post_init__(self) -> None:
        n = self.n_points
        integer("n_points", n, 4)
        k = np.asarray(self.frequencies)
        if k.ndim != 1 or k.size == 0 or not np.issubdtype(k.dtype, np.integer):
            raise ValueError(f"frequencies must be a non-empty list of integers; got {self.frequencies!r}")
        if k.min() < 1 or k.max() >= n / 2 or len(np.unique(k)) != k.size:
            raise ValueError(
                f"frequencies must be distinct integers in [1, n_points/2) = [1, {n / 2:g}); got {self.frequencies!r}"
            )
        for name in ("amplitudes", "phases"):
            if len(getattr(self, name)) != k.size:
                raise ValueError(f"{name} must have one entry per frequency ({k.size}); got {len(getattr(self, name))}")
        amplitudes = _checks.array("amplitudes", self.amplitudes, ndim=1)
        if np.any(amplitudes <= 0):
            raise ValueError(f"amplitudes must be finite and > 0; got {self.amplitudes!r}")
        phases = _checks.array("phases", self.phases, ndim=1)
        object.__setattr__(self, "frequencies", tuple(int(v) for v in k))
        object.__setattr__(self, "amplitudes", tuple(float(v) for v in amplitudes))
        object.__setattr__(self, "phases", tuple(float(v) for v in phases))

    @classmethod
    def sample(
        cls,
        seed: int,
        amplitudes: str | np.ndarray = "equal",
        frequencies: tuple[int, ...] = RAHAMAN_FREQUENCIES,
        n_points: int = 200,
    ) -> SpectralTarget:
        """Draw the phases :math:`\\varphi_i = 2\\pi u_i`, :math:`u_i\\sim U[0,1)`, of a target.

        Parameters
        ----------
        seed : seed of the phases.
        amplitudes : ``"equal"`` (:math:`A_i=1`), ``"increasing"`` (:math:`A_i = i/K`, i.e.
            0.1, ..., 1.0 for ten frequencies) or an explicit array.
        frequencies : the frequencies :math:`k_i` (default 5, 10, ..., 50).
        n_points : the grid size N (default 200).
        """
        rng = np.random.default_rng(check_seed(seed))
        n_freq = len(frequencies)
        if isinstance(amplitudes, str):
            if amplitudes not in AMPLITUDE_PROFILES:
                raise ValueError(f"amplitudes must be one of {AMPLITUDE_PROFILES} or an array; got {amplitudes!r}")
            amps = np.ones(n_freq) if amplitudes == "equal" else np.arange(1, n_freq + 1) / n_freq
        else:
            amps = np.asarray(amplitudes, dtype=float)
        return cls(tuple(frequencies), tuple(amps), tuple(2 * np.pi * rng.random(n_freq)), n_points)

    @property
    def grid(self) -> np.ndarray:
        """The periodic grid :math:`z_j = j/N`, :math:`j = 0..N-1` (endpoint excluded), shape (N,)."""
        return np.arange(self.n_points) / self.n_points

    def values(self, z: np.ndarray | None = None) -> np.ndarray:
        """:math:`\\lambda(z)` at the points ``z`` (default: the grid)."""
        z = self.grid if z is None else np.asarray(z, dtype=float)
        k, a, phi = (np.asarray(v) for v in (self.frequencies, self.amplitudes, self.phases))
        return np.sum(a * np.sin(2 * np.pi * k * z[..., None] + phi), axis=-1)


def fourier_amplitudes(y: np.ndarray) -> np.ndarray:
    """Single-bin DFT magnitudes :math:`F_k = |\\tfrac1N\\sum_j y_j e^{-2\\pi i kj/N}|`, k = 0..N/2-1.

    https://biascourse.github.io/biascourse/book/derivations/simplicity_biases.html#deriv-simp-spectral, step 1 (``np.fft.fft(y)/N``).

    Parameters
    ----------
    y : function values on the periodic grid, shape (..., N).

    Returns
    -------
    numpy.ndarray
        Shape (..., N // 2). A component :math:`A\\sin(2\\pi kz+\\varphi)` contributes
        :math:`A/2` to :math:`F_k`, hence the factor 2 of :func:`normalised_amplitudes`.

    Raises
    ------
    ValueError
        If ``y`` is empty, has no axis, or holds NaN, infinite or text values.
    """
    y = _checks.array("y", y)
    if y.ndim < 1:
        raise ValueError(f"y must have shape (..., N); got a scalar {y!r}")
    n = y.shape[-1]
    return np.abs(np.fft.fft(y, axis=-1) / n)[..., : n // 2]


def normalised_amplitudes(y: np.ndarray, target: SpectralTarget) -> np.ndarray:
    """Normalised amplitude :math:`2F_{k_i}/A_i` of ``y`` at each target frequency.

    https://biascourse.github.io/biascourse/book/derivations/simplicity_biases.html#deriv-simp-spectral, step 2: exactly 1 for the target itself, 0 for a function without
    the component.

    Parameters
    ----------
    y : values on the target's grid, shape (..., N).
    target : the target (frequencies, amplitudes and N).

    Returns
    -------
    numpy.ndarray
        Shape (..., K), one column per target frequency.

    Raises
    ------
    ValueError
        If ``y`` is empty, holds NaN, infinite or text values, or has not ``target.n_points``
        values on its last axis; :class:`~biascourse._checks.ArgumentTypeError` if ``target`` is
        not a :class:`SpectralTarget`.
    """
    _checks.instance("target", target, SpectralTarget)
    y = _checks.array("y", y)
    if y.ndim < 1 or y.shape[-1] != target.n_points:
        raise ValueError(f"y must have n_points={target.n_points} values on its last axis; got shape {y.shape}")
    f = fourier_amplitudes(y)
    return 2 * f[..., list(target.frequencies)] / np.asarray(target.amplitudes)


def learning_times(steps: np.ndarray, amplitudes: np.ndarray, threshold: float = 0.9) -> np.ndarray:
    """Per-frequency learning time :math:`\\tau_k = \\min\\{t: 2F_k(t)/A_k \\ge \\text{threshold}\\}`.

    https://biascourse.github.io/biascourse/book/derivations/simplicity_biases.html#deriv-simp-spectral (course variant).

    Parameters
    ----------
    steps : the logged steps, increasing, shape (T,).
    amplitudes : normalised amplitudes over training, shape (..., T, K).
    threshold : the level that counts as learned, a finite number > 0 (0.9 in the derivation; the
        chapter also uses lower levels; a normalised amplitude can overshoot 1, so levels above 1
        are allowed).

    Returns
    -------
    numpy.ndarray
        Shape (..., K): the first logged step at which the amplitude reaches ``threshold``;
        ``nan`` where it never does.

    Raises
    ------
    ValueError
        If ``steps`` or ``amplitudes`` is empty or holds NaN, infinite or text values, the shapes do
        not match, ``steps`` is not strictly increasing, or ``threshold`` is not a finite number > 0.
    """
    threshold = _checks.real("threshold", threshold, 0, low_open=True)
    steps = _checks.array("steps", steps)
    amplitudes = _checks.array("amplitudes", amplitudes)
    if steps.ndim != 1 or amplitudes.ndim < 2 or amplitudes.shape[-2] != steps.size:
        raise ValueError(
            f"amplitudes must have shape (..., T, K) with T = len(steps) = {steps.size}; got {amplitudes.shape}"
        )
    if np.any(np.diff(steps) <= 0):
        raise ValueError("steps must be strictly increasing")
    reached = amplitudes >= threshold
    first = np.argmax(reached, axis=-2)
    return np.where(reached.any(axis=-2), steps[first], np.nan)


@dataclass(frozen=True)
class PowerLaw:
    """A fitted power law :math:`\\tau_k = c\\,k^p` over ``n_points`` learned frequencies."""

    exponent: float
    prefactor: float
    n_points: int


def learning_time_exponent(frequencies, times, min_points: int = 3) -> PowerLaw:
    """Fit :math:`\\tau_k = c\\,k^p` by least squares on :math:`(\\log k, \\log\\tau_k)` over the
    frequencies that were learned (finite :math:`\\tau_k`).

    Parameters
    ----------
    frequencies : positive frequencies, shape (K,).
    times : learning times (as returned by :func:`learning_times` for one run), shape (K,);
        ``nan`` marks a frequency never learned, and it is left out of the fit.
    min_points : integer in [2, inf): the fewest learned frequencies that make a fit; with fewer,
        the exponent and prefactor are ``nan`` (a line through fewer points means nothing).

    Returns
    -------
    PowerLaw
        ``exponent`` p, ``prefactor`` c and ``n_points``, the number of frequencies the fit used.
    """
    min_points = _checks.integer("min_points", min_points, 2)
    frequencies = _checks.array("frequencies", frequencies, ndim=1, low=np.finfo(float).tiny)
    times = _checks.array("times", times, shape=(frequencies.size,), finite=False)
    learned = np.isfinite(times)
    if np.any(times[learned] <= 0):
        raise ValueError("times must be positive where finite (a learning time of 0 has no logarithm)")
    n = int(learned.sum())
    if n < min_points:
        return PowerLaw(float("nan"), float("nan"), n)
    exponent, log_prefactor = np.polyfit(np.log(frequencies[learned]), np.log(times[learned]), 1)
    return PowerLaw(float(exponent), float(np.exp(log_prefactor)), n)


def order_inversions(times: np.ndarray) -> np.ndarray:
    """Count the pairs of frequencies learned out of order: :math:`i<j` with :math:`\\tau_j<\\tau_i`.

    https://biascourse.github.io/biascourse/book/derivations/simplicity_biases.html#deriv-simp-variations.
    A frequency that is never learned (``nan``) counts as learned after every learned one, so a
    higher frequency learned before an unlearned lower one is an inversion; two unlearned
    frequencies, or two learned at the same logged step, are not. Zero inversions is the
    statement ":math:`\\tau_k` is non-decreasing in :math:`k` (ties allowed)".

    Parameters
    ----------
    times : learning times (as returned by :func:`learning_times`), shape (..., K), frequencies in
        increasing order along the last axis.

    Returns
    -------
    numpy.ndarray
        Integer counts of shape (...), between 0 and K(K-1)/2.

    Raises
    ------
    ValueError
        If ``times`` is a scalar or holds text (NaN is allowed: a frequency never learned).
    """
    times = _checks.array("times", times, finite=False, nonempty=False)
    if times.ndim < 1:
        raise ValueError(f"times must have shape (..., K); got a scalar {times!r}")
    later = np.where(np.isnan(times), np.inf, times)
    i, j = np.triu_indices(times.shape[-1], k=1)
    return (later[..., j] < later[..., i]).sum(axis=-1)
