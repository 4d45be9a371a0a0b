"""Checks of chapter 6 (bias amplification): ex-6-1, ex-6-2, ex-6-4 (ex-6-3 is answered in words)."""
from __future__ import annotations

import numpy as np
from scipy.special import ndtri

from .. import amplification as amp
from .. import tm
from .._checks import ArgumentTypeError
from ._core import Part, compare, number, register


def _counts(name: str, value) -> np.ndarray:
    array = np.asarray(value)
    if array.shape != (2, 3) or not np.issubdtype(array.dtype, np.number):
        raise ArgumentTypeError(f"ex-6-1: {name} must be a 2 x 3 array of counts (two groups, three classes); "
                                f"got {value!r}")
    if np.any(array < 0) or np.any(array != np.round(array)):
        raise ValueError(f"ex-6-1: {name} must hold non-negative whole counts; got {array.tolist()}")
    return array.astype(np.int64)


@register("ex-6-1", ("table", "guess", "paper", "sign"))
def tie_conventions(table, guess, paper, sign):
    """A 2 x 3 table with a tie on which the paper's and the sign convention differ, and both values."""
    table, guess = _counts("table", table), _counts("guess", guess)
    paper, sign = number("ex-6-1", "paper", paper), number("ex-6-1", "sign", sign)
    n = table.sum()
    ties = n * table == table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True)
    parts = [Part("a tie in the table", bool(ties.any()), "some cell with n * n(a,t) = n(a) * n(t)",
                  "no cell has P(a, t) = P(a) P(t) exactly: choose counts with n * n(a,t) = n(a) * n(t) in some cell.")]
    if not ties.any():
        return parts
    by_paper = amp.bias_amplification_from_counts(table, guess, tie="paper").value
    by_sign = amp.bias_amplification_from_counts(table, guess, tie="sign").value
    parts.append(Part("the conventions differ", not np.isclose(by_paper, by_sign), "the two values are not equal",
                      "both conventions agree here: the predictions must move a tied cell (Delta != 0 where the table ties)."))
    parts.append(compare("paper", paper, by_paper, atol=1e-4, mistakes=((by_sign, "that is the sign convention's value: "
                         "in the paper's convention a tie counts as -Delta."),),
                         hint="average y(a,t) Delta(a,t) + (1 - y(a,t)) (-Delta(a,t)) over the six cells; a tie counts as -Delta."))
    parts.append(compare("sign", sign, by_sign, atol=1e-4, mistakes=((by_paper, "that is the paper's value: in the "
                         "sign convention a tied cell contributes 0."),),
                         hint="as the paper's average, but a tied cell contributes 0."))
    return parts


@register("ex-6-2", ("blind", "rare"))
def group_blind_errors(blind, rare):
    """Amplification of group-blind label flips (rate 0.15) and of flips only in the rare cells, epsilon = 0.3."""
    blind, rare = number("ex-6-2", "blind", blind), number("ex-6-2", "rare", rare)
    reference = float(amp.reference_bias_amplification(0.3, "group_blind", accuracy=0.85))
    return [
        compare("blind", blind, reference, atol=0.01, mistakes=(
            (float(amp.reference_bias_amplification(0.3, "group_blind", accuracy=0.15)),
             "flip each label with probability 0.15: the accuracy is 0.85, not 0.15."),
        ), hint="flip every test label independently with probability 0.15 and average the amplification over many predictors."),
        Part("rare", rare > 0, "positive", "flip only the labels of the rare cells (the super-class that is uncommon in "
             "the image's group): errors towards the group's common class amplify."),
    ]


@register("ex-6-4", ("v_star",))
def smallest_shift(v_star):
    """The smallest shift v (grid 0.2 to 4 by 0.05) with a positive amplification at some time."""
    v_star = number("ex-6-4", "v_star", v_star)
    alpha = float(ndtri(0.5 + 0.3))  # P(y = +1 | +) = Phi(alpha) = 1/2 + epsilon
    t_grid, shifts = np.geomspace(0.02, 200, 400), np.linspace(0.2, 4.0, 77)
    peaks = np.array([amp.teacher_mixture_amplification(
        tm.TMParams(rho=0.5, v=v, alpha_plus=alpha, alpha_minus=-alpha, eta=0.1), t_grid).max() for v in shifts])
    reference = shifts[np.argmax(peaks > 0)]
    return [compare("v_star", v_star, reference, atol=0.06, mistakes=(
        (shifts[np.argmax(peaks)], "that is the shift of the largest amplification: look for the first v where it turns positive."),
    ), hint="scan v on a fine grid; at each v take the largest amplification over a long logarithmic time grid "
            "(t up to 200), and keep the first v where it is positive.")]
