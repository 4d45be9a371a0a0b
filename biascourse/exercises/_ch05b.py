"""Checks of chapter 5b (real data): ex-5b-1 (ex-5b-2 is answered in words)."""
from __future__ import annotations

from .. import tm
from ..tm import phases
from ._core import group, number, register, same

#: The chapter's step size in the linear theory (the notebook's ETA).
ETA = 0.01


@register("ex-5b-1", ("first", "ahead", "n_crossings"))
def swapped_representation(first, ahead, n_crossings):
    """Linear theory of the rotated experiment with rho = 0.3, Delta = (0.25, 4), T = 1."""
    first, ahead = group("ex-5b-1", "first", first), group("ex-5b-1", "ahead", ahead)
    n_crossings = number("ex-5b-1", "n_crossings", n_crossings)
    p = tm.TMParams(rho=0.3, delta_plus=0.25, delta_minus=4.0, T=1.0, eta=ETA)
    slopes, finals = phases.initial_slopes(p), phases.asymptotic_errors(p)
    return [
        same("first", first, "+" if slopes[0] < slopes[1] else "-", hint=(
            "the group learned first is the one whose loss falls fastest at t = 0 (tm.phases.initial_slopes): "
            "saliency p_c Delta_c decides.")),
        same("ahead", ahead, "+" if finals[0] < finals[1] else "-", hint=(
            "the group ahead at the end has the lower asymptotic error (tm.phases.asymptotic_errors): "
            "representation decides, and rho = 0.3 makes group - the majority.")),
        same("n_crossings", n_crossings, len(tm.crossings(p, 20 * float(p.tau_R))), hint=(
            "the curves cross only when the group learned first is not the one ahead at the end.")),
    ]
