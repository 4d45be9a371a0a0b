import numpy as np
import pytest
import torch

from biascourse.train import (constant, cosine, inverse_time, linear_warmup, milestones_at, multistep, warmup_decays,
                              weight_decay_shrinkage)


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
    with pytest.raises(ValueError, match=r"gamma must be in \(0, inf\)"):
        multistep([1], gamma=0)


def test_milestones_at_fractions_of_the_run():
    # Hall et al.: 500 epochs, decays at epochs 250 and 375
    assert milestones_at(500) == [250, 375]
    assert milestones_at(192, (0.5, 0.75)) == [96, 144]
    assert milestones_at(10, (0.25,)) == [2]
    with pytest.raises(ValueError, match=r"total_steps must be an integer in \[1, inf\)"):
        milestones_at(0)
    with pytest.raises(ValueError, match="fractions must be strictly increasing values in"):
        milestones_at(100, (0.75, 0.5))
    with pytest.raises(ValueError, match="fractions must be strictly increasing values in"):
        milestones_at(100, (0.5, 1.0))


def test_linear_warmup_ramps_then_follows_the_schedule():
    steps = 200
    f = linear_warmup(multistep(milestones_at(steps)), steps // 4)
    # ramp (step + 1) / 50 over the first 50 steps, then 1, 0.1 from step 100, 0.01 from step 150
    assert [f(0), f(24), f(49), f(50), f(99)] == pytest.approx([1 / 50, 25 / 50, 1, 1, 1])
    assert [f(100), f(149), f(150), f(199)] == pytest.approx([0.1, 0.1, 0.01, 0.01])
    assert linear_warmup(constant(), 1)(0) == 1.0
    # the sum of the factors (the integrated rate) of this schedule: 25.5 + 50 + 5 + 0.5
    assert sum(f(s) for s in range(steps)) == pytest.approx(25.5 + 50 + 5 + 0.5)
    with pytest.raises(ValueError, match=r"warmup_steps must be an integer in \[1, inf\)"):
        linear_warmup(constant(), 0)


def _torch_decay_only(schedule, steps, lr, weight_decay, momentum):
    """w_T / w_0 of a weight with no loss gradient under torch's SGD and LambdaLR."""
    w = torch.nn.Parameter(torch.ones((), dtype=torch.float64))
    opt = torch.optim.SGD([w], lr=lr, momentum=momentum, weight_decay=weight_decay)
    scheduler = torch.optim.lr_scheduler.LambdaLR(opt, schedule)
    for _ in range(steps):
        opt.zero_grad()
        (0.0 * w).backward()
        opt.step()
        scheduler.step()
    return float(w.detach())


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_weight_decay_shrinkage_follows_torch_sgd(momentum):
    steps = 120
    schedule = linear_warmup(multistep(milestones_at(steps)), 30)
    decays = np.array([0.0, 1e-3, 0.05, 0.3])
    ours = weight_decay_shrinkage(schedule, steps, lr=0.05, weight_decay=decays, momentum=momentum)
    theirs = [_torch_decay_only(schedule, steps, 0.05, d, momentum) for d in decays]
    np.testing.assert_allclose(ours, theirs, rtol=1e-10)
    assert ours[0] == 1.0


def test_weight_decay_shrinkage_closed_forms():
    # no momentum, constant rate: (1 - lr lambda)^T
    assert weight_decay_shrinkage(constant(), 1000, lr=0.1, weight_decay=0.01) == pytest.approx(0.999**1000, rel=1e-12)
    # small lr lambda with momentum: close to exp(-lambda lr sum(f) / (1 - beta))
    value = weight_decay_shrinkage(constant(), 20000, lr=0.1, weight_decay=1e-5, momentum=0.9)
    assert value == pytest.approx(np.exp(-1e-5 * 0.1 * 20000 / 0.1), rel=1e-3)
    with pytest.raises(ValueError, match="momentum must be in"):
        weight_decay_shrinkage(constant(), 10, lr=0.1, weight_decay=0.1, momentum=1.0)
    with pytest.raises(ValueError, match="weight_decay must be finite and >= 0"):
        weight_decay_shrinkage(constant(), 10, lr=0.1, weight_decay=-1.0)
    with pytest.raises(ValueError, match=r"total_steps must be an integer in \[1, inf\)"):
        weight_decay_shrinkage(constant(), 0, lr=0.1, weight_decay=0.1)


def test_warmup_decays_is_chapter_6s_schedule():
    f, flat = warmup_decays(200), warmup_decays(200, decay=False)
    assert [f(0), f(49), f(99), f(100), f(150), f(199)] == pytest.approx([1 / 50, 1, 1, 0.1, 0.01, 0.01])
    assert [flat(0), flat(49), flat(150)] == pytest.approx([1 / 50, 1, 1])
    composed = linear_warmup(multistep(milestones_at(37)), 9)
    assert [warmup_decays(37)(s) for s in range(40)] == [composed(s) for s in range(40)]
    assert warmup_decays(3)(0) == 1.0                                   # under 4 steps: no warm-up
    with pytest.raises(ValueError, match=r"total_steps must be an integer in \[1, inf\); got 0"):
        warmup_decays(0)
