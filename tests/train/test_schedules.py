import pytest

from biascourse.train import constant, cosine, inverse_time, multistep


def test_multistep_like_hall_et_al():
    f = multistep([250, 375], gamma=0.1, warmup_steps=1, warmup_factor=0.1)
    assert [f(0), f(1), f(249), f(250), f(375)] == pytest.approx([0.1, 1, 1, 0.1, 0.01])


def test_cosine_and_others():
    f = cosine(10, warmup_steps=2, final=0.1)
    assert f(0) == pytest.approx(0.5) and f(1) == pytest.approx(1.0) and f(2) == pytest.approx(1.0)
    assert f(10) == pytest.approx(0.1) and f(6) == pytest.approx(0.55)
    assert constant()(7) == 1.0 and inverse_time(10)(10) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="warmup_steps"):
        cosine(5, warmup_steps=5)
    with pytest.raises(ValueError, match="gamma must be > 0"):
        multistep([1], gamma=0)
