import numpy as np
import pytest
import torch
from torch import nn

from biascourse import models, tm
from biascourse.train import OnlineData, cosine, log_spaced_steps, make_optimizer, multistep, train

F64 = torch.float64


def _fixed_set(n=96, d=12, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d))
    y = rng.integers(0, classes, n)
    group = np.where(rng.random(n) < 0.6, 1, -1)
    return x, y, group


def _gaussian_sampler(d=10):
    def sampler(n, seed):
        rng = np.random.default_rng(seed)
        x = rng.standard_normal((n, d))
        y = np.where(x[:, 0] + 0.5 * x[:, 1] > 0, 1, -1)
        return x, y, np.where(x[:, 2] > 0, 1, -1)
    return sampler


def _close_histories(a, b, atol):
    assert a.keys() == b.keys()
    for key in a.keys():
        np.testing.assert_allclose(a[key], b[key], rtol=0, atol=atol, err_msg=key)


@pytest.mark.parametrize("optimizer, extra", [
    ("sgd", dict(momentum=0.9, weight_decay=1e-3, schedule=multistep([5], 0.5, warmup_steps=2))),
    ("adam", dict(weight_decay=1e-3, schedule=cosine(12, warmup_steps=2))),
])
def test_batched_trainer_equals_separate_runs_multi_epoch(optimizer, extra):
    x, y, group = _fixed_set()
    seeds = [5, 2, 9]
    kwargs = dict(epochs=1.5, batch_size=16, loss="cross_entropy", optimizer=optimizer, lr=0.05,
                  eval_sets={"test": (x[:40], y[:40], group[:40])}, eval_every=3, progress=False, **extra)
    batched = models.BatchedMLP(3, 12, [8, 6], 3, seeds=seeds, dtype=F64)
    hist = train(batched, (x, y), **kwargs)
    assert hist.steps[-1] == 9 and hist.n_train == 96
    for k, seed in enumerate(seeds):
        single = models.MLP(12, [8, 6], 3, seed=seed, dtype=F64)
        one = train(single, (x, y), data_seeds=[seed], **kwargs)
        for key in one.keys():
            np.testing.assert_allclose(hist[key][k], one[key][0], rtol=0, atol=1e-10, err_msg=key)
        for p, q in zip(batched.model(k).parameters(), single.parameters()):
            torch.testing.assert_close(p, q, rtol=0, atol=1e-10)


def test_batched_trainer_equals_separate_runs_online():
    data = OnlineData(_gaussian_sampler(), chunk=50)  # several chunks, with leftovers, are consumed
    test = _gaussian_sampler()(200, 999)
    seeds = [0, 1, 2, 3]
    kwargs = dict(steps=40, batch_size=3, loss="mse", lr=0.05, eval_sets={"test": test}, eval_every=10, progress=False)
    hist = train(models.BatchedMLP(4, 10, [16], 1, activation="tanh", seeds=seeds, dtype=F64), data, **kwargs)
    for k, seed in enumerate(seeds):
        one = train(models.MLP(10, [16], 1, activation="tanh", seed=seed, dtype=F64), data, data_seeds=[seed], **kwargs)
        for key in one.keys():
            np.testing.assert_allclose(hist[key][k], one[key][0], rtol=0, atol=1e-10, err_msg=key)


def test_model_stack_cnn_equals_separate_runs():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((40, 1, 28, 28)).astype(np.float32)
    y = np.where(rng.random(40) < 0.5, 1, -1)
    factory = lambda s: models.SmallCNN(channels=(4, 8), n_classes=1, seed=s)  # noqa: E731
    kwargs = dict(steps=6, batch_size=8, loss="mse", lr=0.02, momentum=0.9, eval_sets={"train": (x, y)},
                  eval_every=3, progress=False)
    hist = train(models.ModelStack(factory, seeds=[0, 1]), (x, y), **kwargs)
    one = train(factory(1), (x, y), data_seeds=[1], **kwargs)
    np.testing.assert_allclose(hist.get("loss", "train")[1], one.get("loss", "train")[0], rtol=1e-4, atol=1e-6)


def test_deterministic_and_shared_minibatches():
    x, y, group = _fixed_set()
    kwargs = dict(epochs=1, batch_size=10, loss="cross_entropy", lr=0.1, eval_sets={"test": (x, y, group)},
                  progress=False)
    a = train(models.BatchedMLP(2, 12, [8], 3, seeds=[0, 0]), (x, y), data_seeds=7, **kwargs)
    b = train(models.BatchedMLP(2, 12, [8], 3, seeds=[0, 0]), (x, y), data_seeds=7, **kwargs)
    _close_histories(a, b, atol=0)  # same seeds, same numbers
    np.testing.assert_array_equal(a.get("loss")[0], a.get("loss")[1])  # same init and same batches
    c = train(models.BatchedMLP(2, 12, [8], 3, seeds=[0, 0]), (x, y), data_seeds=[1, 2], **kwargs)
    assert not np.array_equal(c.get("loss")[0], c.get("loss")[1])  # different data orders


class _Echo(nn.Module):
    """Outputs its input: the evaluation sees hand-chosen outputs."""

    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.ones((), dtype=F64))

    def forward(self, x):
        return x * self.scale


def test_per_group_metrics_on_a_hand_made_case():
    out = np.array([[0.5], [-1.0], [2.0], [-0.2], [0.1], [0.0]])
    y = np.array([1, 1, -1, -1, 1, -1])
    group = np.array([1, 1, 1, -1, -1, -1])
    hist = train(_Echo(), (out, y), data_seeds=0, steps=1, lr=1e-9, eval_sets={"test": (out, y, group)},
                 eval_at=[0], progress=False)
    loss = 0.5 * (y - out[:, 0]) ** 2  # 0.125, 2, 4.5 | 0.32, 0.405, 0.5
    correct = np.array([1, 0, 0, 1, 1, 0])  # sign(0) counts as +1
    assert hist.get("loss")[0, 0] == pytest.approx(loss.mean())
    assert hist.get("loss", group="+")[0, 0] == pytest.approx((0.125 + 2 + 4.5) / 3)
    assert hist.get("loss", group="-")[0, 0] == pytest.approx((0.32 + 0.405 + 0.5) / 3)
    assert hist.get("accuracy", group="+")[0, 0] == pytest.approx(1 / 3)
    assert hist.get("accuracy", group="-")[0, 0] == pytest.approx(2 / 3)
    assert hist.get("accuracy", group="+", cls="+1")[0, 0] == pytest.approx(0.5)
    assert hist.get("accuracy", group="-", cls="-1")[0, 0] == pytest.approx(0.5)
    assert hist.get("loss", group="-", cls="+1")[0, 0] == pytest.approx(0.405)
    assert hist.get("accuracy", cls="-1")[0, 0] == pytest.approx(correct[y == -1].mean())
    assert hist.groups() == ["+", "-"]


def test_group_by_class_cells_skipped_when_groups_are_classes():
    x, y, _ = _fixed_set(classes=2)
    hist = train(models.MLP(12, [4], 2, seed=0), (x, y), data_seeds=0, steps=2, loss="cross_entropy",
                 eval_sets={"test": (x, y, y)}, progress=False)
    assert "test/accuracy/group=0" in hist.keys()
    assert not any("/group=" in k and "/class=" in k for k in hist.keys())


def test_linear_network_follows_the_teacher_mixture_theory():
    """A linear student trained online with lr eta/N is the SGD of the theory (https://biascourse.github.io/biascourse/book/derivations/tm_model.html#deriv-tm-protocol)."""
    params = tm.TMParams(rho=0.8, delta_plus=0.5, delta_minus=2.0, eta=0.5)
    N, K = 200, 8
    geometry = tm.sample(params, 1, N, seed=0).geometry
    test = tm.sample(params, 20000, N, seed=1, geometry=geometry)
    data = OnlineData(lambda n, seed: tm.sample(params, n, N, seed, geometry=geometry))
    net = models.BatchedMLP(K, N, [], 1, bias=False, init_std=0.0, seeds=range(K), dtype=F64)
    steps = 6 * N
    hist = train(net, data, steps=steps, lr=params.eta / N, eval_sets={"test": test},
                 eval_at=np.arange(0, steps + 1, N), progress=False)
    theory = tm.solve(params, hist.samples / N)
    # finite-size and test-set noise: RMS ~ 1/sqrt(N * seeds) (https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-verification), tolerance 4x that
    tol = 4 / np.sqrt(N * K)
    np.testing.assert_allclose(hist.get("loss", group="+").mean(0), theory.eps_plus, atol=tol)
    np.testing.assert_allclose(hist.get("loss", group="-").mean(0), theory.eps_minus, atol=tol)


def test_augment_gets_one_generator_per_network():
    x, y, _ = _fixed_set()
    calls = []

    def flip_sign(batch, generator):
        calls.append(torch.randint(0, 1000, (1,), generator=generator).item())
        return -batch

    kwargs = dict(steps=2, batch_size=8, loss="cross_entropy", progress=False, augment=flip_sign)
    train(models.BatchedMLP(2, 12, [4], 3, seeds=[0, 1]), (x, y), **kwargs)
    first = list(calls)
    calls.clear()
    train(models.BatchedMLP(2, 12, [4], 3, seeds=[0, 1]), (x, y), **kwargs)
    assert calls == first and first[0] != first[1]


def test_errors():
    x, y, _ = _fixed_set()
    net = models.BatchedMLP(2, 12, [4], 3, seeds=[0, 1])
    with pytest.raises(ValueError, match="loss must be one of"):
        train(net, (x, y), steps=1, loss="hinge")
    with pytest.raises(ValueError, match="either steps or epochs"):
        train(net, (x, y), steps=1, epochs=1, loss="cross_entropy")
    with pytest.raises(ValueError, match="online training needs steps"):
        train(net, OnlineData(_gaussian_sampler(12)), epochs=1)
    with pytest.raises(ValueError, match="one seed per network"):
        train(net, (x, y), steps=1, data_seeds=[0, 1, 2])
    with pytest.raises(ValueError, match="data_seeds is required"):
        train(models.MLP(12, [4], 3), (x, y), steps=1)
    with pytest.raises(ValueError, match=r"labels in \{-1, \+1\}"):
        train(models.MLP(12, [4], 1, seed=0), (x, y), steps=1, data_seeds=0, progress=False)
    with pytest.raises(ValueError, match="lr must be > 0"):
        train(net, (x, y), steps=1, lr=0)


def test_log_spaced_steps():
    steps = log_spaced_steps(1000, 20)
    assert steps[0] == 0 and steps[1] == 1 and steps[-1] == 1000 and np.all(np.diff(steps) > 0)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_training_on_gpu_matches_cpu():
    x, y, group = _fixed_set()
    kwargs = dict(epochs=1, batch_size=16, loss="cross_entropy", lr=0.05, eval_sets={"test": (x, y, group)},
                  progress=False)
    cpu = train(models.BatchedMLP(3, 12, [8], 3, seeds=[0, 1, 2], dtype=F64), (x, y), **kwargs)
    gpu = train(models.BatchedMLP(3, 12, [8], 3, seeds=[0, 1, 2], dtype=F64), (x, y), device="cuda", **kwargs)
    _close_histories(cpu, gpu, atol=1e-8)


def test_gap_crossings_ignore_noise_near_zero():
    from biascourse.train import gap_crossings

    t = np.arange(8.0)
    gap = np.array([0.0, 0.001, -0.001, -0.5, -0.2, 0.2, 0.4, -0.4])
    np.testing.assert_allclose(gap_crossings(t, gap, tol=0.01), [4.5, 6.5])
    assert gap_crossings(t, np.abs(gap) + 0.1).size == 0
    with pytest.raises(ValueError, match="same length"):
        gap_crossings(t, gap[:3])


def test_train_teacher_mixture_linear_network_starts_at_the_theory():
    from biascourse.train import train_teacher_mixture

    params = tm.EXAMPLES["centred_crossing"].params
    hist = train_teacher_mixture(params, [], N=50, n_seeds=2, t_max=2, batch_size=1, n_test=500, n_evals=5,
                                 progress=False)
    np.testing.assert_allclose(hist.get("loss", group="+")[:, 0], 0.5)  # W_0 = 0: epsilon = 1/2
    assert hist.steps[-1] == 100 and hist.get("accuracy", group="-").shape == (2, len(hist.steps))
    with pytest.raises(ValueError, match="give lr"):
        train_teacher_mixture(params, [8], optimizer="adam", progress=False)


def test_make_optimizer_builds_each_optimizer_and_names_the_allowed_ones():
    params = [nn.Parameter(torch.zeros(3))]
    sgd = make_optimizer(params, "sgd", 0.1, momentum=0.9, nesterov=True)
    assert isinstance(sgd, torch.optim.SGD) and sgd.defaults["nesterov"] and sgd.defaults["momentum"] == 0.9
    adam = make_optimizer(params, "adam", 1e-3, betas=(0.8, 0.99))
    assert isinstance(adam, torch.optim.Adam) and adam.defaults["betas"] == (0.8, 0.99)
    assert isinstance(make_optimizer(params, "adamw", 1e-3, weight_decay=0.1), torch.optim.AdamW)
    with pytest.raises(ValueError, match=r"optimizer must be one of \('sgd', 'adam', 'adamw'\); got 'rmsprop'"):
        make_optimizer(params, "rmsprop", 0.1)
