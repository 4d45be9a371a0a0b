"""Learning-rate schedules: functions ``step -> factor`` that multiply the base learning rate."""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from .._checks import integer, real

Schedule = Callable[[int], float]


def constant() -> Schedule:
    """Factor 1 at every step."""
    return lambda step: 1.0


def multistep(milestones: Sequence[int], gamma: float = 0.1, warmup_steps: int = 0,
              warmup_factor: float = 0.1) -> Schedule:
    """Multiply by ``gamma`` at each milestone step; optionally a constant warm-up first.

    With ``warmup_steps`` one epoch long and ``warmup_factor=0.1`` this is the schedule of Hall et
    al. (0.01 in the first epoch, then 0.1, divided by 10 at the milestones) for a base rate 0.1.

    Raises
    ------
    ValueError
        If a milestone or ``warmup_steps`` is not an integer >= 0, or ``gamma`` or
        ``warmup_factor`` not a finite number > 0.
    """
    milestones = sorted(integer("milestones", m, 0) for m in milestones)
    gamma = real("gamma", gamma, 0, low_open=True)
    warmup_steps = integer("warmup_steps", warmup_steps, 0)
    warmup_factor = real("warmup_factor", warmup_factor, 0, low_open=True)

    def factor(step: int) -> float:
        if step < warmup_steps:
            return warmup_factor
        return gamma ** sum(step >= m for m in milestones)

    return factor


def cosine(total_steps: int, warmup_steps: int = 0, final: float = 0.0) -> Schedule:
    """Linear warm-up over ``warmup_steps``, then a cosine decay from 1 to ``final`` at ``total_steps``.

    Raises
    ------
    ValueError
        If ``total_steps`` is not an integer >= 1, ``warmup_steps`` not an integer in
        ``[0, total_steps - 1]`` or ``final`` not a finite number.
    """
    total_steps = integer("total_steps", total_steps, 1)
    warmup_steps = integer("warmup_steps", warmup_steps, 0, total_steps - 1)
    final = real("final", final)

    def factor(step: int) -> float:
        if step < warmup_steps:
            return (step + 1) / warmup_steps
        progress = min((step - warmup_steps) / (total_steps - warmup_steps), 1.0)
        return final + (1 - final) * 0.5 * (1 + math.cos(math.pi * progress))

    return factor


def inverse_time(decay_steps: float) -> Schedule:
    """``1 / (1 + step / decay_steps)``: the Robbins-Monro-type decay.

    Raises
    ------
    ValueError
        If ``decay_steps`` is not a finite number > 0.
    """
    decay_steps = real("decay_steps", decay_steps, 0, low_open=True)
    return lambda step: 1.0 / (1.0 + step / decay_steps)


def milestones_at(total_steps: int, fractions: Sequence[float] = (0.5, 0.75)) -> list[int]:
    """The steps at the given fractions of a run of ``total_steps``: where a step decay happens.

    The default fractions are those of Hall et al.'s recipe (tenfold decays at epochs 250 and 375
    of 500, https://biascourse.github.io/biascourse/book/derivations/bias_amplification.html#deriv-amp-training).

    Parameters
    ----------
    total_steps : length of the run, >= 1.
    fractions : increasing fractions in (0, 1).

    Returns
    -------
    list of int
        ``int(f * total_steps)`` for each fraction, e.g. ``[100, 150]`` for 200 steps.
    """
    total_steps = integer("total_steps", total_steps, 1)
    fractions = [float(f) for f in fractions]
    if any(not 0 < f < 1 for f in fractions) or fractions != sorted(set(fractions)):
        raise ValueError(f"fractions must be strictly increasing values in (0, 1); got {fractions}")
    return [int(f * total_steps) for f in fractions]


def linear_warmup(schedule: Schedule, warmup_steps: int) -> Schedule:
    """``schedule`` multiplied by a linear ramp ``min(1, (step + 1) / warmup_steps)``.

    Chapter 6 trains its small CNNs with Hall et al.'s decays behind a linear warm-up over the first
    quarter of training, ``linear_warmup(multistep(milestones_at(T)), T // 4)``, where the paper
    uses one constant epoch at a tenth of the rate (the course's departure, explained in
    https://biascourse.github.io/biascourse/book/derivations/bias_amplification.html#deriv-amp-training).

    Parameters
    ----------
    schedule : the schedule to ramp up, e.g. :func:`multistep` or :func:`constant`.
    warmup_steps : length of the ramp, >= 1 (1: no warm-up).
    """
    warmup_steps = integer("warmup_steps", warmup_steps, 1)
    return lambda step: schedule(step) * min(1.0, (step + 1) / warmup_steps)


def warmup_decays(total_steps: int, decay: bool = True) -> Schedule:
    """Chapter 6's schedule: a linear warm-up over the first quarter, then tenfold decays at 1/2 and 3/4.

    ``linear_warmup(multistep(milestones_at(total_steps)), max(1, total_steps // 4))``, or
    :func:`constant` behind the same warm-up with ``decay=False``.

    Parameters
    ----------
    total_steps : length of the run, >= 1.
    decay : with the two decays of Hall et al.'s recipe (True) or none (False).
    """
    milestones = milestones_at(total_steps)
    return linear_warmup(multistep(milestones) if decay else constant(), max(1, total_steps // 4))


def weight_decay_shrinkage(schedule: Schedule, total_steps: int, *, lr: float, weight_decay: float | Sequence[float],
                           momentum: float = 0.0) -> np.ndarray:
    """The factor by which SGD's weight decay alone shrinks a weight over a run of ``total_steps``.

    A weight that gets no gradient from the loss follows PyTorch's SGD with L2 weight decay
    :math:`\\lambda` and heavy-ball momentum :math:`\\beta`: :math:`g = \\lambda w`,
    :math:`b \\leftarrow \\beta b + g` (:math:`b = g` at the first step), :math:`w \\leftarrow w -
    \\eta f(s)\\, b`, with :math:`f(s)` the schedule's factor at step s. The result is :math:`w_T/w_0`:
    near 1 when weight decay has no time to act within the run, near 0 when it has pulled every
    weight the loss does not hold up to zero. Without momentum and with a constant rate it is
    :math:`(1-\\eta\\lambda)^T`; for small :math:`\\eta\\lambda` it is close to
    :math:`\\exp(-\\lambda\\,\\eta\\sum_s f(s)/(1-\\beta))`. Chapter 6 compares it between Hall et
    al.'s 500-epoch recipe and the course's short runs (https://biascourse.github.io/biascourse/book/derivations/bias_amplification.html#deriv-amp-findings).

    Parameters
    ----------
    schedule : ``step -> factor`` multiplying ``lr``, as given to :func:`biascourse.train.train`.
    total_steps : number of optimisation steps, >= 1.
    lr : base learning rate, > 0.
    weight_decay : :math:`\\lambda >= 0`, a scalar or an array (one value per entry).
    momentum : :math:`\\beta` in [0, 1).

    Returns
    -------
    numpy.ndarray
        :math:`w_T/w_0`, with the shape of ``weight_decay``. Where :math:`\\eta f(s)\\lambda >
        (1-\\sqrt\\beta)^2` the momentum makes the weight oscillate about zero while it decays, so
        the value can be negative; its magnitude is what weight decay leaves of the weight.
    """
    total_steps = integer("total_steps", total_steps, 1)
    if not lr > 0:
        raise ValueError(f"lr must be > 0; got {lr}")
    if not 0 <= momentum < 1:
        raise ValueError(f"momentum must be in [0, 1); got {momentum}")
    decay = np.asarray(weight_decay, dtype=np.float64)
    if np.any(decay < 0) or not np.all(np.isfinite(decay)):
        raise ValueError(f"weight_decay must be finite and >= 0; got {weight_decay}")
    factors = np.array([schedule(s) for s in range(total_steps)], dtype=np.float64)
    # the state (w, b) evolves linearly: one 2x2 matrix per step, raised to a power over each run of equal factors
    starts = np.flatnonzero(np.concatenate([[True], factors[1:] != factors[:-1]]))
    lengths = np.diff(np.concatenate([starts, [total_steps]]))
    lam = decay.reshape(-1)
    state = np.stack([np.ones_like(lam), np.zeros_like(lam)], axis=-1)[..., None]  # (L, 2, 1)
    for start, length in zip(starts, lengths):
        a = lr * factors[start]
        step = np.empty((len(lam), 2, 2))
        step[:, 0, 0], step[:, 0, 1] = 1 - a * lam, -a * momentum
        step[:, 1, 0], step[:, 1, 1] = lam, momentum
        state = np.linalg.matrix_power(step, int(length)) @ state
    return state[:, 0, 0].reshape(decay.shape)
