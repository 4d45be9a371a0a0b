"""Bias amplification of the teacher-mixture model's linear student, along the exact solution of its ODEs."""
from __future__ import annotations

import numpy as np
from scipy.special import ndtr

from .. import _checks
from .. import tm
from ._measure import bias_amplification_from_probabilities


def teacher_mixture_amplification(params: tm.TMParams, t) -> np.ndarray:
    r"""BiasAmp A->T (paper convention) of the teacher-mixture student at times ``t`` (https://biascourse.github.io/biascourse/book/derivations/bias_amplification.html#deriv-amp-measure, "The population version").

    The groups are the sub-populations :math:`c = +, -` (rows, with weights :math:`\rho` and
    :math:`1-\rho`), the classes the labels :math:`y = +1, -1` (columns). In group :math:`c` a label is
    +1 with probability :math:`\Phi(a_c/\sqrt{\Delta_c})` and the student predicts +1 with
    probability :math:`\Phi((cM + b)/\sqrt{\Delta_c Q})`, where :math:`M`, :math:`b` and :math:`Q` are
    the order parameters of :func:`biascourse.tm.solve`; the two probability tables go to
    :func:`bias_amplification_from_probabilities`. Chapter 6 compares the result with the
    amplification of trained image classifiers over training
    (https://biascourse.github.io/biascourse/book/derivations/bias_amplification.html#deriv-amp-findings).

    Parameters
    ----------
    params : one teacher-mixture model (:class:`biascourse.tm.TMParams` with scalar fields).
    t : times (steps / N) >= 0, a 1-d array.

    Returns
    -------
    numpy.ndarray
        The amplification at each time, shape of ``t``.

    Examples
    --------
    >>> alpha = scipy.special.ndtri(0.8)            # P(y = +1 | +) = 0.8, P(y = +1 | -) = 0.2
    >>> teacher_mixture_amplification(tm.TMParams(v=2.0, alpha_plus=alpha, alpha_minus=-alpha, eta=0.1),
    ...                               np.geomspace(0.02, 100, 300))
    """
    if not isinstance(params, tm.TMParams):
        raise _checks.ArgumentTypeError(f"params must be a biascourse.tm.TMParams; got {type(params).__name__}")
    if params.shape != ():
        raise ValueError(f"params must hold one model (scalar fields); got a grid of shape {params.shape}")
    t = _checks.array("t", t, ndim=1, low=0.0)
    sol = tm.solve(params, t)
    rows = []
    for c, delta, a, share in ((1, params.delta_plus, params.a_plus, params.rho),
                               (-1, params.delta_minus, params.a_minus, 1 - params.rho)):
        label_pos = np.broadcast_to(ndtr(a / np.sqrt(delta)), t.shape)
        pred_pos = ndtr((c * sol.M + sol.b) / np.sqrt(delta * sol.Q))
        rows.append((share * np.stack([label_pos, 1 - label_pos], -1), share * np.stack([pred_pos, 1 - pred_pos], -1)))
    joint = np.stack([r[0] for r in rows], -2)
    predicted = np.stack([r[1] for r in rows], -2)
    return bias_amplification_from_probabilities(joint, predicted).value
