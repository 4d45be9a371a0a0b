"""The training loop of chapters 5 and later: K networks, online or multi-epoch, per-group evaluation.

:func:`train` wires together small parts, each in one place: the data stream and the stopping
rule in steps or epochs (:mod:`._data`), the optimisation step with its optimiser and schedule
(:mod:`._step`), the evaluation steps and per-group scores (:mod:`._evaluation`), and the
:class:`_Recorder` below that gathers the scores, the minibatch losses and the probes into a
:class:`History`.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from .._checks import choice, integer, real
from .._device import resolve_device
from .._memory import release_memory
from .._random import check_seed
from ..models import batched_outputs
from ._data import Stream, unpack
from ._evaluation import EvalSet, evaluation_steps, log_spaced_steps
from ._history import History, metric_key
from ._losses import LOSSES, check_labels, is_squared, per_sample_loss, predictions
from ._schedules import Schedule
from ._step import OPTIMIZERS, DivergenceError, Stepper, check_finite, make_optimizer

DIVERGENCE_RULES = ("raise", "record")

__all__ = ["DIVERGENCE_RULES", "LOSSES", "OPTIMIZERS", "DivergenceError", "Probe", "log_spaced_steps", "make_optimizer", "per_sample_loss",
           "predictions", "train"]

#: A probe: ``probe(model) -> array`` whose first axis is the network (shape (K, ...)).
Probe = Callable[[nn.Module], np.ndarray]


class _Single(nn.Module):
    """One ordinary network seen as a stack of K = 1: outputs (1, n, out)."""

    def __init__(self, module: nn.Module):
        super().__init__()
        self.module, self.n_models = module, 1

    def forward(self, x: torch.Tensor, shared: bool | None = None) -> torch.Tensor:
        return self.module(x if shared else x[0])[None]


def _stacked(model: nn.Module) -> nn.Module:
    return model if hasattr(model, "n_models") else _Single(model)


class _Recorder:
    """What is recorded at each evaluation step: the scores on the evaluation sets, the mean
    minibatch loss since the previous evaluation, and the probes' values."""

    def __init__(self, model: nn.Module, net: nn.Module, sets: list[EvalSet], loss: str, batch_size: int,
                 probes: Mapping[str, Probe], device, lr: float, stop_on_divergence: bool = True):
        self.model, self.net, self.sets, self.loss, self.batch_size = model, net, sets, loss, batch_size
        self.lr, self.stop_on_divergence = lr, stop_on_divergence
        self.probes = dict(probes)
        self.metrics: dict[str, list] = {"batch/loss": []}
        self.probe_values: dict[str, list] = {name: [] for name in self.probes}
        self.K = net.n_models
        self._batch_loss, self._batch_count = torch.zeros(self.K, dtype=torch.float64, device=device), 0

    def add_batch(self, losses: torch.Tensor) -> None:
        self._batch_loss += losses.double()
        self._batch_count += 1

    def check_finite(self, step: int) -> None:
        """Stop with :class:`DivergenceError` if a minibatch loss since the last check or a weight is not finite."""
        if self.stop_on_divergence:
            check_finite(self._batch_loss, self.lr, f"by step {step}", parameters=self.net.parameters())

    def record(self, step: int) -> None:
        self.check_finite(step)
        for s in self.sets:
            for key, value in s.score(self.net, self.loss, self.batch_size).items():
                self.metrics.setdefault(key, []).append(value)
        count = self._batch_count
        self.metrics["batch/loss"].append((self._batch_loss / count).cpu().numpy() if count else np.full(self.K, np.nan))
        self._batch_loss, self._batch_count = torch.zeros_like(self._batch_loss), 0
        for name, probe in self.probes.items():
            value = np.asarray(probe(self.model))
            if value.ndim == 0 or len(value) != self.K:
                raise ValueError(f"probe {name!r} must return an array with one row per network ({self.K}); "
                                 f"got shape {value.shape}")
            self.probe_values[name].append(value)
        release_memory()  # the evaluation's large temporaries: back to the system, not kept in the heap

    def last(self, key: str) -> float:
        return float(np.mean(self.metrics[key][-1]))

    def arrays(self) -> tuple[dict, dict]:
        return ({k: np.stack(v, axis=1) for k, v in self.metrics.items()},
                {k: np.stack(v, axis=1) for k, v in self.probe_values.items()})


def _total_steps(stream: Stream, steps: int | None, epochs: float | None, batch_size: int) -> int:
    """The stopping rule: ``steps`` online; ``steps`` or ``epochs`` (rounded up) on a fixed set."""
    if stream.online:
        if steps is None or epochs is not None:
            raise ValueError("online training needs steps (and no epochs)")
    else:
        if (steps is None) == (epochs is None):
            raise ValueError("give either steps or epochs for a fixed training set")
        if steps is None:
            epochs = real("epochs", epochs, 0, low_open=True)
            steps = int(np.ceil(epochs * stream.steps_per_epoch(batch_size)))
        elif stream.drop_last:
            stream.steps_per_epoch(batch_size)  # validates batch_size
    return integer("steps", steps, 1)


def _data_seeds(model: nn.Module, data_seeds, K: int) -> tuple[list[int], bool]:
    """The data seed of each network, or one shared seed (``shared``: every network sees the same batches)."""
    shared = isinstance(data_seeds, (int, np.integer))
    if data_seeds is None:
        if not hasattr(model, "seeds"):
            raise ValueError("data_seeds is required for a model without seeds (pass an int or one seed per network)")
        data_seeds = list(model.seeds)
    seeds = [check_seed(data_seeds, "data_seeds")] if shared else [check_seed(s, "data_seeds") for s in data_seeds]
    if not shared and len(seeds) != K:
        raise ValueError(f"data_seeds must have one seed per network ({K}); got {len(seeds)}")
    return seeds, shared


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
    probes: Mapping[str, Probe] | None = None,
    on_divergence: str = "raise",
) -> History:
    """Train K networks at once and record per-group metrics (chapter 5).

    Parameters
    ----------
    model : a stack of K networks (:class:`~biascourse.models.BatchedMLP`,
        :class:`~biascourse.models.ModelStack`) or one ordinary network (K = 1). It is trained in place.
    data : :class:`OnlineData` for online training (fresh samples, each used once), or a fixed
        training set (an object with ``x``, ``y`` attributes or a tuple ``(x, y)``) for multi-epoch
        training, reshuffled every epoch (:class:`TrainingSet` chooses another order, drops
        incomplete minibatches, or holds labels (K, n), one row per network).
    steps : number of optimisation steps (required online).
    epochs : number of passes over a fixed training set (instead of ``steps``).
    batch_size : samples per step (1 for the online SGD of the theory).
    loss : ``"mse"`` (½ squared error), ``"squared_error"`` (without the ½) or ``"cross_entropy"``
        (see :func:`per_sample_loss`). The stack minimises the sum over networks of each network's
        mean minibatch loss, so each network gets exactly the gradient of its own loss. With a
        squared loss and one output, labels that are not all integers are real-valued targets.
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
    device : where to train (default: where the model is): ``"cpu"``, ``"cuda"``, ``"cuda:N"``,
        ``"mps"``, ``"auto"`` or a ``torch.device`` (see :func:`biascourse.get_device`).
    eval_batch_size : samples per evaluation pass (default: about 2**17 / K).
    progress : show a tqdm progress bar.
    desc : label of the progress bar.
    probes : ``name -> probe(model)``, measurements called at every evaluation step (after the
        evaluation sets are scored) with the model as passed; each returns an array whose first
        axis is the network, shape (K, ...). They land in :attr:`History.probes` as (K, T, ...).
        Probes see the model in training mode; :func:`biascourse.models.output_batches` evaluates
        it in batches in eval mode.
    on_divergence : ``"raise"`` (the default): stop with :class:`DivergenceError` when a loss or a
        weight becomes NaN or infinite; ``"record"``: keep training and record the non-finite
        values, for an experiment whose outcome is which networks diverge (the caller counts them).

    Returns
    -------
    History
        Arrays (K, T) per metric and (K, T, ...) per probe, with the evaluation steps.

    Raises
    ------
    ValueError
        For an unknown loss or optimizer, a learning rate or optimiser setting out of range, a
        batch size that is not an integer >= 1, a training set that is empty, holds NaN or
        infinite inputs or targets or has inputs of another width than the model's
        ``in_features``, labels that do not fit the outputs, or a device name that is not one of
        those above (:class:`~biascourse.DeviceUnavailableError` for a device this machine lacks).
    DivergenceError
        (a ``FloatingPointError`` and a ``ValueError``) If a minibatch loss or a weight becomes NaN
        or infinite; checked at every evaluation step and at the end, the message names ``lr``
        (not with ``on_divergence="record"``).

    Notes
    -----
    Deterministic on a CPU for given seeds. Network k of a stack trained here follows the same
    trajectory, up to floating-point rounding, as the single network ``stack.model(k)`` at
    initialisation trained alone with ``data_seeds=[data_seeds[k]]``.
    """
    choice("loss", loss, LOSSES)
    choice("optimizer", optimizer, OPTIMIZERS)
    lr = real("lr", lr, 0, low_open=True)
    batch_size = integer("batch_size", batch_size, 1)
    net = _stacked(model)
    K = net.n_models
    first = next(net.parameters())
    device = resolve_device(device) if device is not None else first.device
    dtype = first.dtype
    net.to(device)

    seeds, shared = _data_seeds(model, data_seeds, K)
    stream = Stream(data, seeds, shared, device, dtype, real_targets=is_squared(loss))
    if stream.per_network_labels and stream.y.shape[0] != K:
        raise ValueError(f"per-network labels y must have shape (K, n) with K = {K} networks; got {tuple(stream.y.shape)}")
    steps = _total_steps(stream, steps, epochs, batch_size)

    out_features = _n_outputs(model, net, stream)
    sets = [EvalSet(name, d, device, dtype) for name, d in (eval_sets or {}).items()]
    for s in sets:
        check_labels(s.y, out_features, f"eval set {s.name!r}")
    at = evaluation_steps(steps, eval_every, eval_at)
    opt = make_optimizer(net.parameters(), optimizer, lr, momentum, weight_decay, nesterov, betas)
    step = Stepper(net, loss, opt, schedule, shared, augment, seeds, device)
    choice("on_divergence", on_divergence, DIVERGENCE_RULES)
    recorder = _Recorder(model, net, sets, loss, eval_batch_size or max(64, 2**17 // K), probes or {}, device, lr,
                         on_divergence == "raise")

    net.train()
    bar = tqdm(total=steps, disable=not progress, desc=desc, mininterval=0.5)
    if at[0] == 0:
        recorder.record(0)
    next_eval = 1 if at[0] == 0 else 0
    for t in range(1, steps + 1):
        x, y = stream.next(batch_size)
        if t == 1:
            check_labels(y, out_features, "training data")
        recorder.add_batch(step(x, y))
        bar.update(1)
        if next_eval < len(at) and t == at[next_eval]:
            recorder.record(t)
            next_eval += 1
            if sets:
                key = metric_key("loss", sets[0].name)
                bar.set_postfix({f"{sets[0].name} loss": f"{recorder.last(key):.4g}"})
    bar.close()
    recorder.check_finite(steps)
    metrics, probe_values = recorder.arrays()
    return History(at, metrics, tuple(getattr(model, "seeds", seeds if not shared else [seeds[0]] * K)),
                   batch_size, stream.n_train, probe_values)


def _n_outputs(model: nn.Module, net: nn.Module, stream: Stream) -> int:
    """The networks' number of outputs, from one sample (evaluated in eval mode: no batch-norm update).
    A model with ``in_features`` (an MLP or a stack of them) is first checked against the data's width."""
    x = unpack(stream.source.sampler(1, 0))[0] if stream.online else stream.x
    width, expected = int(np.prod(x.shape[1:])), getattr(model, "in_features", None)
    if expected is not None and width != expected:
        raise ValueError(f"data x must have {expected} features per sample (the model's in_features); "
                         f"got samples of shape {tuple(x.shape[1:])} ({width} features)")
    return batched_outputs(net, x[:1], 1).shape[-1]
