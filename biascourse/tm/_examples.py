"""The example parameter sets of https://biascourse.github.io/biascourse/book/derivations/tm_phases.html#deriv-phases-examples, used by the chapters and the tests."""
from __future__ import annotations

from dataclasses import dataclass

from ._params import TMParams


@dataclass(frozen=True)
class TMExample:
    """A parameter set with its initial condition and horizon (https://biascourse.github.io/biascourse/book/derivations/tm_phases.html#deriv-phases-examples).

    Attributes
    ----------
    params : the model.
    init_scale : ``sigma_0`` of the initial student ``W_0 = sigma_0 g`` (0: ``W_0 = 0``).
    t_max : the horizon that shows the effect.
    illustrates : what the set shows, in one line.
    """

    params: TMParams
    init_scale: float
    t_max: float
    illustrates: str


_GENERAL = dict(rho=0.7, delta_plus=0.5, delta_minus=1.5, v=2.0, T=0.6, m_plus=0.8, m_minus=-0.5,
                alpha_plus=0.3, alpha_minus=-0.2, eta=0.3)

EXAMPLES: dict[str, TMExample] = {
    "general": TMExample(TMParams(**_GENERAL), 0.5, 25.0, "all couplings on: offsets, overlaps, T < 1, V > 0"),
    "general_bias": TMExample(TMParams(**_GENERAL, eta_b=0.3), 0.5, 25.0, "a trained student bias"),
    "centred_crossing": TMExample(TMParams(rho=0.8, delta_plus=0.5, delta_minus=2.0, eta=0.1), 0.0, 80.0,
                                  "a single crossing: the high-variance minority learns first, then loses"),
    "centred_T09": TMExample(TMParams(rho=0.8, delta_plus=0.5, delta_minus=2.0, T=0.9, eta=0.1), 0.0, 80.0,
                             "two different teachers: accuracies differ too"),
    "spurious": TMExample(TMParams(rho=0.9, v=3.0, alpha_plus=1.0, alpha_minus=1.0, eta=0.1), 0.0, 60.0,
                          "the shift is a spurious feature; the minority never recovers"),
    "spurious_nonmonotone": TMExample(TMParams(rho=0.9, v=3.0, alpha_plus=0.5, alpha_minus=0.5, eta=0.1), 0.0,
                                      60.0, "the minority loss rises, peaks, then partly recovers"),
    "three_phase": TMExample(TMParams(rho=0.8, delta_plus=0.1, delta_minus=3.0, v=4.0, alpha_plus=0.2,
                                      alpha_minus=-0.2, eta=0.05), 0.0, 150.0,
                             "class imbalance, then saliency, then representation: two crossings"),
}
"""Example sets of https://biascourse.github.io/biascourse/book/derivations/tm_phases.html#deriv-phases-examples, by name (``tm.EXAMPLES["centred_crossing"].params``)."""
