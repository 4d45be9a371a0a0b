"""95% intervals over seeds or over test samples, and the optimum of a sweep (V-shapes).

Derivation: https://biascourse.github.io/biascourse/book/derivations/bias_amplification.html#deriv-amp-intervals.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import stats

from .. import _checks
from .._random import check_seed
from ._evaluate import report_values

@dataclass(frozen=True)
class Interval:
    """An estimate with a confidence interval (arrays over the remaining axes).

    Attributes
    ----------
    estimate, low, high : the point estimate and the interval's bounds.
    level : the confidence level (0.95 for 95%).
    """

    estimate: np.ndarray
    low: np.ndarray
    high: np.ndarray
    level: float

    @property
    def yerr(self) -> np.ndarray:
        """Distances ``(2, ...)`` from the estimate to the bounds, for ``plt.errorbar(yerr=...)``."""
        return np.stack([self.estimate - self.low, self.high - self.estimate])


def _check_level(level: float) -> float:
    return _checks.real("level", level, 0.0, 1.0, low_open=True, high_open=True)


def _seed_values(values, axis, what: str) -> np.ndarray:
    """Values with one entry per seed, the seed axis first: numbers, no NaN or infinity, at least 2 seeds."""
    values = _checks.array("values", values, finite=False, nonempty=False, dtype=np.float64)
    if values.ndim == 0:
        raise ValueError(f"values must hold one value per seed along axis; got a single number {float(values):g}")
    axis = _checks.integer("axis", axis, -values.ndim, values.ndim - 1)
    values = np.moveaxis(values, axis, 0)
    if values.shape[0] < 2:
        raise ValueError(f"{what} needs at least 2 seeds; got {values.shape[0]} (values along axis {axis})")
    if np.isnan(values).any():
        raise ValueError("values contain NaN (an undefined metric); fix it before averaging over seeds")
    if np.isinf(values).any():
        raise ValueError("values must hold finite numbers; got an infinite value (a diverged run?)")
    return values


def seed_interval(values, axis: int = 0, level: float = 0.95) -> Interval:
    """Mean over seeds with a Student-t confidence interval, ``mean ± t_{K-1} s / sqrt(K)``.

    Parameters
    ----------
    values : one value per seed along ``axis`` (e.g. the (K, T) arrays of a History).
    axis : the seed axis.
    level : confidence level.

    Raises
    ------
    ArgumentTypeError
        If ``values`` holds no numbers, or ``axis`` is not an integer or ``level`` not a number.
    ValueError
        With fewer than two seeds (no spread to estimate), NaN or infinite values, an ``axis``
        outside the array, or ``level`` outside (0, 1).
    """
    level = _check_level(level)
    values = _seed_values(values, axis, "a confidence interval over seeds")
    k = values.shape[0]
    mean = values.mean(axis=0)
    half = stats.t.ppf(0.5 + level / 2, k - 1) * values.std(axis=0, ddof=1) / np.sqrt(k)
    return Interval(mean, mean - half, mean + half, level)


def bootstrap_interval(statistic: Callable[..., np.ndarray], *samples, n_resamples: int = 1000,
                       level: float = 0.95, seed: int, chunk: int = 100) -> Interval:
    """Percentile bootstrap interval of a statistic of the test samples (one model).

    The samples (e.g. classes, groups and predictions of the n test images) are resampled with
    replacement together; ``statistic`` is called on arrays with a leading resample axis and
    must return one value per resample.

    Parameters
    ----------
    statistic : ``statistic(*resampled) -> (B,) values``, e.g.
        ``lambda t, a, p: bias_amplification(t, a, p).value``.
    samples : arrays whose last axis is the n samples.
    n_resamples : number of bootstrap resamples.
    level : confidence level.
    seed : seed of the resampling.
    chunk : resamples evaluated per call (bounds the memory).

    Raises
    ------
    ArgumentTypeError
        If ``statistic`` is not callable, a sample holds no numbers, or ``n_resamples``, ``chunk``
        or ``seed`` is not an integer.
    ValueError
        If no sample array is given, a sample is a single number or empty (no sample to resample),
        the samples differ in their number of samples, ``n_resamples < 2``, ``chunk < 1`` or
        ``level`` is outside (0, 1).

    Examples
    --------
    >>> ci = bootstrap_interval(lambda t, a, p: bias_amplification(t, a, p).value, task, group, pred, seed=0)
    """
    if not callable(statistic):
        raise _checks.ArgumentTypeError(f"statistic must be a callable, statistic(*resampled) -> values; got {statistic!r}")
    level = _check_level(level)
    n_resamples = _checks.integer("n_resamples", n_resamples, 2)
    chunk = _checks.integer("chunk", chunk, 1)
    if not samples:
        raise ValueError("samples must hold at least one array of samples (the arrays passed after statistic)")
    arrays = [_checks.array("samples", s, dtype=None, finite=False, nonempty=False) for s in samples]
    if any(a.ndim == 0 or a.shape[-1] == 0 for a in arrays):
        raise ValueError(f"samples must be arrays whose last axis holds at least one sample; got shapes "
                         f"{[a.shape for a in arrays]}")
    n = arrays[0].shape[-1]
    if any(a.shape[-1] != n for a in arrays):
        raise ValueError(f"all samples must have the same last axis; got {[a.shape for a in arrays]}")
    rng = np.random.default_rng(check_seed(seed))
    values = []
    for start in range(0, n_resamples, chunk):
        idx = rng.integers(0, n, size=(min(chunk, n_resamples - start), n))
        values.append(np.asarray(statistic(*(np.take(a, idx, axis=-1) if a.ndim == 1 else a[..., idx]
                                             for a in arrays)), dtype=np.float64))
    values = np.concatenate(values, axis=0)
    estimate = np.asarray(statistic(*(a[None] for a in arrays)), dtype=np.float64)[0]
    low, high = np.quantile(values, [0.5 - level / 2, 0.5 + level / 2], axis=0)
    return Interval(estimate, low, high, level)


def seed_bootstrap_interval(values, axis: int = 0, level: float = 0.95, n_resamples: int = 2000, *,
                            seed: int) -> Interval:
    """Mean over seeds with a percentile-bootstrap interval over the seeds (https://biascourse.github.io/biascourse/book/derivations/bias_amplification.html#deriv-amp-intervals).

    The K seeds are drawn with replacement ``n_resamples`` times and the mean is recomputed; the
    interval holds the central ``level`` of those means. Every resampled mean lies between the
    smallest and the largest value over seeds, so the interval never leaves the range of the
    measured quantity (an accuracy stays in [0, 1], an amplification below its ceiling
    :math:`1/2-\\varepsilon`), unlike the Student-t interval of :func:`seed_interval`. The same
    resampled seeds are used for every entry of the other axes, so the seeds of a sweep stay
    paired. With few seeds the interval is narrow (it cannot be wider than the values' range)
    and covers the mean less often than ``level``: it describes the spread of the seeds at hand.

    Parameters
    ----------
    values : one value per seed along ``axis`` (e.g. the (K, C) array of a sweep, from
        :func:`report_values`).
    axis : the seed axis.
    level : confidence level in (0, 1).
    n_resamples : number of bootstrap resamples, >= 2.
    seed : seed of the resampling.

    Raises
    ------
    ArgumentTypeError
        If ``values`` holds no numbers, or ``axis``, ``n_resamples`` or ``seed`` is not an integer.
    ValueError
        With fewer than two seeds, NaN or infinite values, an ``axis`` outside the array,
        ``level`` outside (0, 1) or ``n_resamples < 2``.
    """
    level = _check_level(level)
    n_resamples = _checks.integer("n_resamples", n_resamples, 2)
    values = _seed_values(values, axis, "a bootstrap over seeds")
    k = values.shape[0]
    rng = np.random.default_rng(check_seed(seed))
    means = values[rng.integers(0, k, size=(n_resamples, k))].mean(axis=1)
    low, high = np.quantile(means, [0.5 - level / 2, 0.5 + level / 2], axis=0)
    return Interval(values.mean(axis=0), low, high, level)


@dataclass(frozen=True)
class SweepOptimum:
    """Where a sweep is best, and how firmly its seeds place the optimum.

    Attributes
    ----------
    best : index of the best configuration of the mean over seeds.
    share : (C,) fraction of the bootstrap resamples over seeds in which each configuration is the
        best; it sums to 1.
    interior : fraction of the resamples whose best configuration is neither end of the sweep. A
        V-shape (an optimum inside the swept range) needs it close to 1; a monotone sweep gives 0.
    kind : ``"min"`` or ``"max"``.
    """

    best: int
    share: np.ndarray
    interior: float
    kind: str


def sweep_optimum(values, kind: str = "min", n_resamples: int = 2000, *, seed: int) -> SweepOptimum:
    """The optimum of a swept quantity, with a bootstrap over seeds (https://biascourse.github.io/biascourse/book/derivations/bias_amplification.html#deriv-amp-findings, "V-shape").

    Hall et al. find the amplification V-shaped in capacity and weight decay (smallest inside the
    swept range) and its optimum away from that of the accuracy. This function says where the
    optimum of a sweep lies and whether it is inside the range: the seeds are resampled with
    replacement (the same seeds for every configuration, so they stay paired), the mean over seeds is
    recomputed, and the configuration with the smallest (``"min"``) or largest (``"max"``) mean is
    counted.

    Parameters
    ----------
    values : (K, C) array: K seeds, C configurations in the order of the sweep (e.g.
        :func:`report_values`).
    kind : ``"min"`` (e.g. amplification, calibration error) or ``"max"`` (e.g. accuracy).
    n_resamples : number of bootstrap resamples, >= 2.
    seed : seed of the resampling.

    Returns
    -------
    SweepOptimum

    Raises
    ------
    ArgumentTypeError
        If ``values`` holds no numbers, or ``n_resamples`` or ``seed`` is not an integer.
    ValueError
        If ``values`` is not (K, C) with K >= 2 and C >= 2, holds NaN or infinite values, ``kind``
        is unknown or ``n_resamples < 2``.

    Examples
    --------
    >>> sweep_optimum([[3, 1, 2], [4, 2, 3]], seed=0).best, sweep_optimum([[3, 1, 2], [4, 2, 3]], seed=0).interior
    (1, 1.0)
    """
    _checks.choice("kind", kind, ("min", "max"))
    n_resamples = _checks.integer("n_resamples", n_resamples, 2)
    values = _checks.array("values", values, finite=False, nonempty=False, dtype=np.float64)
    if values.ndim != 2 or values.shape[0] < 2 or values.shape[1] < 2:
        raise ValueError(f"values must be a (K, C) array with K >= 2 seeds and C >= 2 configurations; "
                         f"got shape {values.shape}")
    if np.isnan(values).any():
        raise ValueError("values contain NaN (an undefined metric); fix it before looking for an optimum")
    if np.isinf(values).any():
        raise ValueError("values must hold finite numbers; got an infinite value")
    pick = np.argmin if kind == "min" else np.argmax
    rng = np.random.default_rng(check_seed(seed))
    k, c = values.shape
    means = values[rng.integers(0, k, size=(n_resamples, k))].mean(axis=1)
    share = np.bincount(pick(means, axis=1), minlength=c) / n_resamples
    return SweepOptimum(int(pick(values.mean(axis=0))), share, float(share[1:-1].sum()), kind)



def sweep_interval(reports, field: str, level: float = 0.95, n_resamples: int = 2000, *, seed: int) -> Interval:
    """One interval per configuration of a sweep: :func:`seed_bootstrap_interval` of :func:`report_values`.

    The seeds are resampled together across the configurations (they stay paired), so the intervals
    of neighbouring configurations can be compared seed by seed.

    Parameters
    ----------
    reports : the :class:`AmplificationReport` of each configuration, in the order of the sweep,
        each over the same K >= 2 seeds.
    field : ``"bias_amplification"``, ``"accuracy"``, ``"ece"`` or ``"mce"``.
    level, n_resamples, seed : see :func:`seed_bootstrap_interval`.

    Returns
    -------
    Interval
        Arrays of shape (C,): one estimate and interval per configuration.
    """
    return seed_bootstrap_interval(report_values(reports, field), level=level, n_resamples=n_resamples, seed=seed)
