"""Checks of chapter 5 (deep networks): ex-5-1 (ex-5-2 and ex-5-3 are answered in words)."""
from __future__ import annotations

from .. import tm
from ._core import group, register, same


@register("ex-5-1", ("ahead_at_start",))
def random_readout_start(ahead_at_start):
    """The group whose loss is lower at t = 0 when the readout (hence the output) is random."""
    ahead_at_start = group("ex-5-1", "ahead_at_start", ahead_at_start)
    p = tm.EXAMPLES["centred_crossing"].params
    # a random readout: no alignment yet (R = M = 0), a random output of variance Delta_c Q_0 with Q_0 > 0
    eps_plus, eps_minus = tm.group_mse(p, 0.0, 0.0, 0.0, 1.0)
    reference = "+" if float(eps_plus) < float(eps_minus) else "-"
    return [same("ahead_at_start", ahead_at_start, reference, hint=(
        "at t = 0 nothing is learned yet: eps_c(0) = (1 + Delta_c Q_0) / 2, so the random output costs more to "
        "the group with the larger input variance."))]
