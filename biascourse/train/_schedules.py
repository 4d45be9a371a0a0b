"""Learning-rate schedules: functions ``step -> factor`` that multiply the base learning rate."""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence

Schedule = Callable[[int], float]


def constant() -> Schedule:
    """Factor 1 at every step."""
    return lambda step: 1.0


def multistep(milestones: Sequence[int], gamma: float = 0.1, warmup_steps: int = 0,
              warmup_factor: float = 0.1) -> Schedule:
    """Multiply by ``gamma`` at each milestone step; optionally a constant warm-up first.

    With ``warmup_steps`` one epoch long and ``warmup_factor=0.1`` this is the schedule of Hall et
    al. (0.01 in the first epoch, then 0.1, divided by 10 at the milestones) for a base rate 0.1.
    """
    milestones = sorted(int(m) for m in milestones)
    if not gamma > 0:
        raise ValueError(f"gamma must be > 0; got {gamma}")

    def factor(step: int) -> float:
        if step < warmup_steps:
            return warmup_factor
        return gamma ** sum(step >= m for m in milestones)

    return factor


def cosine(total_steps: int, warmup_steps: int = 0, final: float = 0.0) -> Schedule:
    """Linear warm-up over ``warmup_steps``, then a cosine decay from 1 to ``final`` at ``total_steps``."""
    if total_steps < 1 or not 0 <= warmup_steps < total_steps:
        raise ValueError(f"need total_steps >= 1 and 0 <= warmup_steps < total_steps; got {total_steps}, {warmup_steps}")

    def factor(step: int) -> float:
        if step < warmup_steps:
            return (step + 1) / warmup_steps
        progress = min((step - warmup_steps) / (total_steps - warmup_steps), 1.0)
        return final + (1 - final) * 0.5 * (1 + math.cos(math.pi * progress))

    return factor


def inverse_time(decay_steps: float) -> Schedule:
    """``1 / (1 + step / decay_steps)``: the Robbins-Monro-type decay."""
    if not decay_steps > 0:
        raise ValueError(f"decay_steps must be > 0; got {decay_steps}")
    return lambda step: 1.0 / (1.0 + step / decay_steps)
