"""The training loop of chapters 5 and later: K networks, online or multi-epoch, per-group evaluation."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from .._memory import release_memory
from .._random import check_seed
from ._data import Stream, as_tensor, derived_seed, labels_tensor, unpack
from ._history import History, class_name, group_name, metric_key
from ._schedules import Schedule

LOSSES = ("mse", "cross_entropy")
OPTIMIZERS = ("sgd", "adam", "adamw")


class _Single(nn.Module):
    """One ordinary network seen as a stack of K = 1: outputs (1, n, out)."""

    def __init__(self, module: nn.Module):
        super().__init__()
        self.module, self.n_models = module, 1

    def forward(self, x: torch.Tensor, shared: bool | None = None) -> torch.Tensor:
        return self.module(x if shared else x[0])[None]


def _stacked(model: nn.Module) -> nn.Module:
    return model if hasattr(model, "n_models") else _Single(model)


def per_sample_loss(out: torch.Tensor, y: torch.Tensor, loss: str) -> torch.Tensor:
    """Loss of each sample, shape (K, n), from outputs (K, n, C) and labels (n,) or (K, n).

    ``"mse"``: ``0.5 (y - out)^2`` for one output and ±1 labels (the loss of the theory, https://biascourse.github.io/biascourse/book/derivations/tm_model.html#deriv-tm-protocol), or
    ``0.5 |onehot(y) - out|^2`` for C outputs. ``"cross_entropy"``: softmax cross-entropy for C
    outputs, or the logistic loss ``log(1 + exp(-y out))`` for one output and ±1 labels.
    """
    y = y.expand(out.shape[:2])
    if out.shape[-1] == 1:
        target = y.to(out.dtype)
        if loss == "mse":
            return 0.5 * (target - out[..., 0]) ** 2
        return nn.functional.softplus(-target * out[..., 0])
    if loss == "mse":
        onehot = nn.functional.one_hot(y, out.shape[-1]).to(out.dtype)
        return 0.5 * ((onehot - out) ** 2).sum(-1)
    return nn.functional.cross_entropy(out.reshape(-1, out.shape[-1]), y.reshape(-1), reduction="none").view(y.shape)


def predictions(out: torch.Tensor) -> torch.Tensor:
    """Predicted labels (K, n): the sign (±1) for one output, the arg-max for several."""
    if out.shape[-1] == 1:
        return torch.where(out[..., 0] >= 0, 1, -1)
    return out.argmax(-1)


def _check_labels(y: torch.Tensor, n_out: int, name: str) -> None:
    values = torch.unique(y)
    if n_out == 1 and not bool(torch.isin(values, torch.tensor([-1, 1], device=y.device)).all()):
        raise ValueError(f"{name}: a network with one output needs labels in {{-1, +1}}; got {values.tolist()[:10]}")
    if n_out > 1 and (values.min() < 0 or values.max() >= n_out):
        raise ValueError(f"{name}: labels must be class indices in [0, {n_out}); got {values.tolist()[:10]}")


class _EvalSet:
    def __init__(self, name: str, data, device, dtype):
        x, y, group = unpack(data)
        self.name, self.x, self.y = name, as_tensor(x, device, dtype), labels_tensor(y, device)
        classes = torch.unique(self.y)
        signed = bool(torch.isin(classes, torch.tensor([-1, 1], device=device)).all())
        self.masks = {metric_key("{m}", name): None}
        self.masks.update({metric_key("{m}", name, cls=class_name(c, signed)): self.y == c for c in classes})
        if group is not None:
            group = labels_tensor(group, device)
            if len(group) != len(self.y):
                raise ValueError(f"eval set {name!r}: group has {len(group)} entries for {len(self.y)} samples")
            groups = torch.unique(group)
            cells = {}
            for g in groups:
                in_g = group == g
                self.masks[metric_key("{m}", name, group=group_name(g))] = in_g
                for c in classes:
                    cells[metric_key("{m}", name, group=group_name(g), cls=class_name(c, signed))] = in_g & (self.y == c)
            # per group x class only where groups and classes differ (a group holding a single class adds nothing)
            if not all(int(torch.unique(self.y[group == g]).numel()) == 1 for g in groups):
                self.masks.update({k: m for k, m in cells.items() if bool(m.any())})
        self.weights = torch.stack([torch.ones_like(self.y, dtype=torch.float64) if m is None else m.double()
                                    for m in self.masks.values()], dim=1)  # (n, M)
        self.counts = self.weights.sum(0)


@torch.no_grad()
def _evaluate(model: nn.Module, sets: list[_EvalSet], loss: str, batch: int) -> dict:
    was_training = model.training
    model.eval()
    results = {}
    for s in sets:
        loss_sum, correct_sum = 0.0, 0.0
        for start in range(0, len(s.y), batch):
            out = model(s.x[start:start + batch], shared=True)
            y = s.y[start:start + batch]
            w = s.weights[start:start + batch]
            loss_sum = loss_sum + per_sample_loss(out, y, loss).double() @ w
            correct_sum = correct_sum + (predictions(out) == y).double() @ w
        for j, key in enumerate(s.masks):
            results[key.format(m="loss")] = (loss_sum[:, j] / s.counts[j]).cpu().numpy()
            results[key.format(m="accuracy")] = (correct_sum[:, j] / s.counts[j]).cpu().numpy()
    model.train(was_training)
    return results


def _evaluation_steps(steps: int, eval_every: int | None, eval_at: Sequence[int] | None) -> np.ndarray:
    if eval_at is not None:
        at = np.unique(np.asarray(eval_at, dtype=np.int64))
        if at.size == 0 or at[0] < 0 or at[-1] > steps:
            raise ValueError(f"eval_at must hold steps in [0, {steps}]; got {list(eval_at)[:5]}...")
        return at
    every = eval_every or max(1, steps // 25)
    return np.unique(np.append(np.arange(0, steps + 1, every), steps))


def log_spaced_steps(steps: int, n: int = 40) -> np.ndarray:
    """About n evaluation steps spaced evenly in log time between 1 and ``steps``, plus step 0."""
    return np.unique(np.concatenate([[0], np.round(np.geomspace(1, steps, n)).astype(np.int64)]))


def make_optimizer(params, name: str, lr: float, momentum: float = 0.0, weight_decay: float = 0.0,
                   nesterov: bool = False, betas: tuple[float, float] = (0.9, 0.999)) -> torch.optim.Optimizer:
    """The torch optimizer ``name`` (one of :data:`OPTIMIZERS`) over ``params``.

    ``"sgd"`` takes ``momentum`` and ``nesterov``; ``"adam"`` and ``"adamw"`` take ``betas``
    (``weight_decay`` is L2 for SGD and Adam, decoupled for AdamW).
    """
    if name not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {OPTIMIZERS}; got {name!r}")
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay, nesterov=nesterov)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, betas=betas, weight_decay=weight_decay)
    return torch.optim.AdamW(params, lr=lr, betas=betas, weight_decay=weight_decay)


def train(
    model: nn.Module,
    data,
    *,
    steps: int | None = None,
    epochs: float | None = None,
    batch_size: int = 1,
    loss: str = "mse",
    optimizer: str = "sgd",
    lr: float = 0.01,
    momentum: float = 0.0,
    nesterov: bool = False,
    weight_decay: float = 0.0,
    betas: tuple[float, float] = (0.9, 0.999),
    schedule: Schedule | None = None,
    eval_sets: Mapping[str, object] | None = None,
    eval_every: int | None = None,
    eval_at: Sequence[int] | None = None,
    data_seeds: int | Sequence[int] | None = None,
    augment: Callable[[torch.Tensor, torch.Generator], torch.Tensor] | None = None,
    device: str | torch.device | None = None,
    eval_batch_size: int | None = None,
    progress: bool = True,
    desc: str | None = None,
) -> History:
    """Train K networks at once and record per-group metrics (chapter 5).

    Parameters
    ----------
    model : a stack of K networks (:class:`~biascourse.models.BatchedMLP`,
        :class:`~biascourse.models.ModelStack`) or one ordinary network (K = 1). It is trained in place.
    data : :class:`OnlineData` for online training (fresh samples, each used once), or a fixed
        training set (an object with ``x``, ``y`` attributes or a tuple ``(x, y)``) for multi-epoch
        training, reshuffled every epoch.
    steps : number of optimisation steps (required online).
    epochs : number of passes over a fixed training set (instead of ``steps``).
    batch_size : samples per step (1 for the online SGD of the theory).
    loss : ``"mse"`` or ``"cross_entropy"`` (see :func:`per_sample_loss`). The stack minimises the
        sum over networks of each network's mean minibatch loss, so each network gets exactly the
        gradient of its own loss.
    optimizer : ``"sgd"`` (with ``momentum``, ``nesterov``), ``"adam"`` or ``"adamw"``.
    lr, weight_decay, betas : optimiser settings.
    schedule : ``step -> factor`` multiplying ``lr`` (see :func:`multistep`, :func:`cosine`).
    eval_sets : ``name -> data`` with ``x``, ``y`` and optionally ``group`` (the same samples for
        every network). Loss and accuracy are recorded overall, per class, per group and per
        group x class.
    eval_every, eval_at : evaluate every ``eval_every`` steps (default: about 25 evaluations), or
        exactly at the steps in ``eval_at`` (e.g. :func:`log_spaced_steps`). Step 0 is the
        initial network.
    data_seeds : one seed per network (each sees its own data stream or epoch order; the default
        is the stack's ``seeds``), or a single int: every network sees the same minibatches.
    augment : optional ``augment(x, generator) -> x`` applied to each network's training
        minibatch, with a per-network generator derived from its data seed.
    device : where to train (default: where the model is).
    eval_batch_size : samples per evaluation pass (default: about 2**17 / K).
    progress : show a tqdm progress bar.
    desc : label of the progress bar.

    Returns
    -------
    History
        Arrays (K, T) per metric, with the evaluation steps.

    Notes
    -----
    Deterministic on a CPU for given seeds. Network k of a stack trained here follows the same
    trajectory, up to floating-point rounding, as the single network ``stack.model(k)`` at
    initialisation trained alone with ``data_seeds=[data_seeds[k]]``.
    """
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {LOSSES}; got {loss!r}")
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {OPTIMIZERS}; got {optimizer!r}")
    if not lr > 0:
        raise ValueError(f"lr must be > 0; got {lr}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1; got {batch_size}")
    net = _stacked(model)
    K = net.n_models
    first = next(net.parameters())
    device = torch.device(device) if device is not None else first.device
    dtype = first.dtype
    net.to(device)

    shared = isinstance(data_seeds, (int, np.integer))
    if data_seeds is None:
        if not hasattr(model, "seeds"):
            raise ValueError("data_seeds is required for a model without seeds (pass an int or one seed per network)")
        data_seeds = list(model.seeds)
    seeds = [check_seed(data_seeds, "data_seeds")] if shared else [check_seed(s, "data_seeds") for s in data_seeds]
    if not shared and len(seeds) != K:
        raise ValueError(f"data_seeds must have one seed per network ({K}); got {len(seeds)}")
    stream = Stream(data, seeds, shared, device, dtype)
    if stream.online:
        if steps is None or epochs is not None:
            raise ValueError("online training needs steps (and no epochs)")
    else:
        if (steps is None) == (epochs is None):
            raise ValueError("give either steps or epochs for a fixed training set")
        if steps is None:
            steps = int(np.ceil(epochs * stream.steps_per_epoch(batch_size)))
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"steps must be an integer >= 1; got {steps!r}")

    out_features = _n_outputs(net, stream, device, dtype)
    sets = [_EvalSet(name, d, device, dtype) for name, d in (eval_sets or {}).items()]
    for s in sets:
        _check_labels(s.y, out_features, f"eval set {s.name!r}")
    at = _evaluation_steps(steps, eval_every, eval_at)
    eval_batch = eval_batch_size or max(64, 2**17 // K)
    opt = make_optimizer(net.parameters(), optimizer, lr, momentum, weight_decay, nesterov, betas)
    scheduler = torch.optim.lr_scheduler.LambdaLR(opt, schedule) if schedule is not None else None
    generators = [torch.Generator(device=device).manual_seed(derived_seed(s, 2**31)) for s in seeds] if augment else None

    records: dict[str, list] = {"batch/loss": []}
    batch_loss, batch_count = torch.zeros(K, dtype=torch.float64, device=device), 0

    def record() -> None:
        nonlocal batch_loss, batch_count
        for key, value in _evaluate(net, sets, loss, eval_batch).items():
            records.setdefault(key, []).append(value)
        records["batch/loss"].append((batch_loss / batch_count).cpu().numpy() if batch_count else np.full(K, np.nan))
        batch_loss, batch_count = torch.zeros_like(batch_loss), 0
        release_memory()  # the evaluation's large temporaries: back to the system, not kept in the heap

    net.train()
    checked = False
    bar = tqdm(total=steps, disable=not progress, desc=desc, mininterval=0.5)
    if at[0] == 0:
        record()
    next_eval = 1 if at[0] == 0 else 0
    for step in range(1, steps + 1):
        x, y = stream.next(batch_size)
        if not checked:
            _check_labels(y, out_features, "training data")
            checked = True
        if augment is not None:
            x = augment(x, generators[0]) if shared else torch.stack([augment(x[k], generators[k]) for k in range(K)])
        losses = per_sample_loss(net(x, shared=shared), y, loss).mean(dim=1)  # (K,)
        opt.zero_grad(set_to_none=False)  # keep the gradient tensors: reallocating them each step is slow
        losses.sum().backward()
        opt.step()
        if scheduler is not None:
            scheduler.step()
        batch_loss += losses.detach().double()
        batch_count += 1
        bar.update(1)
        if next_eval < len(at) and step == at[next_eval]:
            record()
            next_eval += 1
            if sets:
                bar.set_postfix({f"{sets[0].name} loss": f"{np.mean(records[metric_key('loss', sets[0].name)][-1]):.4g}"})
    bar.close()
    metrics = {k: np.stack(v, axis=1) for k, v in records.items()}
    return History(at, metrics, tuple(getattr(model, "seeds", seeds if not shared else [seeds[0]] * K)),
                   batch_size, stream.n_train)


@torch.no_grad()
def _n_outputs(net: nn.Module, stream: Stream, device, dtype) -> int:
    """The networks' number of outputs, from one probe sample (in eval mode: no batch-norm update)."""
    if stream.online:
        x = as_tensor(unpack(stream.source.sampler(1, 0))[0], device, dtype)[:1]
    else:
        x = stream.x[:1]
    was_training = net.training
    net.eval()
    n_out = net(x, shared=True).shape[-1]
    net.train(was_training)
    return n_out
