"""Tests of the amplification of the teacher-mixture student over training (https://biascourse.github.io/biascourse/book/derivations/bias_amplification.html#deriv-amp-measure)."""
import numpy as np
import pytest
from scipy.special import ndtri

from biascourse import tm
from biascourse.amplification import reference_bias_amplification, teacher_mixture_amplification

TIMES = np.geomspace(0.02, 100, 300)
ALPHA = ndtri(0.8)   # P(y = +1 | +) = 0.8 and P(y = +1 | -) = 0.2: a dataset bias of 0.3


def model(v, **fields):
    return tm.TMParams(**{"rho": 0.5, "v": v, "alpha_plus": ALPHA, "alpha_minus": -ALPHA, "eta": 0.1, **fields})


def test_no_correlation_between_group_and_label_gives_zero():
    # alpha = 0: labels are balanced in both groups, every cell ties and the -Delta terms of a row cancel
    values = teacher_mixture_amplification(tm.TMParams(rho=0.5, v=2.0, eta=0.1), TIMES)
    assert values.shape == TIMES.shape
    np.testing.assert_allclose(values, 0.0, atol=1e-15)


def test_bounded_by_the_group_only_predictor():
    ceiling = reference_bias_amplification(0.3, "group_only")               # 1/2 - epsilon
    for v in (0.25, 1.0, 2.0, 4.0):
        values = teacher_mixture_amplification(model(v), TIMES)
        assert np.all(np.isfinite(values)) and values.max() <= ceiling + 1e-12


def test_a_salient_group_is_amplified_and_a_faint_one_is_not():
    # a large shift v (the group learned well before the teacher) amplifies at every time; a small one never
    assert teacher_mixture_amplification(model(4.0), TIMES).min() > 0
    assert teacher_mixture_amplification(model(0.25), TIMES).max() < 0
    # in between, the amplification rises and falls again: a bump over training
    values = teacher_mixture_amplification(model(2.0), TIMES)
    assert values.max() > 0 > values[-1] and 0 < np.argmax(values) < len(TIMES) - 1


def test_arguments_are_checked():
    with pytest.raises(ValueError, match=r"t must hold values in \[0, inf\)"):
        teacher_mixture_amplification(model(1.0), [-1.0, 1.0])
    with pytest.raises(ValueError, match="params must hold one model"):
        teacher_mixture_amplification(model(np.array([1.0, 2.0])), TIMES)
    with pytest.raises(TypeError, match="params must be a biascourse.tm.TMParams"):
        teacher_mixture_amplification({"v": 1.0}, TIMES)
