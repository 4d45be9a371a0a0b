import numpy as np
import pytest
import torch
from torch import nn

from biascourse import models, tm
from biascourse.train import DivergenceError, OnlineData, cosine, log_spaced_steps, make_optimizer, multistep, train

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
    with pytest.raises(ValueError, match=r"lr must be in \(0, inf\); got 0"):
        train(net, (x, y), steps=1, lr=0)
    with pytest.raises(ValueError, match=r"lr must be a finite number in \(0, inf\); got inf"):
        train(net, (x, y), steps=1, lr=float("inf"))
    with pytest.raises(ValueError, match="device must be 'auto', 'cpu', 'cuda', 'cuda:N' or 'mps'; got 'tpu'"):
        train(net, (x, y), steps=1, device="tpu")
    with pytest.raises(ValueError, match="data must hold at least one training sample"):
        train(net, (x[:0], y[:0]), steps=1, loss="cross_entropy")
    with pytest.raises(ValueError, match="data x must hold finite numbers"):
        train(net, (np.where(np.arange(len(x))[:, None] == 3, np.nan, x), y), steps=1, loss="cross_entropy")
    with pytest.raises(ValueError, match=r"data x must have 12 features per sample \(the model's in_features\); "
                                         r"got samples of shape \(5,\)"):
        train(net, (x[:, :5], y), steps=1, loss="cross_entropy")


def test_divergence_stops_with_an_error_naming_the_learning_rate():
    x, y, _ = _fixed_set()
    net = models.BatchedMLP(2, 12, [8], 1, seeds=[0, 1], dtype=F64)
    targets = np.asarray(y, dtype=float) + 0.5
    with pytest.raises(DivergenceError, match=r"training diverged by step \d+ .* learning rate lr=1000"):
        train(net, (x, targets), steps=40, lr=1e3, progress=False)
    assert issubclass(DivergenceError, FloatingPointError) and issubclass(DivergenceError, ValueError)
    # an experiment that measures divergence records it instead
    hist = train(net, (x, targets), steps=40, lr=1e3, progress=False, on_divergence="record")
    assert not np.isfinite(hist["test/loss"] if "test/loss" in hist.metrics else hist["batch/loss"]).all()
    with pytest.raises(ValueError, match="on_divergence must be one of 'raise', 'record'"):
        train(net, (x, targets), steps=1, progress=False, on_divergence="ignore")


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
    with pytest.raises(ValueError, match=r"optimizer must be one of 'sgd', 'adam', 'adamw'; got 'rmsprop'"):
        make_optimizer(params, "rmsprop", 0.1)
    with pytest.raises(ValueError, match=r"lr must be a finite number in \(0, inf\); got nan"):
        make_optimizer(params, "sgd", float("nan"))


def test_probes_are_called_at_the_evaluation_steps_with_the_model():
    x, y, group = _fixed_set()
    net = models.BatchedMLP(2, 12, [8], 3, seeds=[0, 1], dtype=F64)
    calls = []

    def weights_norm(model):
        calls.append(model)
        return model.weights[0].detach().flatten(1).norm(dim=1).numpy()

    def outputs(model):
        return models.batched_outputs(model, x[:5], 2).numpy()

    hist = train(net, (x, y), steps=6, batch_size=16, loss="cross_entropy", lr=0.1, eval_at=[0, 2, 6],
                 eval_sets={"test": (x, y, group)}, probes={"norm": weights_norm, "outputs": outputs}, progress=False)
    assert all(m is net for m in calls) and len(calls) == 3
    assert hist.probes["norm"].shape == (2, 3) and hist.probes["outputs"].shape == (2, 3, 5, 3)
    np.testing.assert_allclose(hist.probes["outputs"][:, -1], net(torch.as_tensor(x[:5])).detach().numpy())
    np.testing.assert_allclose(hist.probes["norm"][:, -1], net.weights[0].detach().flatten(1).norm(dim=1).numpy())
    assert hist.probes["norm"][0, 0] != hist.probes["norm"][0, -1]  # the weights moved
    with pytest.raises(ValueError, match=r"probe 'bad' must return an array with one row per network \(2\)"):
        train(net, (x, y), steps=2, batch_size=16, loss="cross_entropy", lr=0.1, probes={"bad": lambda m: 1.0},
              progress=False)


def test_per_network_real_targets_train_each_network_on_its_own_row():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((40, 4))
    targets = np.stack([np.sin(x[:, 0]), x[:, 1] ** 2 - 0.5])  # (K, n), not integers: regression targets
    kwargs = dict(steps=9, batch_size=8, loss="squared_error", lr=0.05, momentum=0.5, eval_at=[0, 9],
                  progress=False, probes={"out": lambda m: m(torch.as_tensor(x))[..., 0].detach().numpy()})
    pair = train(models.BatchedMLP(2, 4, [6], 1, seeds=[5, 6], dtype=F64), (x, targets), data_seeds=2, **kwargs)
    for k, seed in enumerate((5, 6)):
        alone = train(models.BatchedMLP(1, 4, [6], 1, seeds=[seed], dtype=F64), (x, targets[k]), data_seeds=2, **kwargs)
        np.testing.assert_allclose(pair.probes["out"][k], alone.probes["out"][0], rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(pair["batch/loss"][k], alone["batch/loss"][0], rtol=1e-12)
    with pytest.raises(ValueError, match=r"per-network labels y must have shape \(K, n\) with K = 2"):
        train(models.BatchedMLP(2, 4, [6], 1), (x, targets[:1].repeat(3, 0)), data_seeds=2, steps=1, progress=False)
    with pytest.raises(ValueError, match="labels must be integers"):  # real targets only with a squared loss
        train(models.BatchedMLP(2, 4, [6], 1), (x, targets[0]), data_seeds=2, steps=1, loss="cross_entropy",
              progress=False)


def test_squared_error_is_twice_the_halved_mse():
    x, y, _ = _fixed_set(classes=2)
    y = 2 * y - 1
    kwargs = dict(steps=8, batch_size=16, eval_at=[0, 4, 8], eval_sets={"test": (x, y)}, progress=False)
    halved = train(models.BatchedMLP(2, 12, [8], 1, seeds=[0, 1], dtype=F64), (x, y), loss="mse", lr=0.02, **kwargs)
    full = train(models.BatchedMLP(2, 12, [8], 1, seeds=[0, 1], dtype=F64), (x, y), loss="squared_error", lr=0.01,
                 **kwargs)
    # plain SGD: twice the loss at half the step is the same trajectory; the recorded losses differ by the factor 2
    np.testing.assert_allclose(full["test/loss"], 2 * halved["test/loss"], rtol=1e-12)
    np.testing.assert_allclose(full["test/accuracy"], halved["test/accuracy"])


def test_training_set_orders_and_dropped_minibatches():
    from biascourse.train import TrainingSet

    x = np.arange(10.0)[:, None]
    y = np.ones(10, dtype=int)
    seen = []

    class Recorder(nn.Module):  # a one-parameter network that remembers the inputs of its training steps
        def __init__(self):
            super().__init__()
            self.w, self.n_models, self.seeds = nn.Parameter(torch.zeros(1, 1, 1, dtype=F64)), 1, (0,)

        def forward(self, x, shared=None):
            if self.training:
                seen.append(x[:, 0].tolist())
            return x[None] * self.w

    def batches(data, **kwargs):
        seen.clear()
        train(Recorder(), data, batch_size=4, lr=0.1, data_seeds=7, eval_at=[0], progress=False, **kwargs)
        return [b for b in seen if len(b) > 1]

    assert batches(TrainingSet(x, y, order="fixed"), epochs=2) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]] * 2
    assert batches(TrainingSet(x, y, order="fixed", drop_last=True), epochs=2) == [[0, 1, 2, 3], [4, 5, 6, 7]] * 2
    gen = torch.Generator().manual_seed(7)  # "continued": successive permutations of one stream seeded with the seed
    expected = []
    for _ in range(2):
        order = torch.randperm(10, generator=gen).tolist()
        expected += [order[:4], order[4:8]]
    assert batches(TrainingSet(x, y, order="continued", drop_last=True), steps=4) == [[float(i) for i in b] for b in expected]
    with pytest.raises(ValueError, match="order must be one of"):
        TrainingSet(x, y, order="sorted")
    with pytest.raises(ValueError, match=r"batch_size must be in \[1, n=10\] with drop_last; got 11"):
        train(Recorder(), TrainingSet(x, y, drop_last=True), batch_size=11, epochs=1, data_seeds=0, progress=False)
