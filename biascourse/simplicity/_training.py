"""Training K networks while recording arbitrary measurements ("probes") of them.

The simplicity biases of chapter 8 are read off *functions* of the network during training: its
output on a 1-D grid (spectral bias), its output along interpolation paths, its accuracy on clone
data sets. :func:`train_with_probes` trains a stack of K networks
(:class:`biascourse.models.BatchedMLP`) and calls each probe at the logged steps; probes return one
value (or array) per network. :func:`fit_spectral` is the 1-D regression experiment of
https://biascourse.github.io/biascourse/book/derivations/simplicity_biases.html#deriv-simp-spectral
built on it: each network fits its own target (its own phase draw).

:func:`train_with_probes` is a thin wrapper over :func:`biascourse.train.train` (its ``probes``,
per-network targets and the un-halved squared error); it keeps the chapter's conventions: the MSE
without the ½, shared minibatches from one random stream, full batch by default.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from .._checks import integer
from .._device import resolve_device
from .._random import check_seed
from ..models import BatchedMLP, output_batches
from ..train import Probe, TrainingSet, per_sample_loss, train
from ._pc import _record_steps
from ._spectral import SpectralTarget, learning_times, normalised_amplitudes

#: The losses of :func:`train_with_probes` and the loss of :func:`biascourse.train.train` each one is.
_LOSSES = {"mse": "squared_error", "cross_entropy": "cross_entropy"}


@dataclass(frozen=True)
class ProbeHistory:
    """The probes' values at the logged steps.

    Attributes
    ----------
    steps : the logged steps, shape (T,); step 0 is the initial network.
    values : ``name -> array (K, T, ...)``: row k is network k.
    """

    steps: np.ndarray
    values: dict = field(repr=False)

    def __getitem__(self, name: str) -> np.ndarray:
        return self.values[name]


def train_with_probes(
    model: nn.Module,
    x: np.ndarray | torch.Tensor,
    y: np.ndarray | torch.Tensor,
    *,
    loss: str,
    steps: int,
    record_at: Sequence[int],
    probes: Mapping[str, Probe],
    optimizer: str = "adam",
    lr: float = 1e-3,
    momentum: float = 0.0,
    weight_decay: float = 0.0,
    batch_size: int | None = None,
    seed: int = 0,
) -> ProbeHistory:
    """Train K stacked networks and record probes at chosen steps, with :func:`biascourse.train.train`.

    Parameters
    ----------
    model : a stack of K networks mapping shared inputs (n, d) to outputs (K, n, C), such as
        :class:`biascourse.models.BatchedMLP`; trained in place.
    x : training inputs (n, d).
    y : for ``"cross_entropy"``, integer labels (n,); for ``"mse"`` (one output), real targets,
        (n,) shared or (K, n) one row per network.
    loss : ``"mse"`` (mean squared error :math:`\\frac1n\\sum_i(f(x_i)-y_i)^2`, without the 1/2 of
        :func:`biascourse.train.per_sample_loss`: the loss ``"squared_error"`` of
        :func:`~biascourse.train.train`) or ``"cross_entropy"``. The summed loss of the K
        networks gives each network the gradient of its own loss; the optimisers act element-wise,
        so this is K independent trainings.
    steps : number of optimisation steps.
    record_at : strictly increasing steps in [0, steps] at which every probe is called.
    probes : ``name -> probe(model)``, each returning an array whose first axis is the network.
    optimizer : ``"sgd"`` (with ``momentum``), ``"adam"`` or ``"adamw"``.
    lr, momentum, weight_decay : optimiser settings.
    batch_size : minibatch size; ``None`` is full batch (the samples in their order). The K
        networks share the minibatches, drawn without replacement from one random stream seeded
        with ``seed`` that is reshuffled every epoch; an incomplete last minibatch is skipped
        (:class:`~biascourse.train.TrainingSet` with ``order="continued"``, ``drop_last=True``).
    seed : seed of the minibatch order.

    Returns
    -------
    ProbeHistory
    """
    if loss not in _LOSSES:
        raise ValueError(f"loss must be one of {_LOSSES}; got {loss!r}")
    at = _record_steps(record_at, last=integer("steps", steps, 1))
    x = x if isinstance(x, torch.Tensor) else np.asarray(x)
    y = torch.as_tensor(y if isinstance(y, torch.Tensor) else np.asarray(y))
    n, n_models = len(x), getattr(model, "n_models", 1)
    if y.shape[-1] != n or y.ndim > 2 or (y.ndim == 2 and (loss == "cross_entropy" or len(y) != n_models)):
        raise ValueError(
            f"y must have shape (n,) (or (K, n) with K = {n_models} networks for mse) with n = {n}; "
            f"got {tuple(y.shape)}"
        )
    y = y.long() if loss == "cross_entropy" else y.to(next(model.parameters()).dtype)
    batch = n if batch_size is None else integer("batch_size", batch_size, 1, n)
    data = TrainingSet(x, y, order="continued" if batch < n else "fixed", drop_last=True)
    history = train(model, data, steps=int(steps), batch_size=batch, loss=_LOSSES[loss], optimizer=optimizer, lr=lr,
                    momentum=momentum, weight_decay=weight_decay, eval_at=at, data_seeds=check_seed(seed),
                    probes=probes, progress=False)
    return ProbeHistory(history.steps, history.probes)


def accuracy_probe(x: np.ndarray, y: np.ndarray, batch: int = 8192) -> Probe:
    """Probe: the accuracy of each network on (x, y), shape (K,). With ``y`` constant (class B)
    it is the fraction of inputs predicted as B."""
    return _evaluation_probe(x, y, batch, "accuracy")


def loss_probe(x: np.ndarray, y: np.ndarray, batch: int = 8192) -> Probe:
    """Probe: the mean cross-entropy of each network on (x, y), shape (K,)."""
    return _evaluation_probe(x, y, batch, "loss")


def _evaluation_probe(x, y, batch: int, kind: str) -> Probe:
    x, y = np.asarray(x), np.asarray(y)

    def probe(model: nn.Module) -> np.ndarray:
        total = 0.0
        for start, out in output_batches(model, x, batch):
            yb = torch.as_tensor(y[start : start + batch], device=out.device).long().expand(out.shape[:2])
            if kind == "accuracy":
                total = total + (out.argmax(-1) == yb).double().sum(-1)
            else:
                total = total + per_sample_loss(out, yb, "cross_entropy").double().sum(-1)
        return (total / len(x)).cpu().numpy()

    return probe


@dataclass(frozen=True)
class SpectralHistory:
    """Outputs of K networks on the 1-D grid during training (https://biascourse.github.io/biascourse/book/derivations/simplicity_biases.html#deriv-simp-spectral).

    Attributes
    ----------
    steps : the logged steps, shape (T,).
    outputs : :math:`f_\\theta(z_j)` of network k at step t, shape (K, T, N).
    targets : the target of each network.
    """

    steps: np.ndarray
    outputs: np.ndarray = field(repr=False)
    targets: tuple[SpectralTarget, ...]

    @property
    def amplitudes(self) -> np.ndarray:
        """Normalised amplitudes :math:`2F_{k_i}/A_i` of each network for its own target, shape (K, T, n_freq)."""
        return np.stack([normalised_amplitudes(out, tgt) for out, tgt in zip(self.outputs, self.targets)])

    def learning_times(self, threshold: float = 0.9) -> np.ndarray:
        """First logged step at which each frequency reaches ``threshold``, shape (K, n_freq) (nan: never)."""
        return learning_times(self.steps, self.amplitudes, threshold)


def fit_spectral(
    targets: Sequence[SpectralTarget],
    hidden: Sequence[int],
    *,
    steps: int,
    record_at: Sequence[int],
    activation: str = "relu",
    optimizer: str = "adam",
    lr: float = 3e-4,
    momentum: float = 0.0,
    weight_decay: float = 0.0,
    init_std: float | None = None,
    seeds: Sequence[int] | None = None,
    device: str | torch.device | None = None,
) -> SpectralHistory:
    """Fit one MLP to each 1-D target by full-batch training on its grid (https://biascourse.github.io/biascourse/book/derivations/simplicity_biases.html#deriv-simp-spectral).

    The networks map :math:`z\\in[0,1)` to one output and minimise the mean squared error on the
    N grid points.

    Parameters
    ----------
    targets : K targets on a common grid (e.g. K phase draws of :meth:`SpectralTarget.sample`).
    hidden : widths of the hidden layers, e.g. ``[256] * 5`` for the reference protocol.
    steps : number of full-batch steps.
    record_at : steps at which the outputs on the grid are recorded.
    activation : ``"relu"``, ``"tanh"``, ``"linear"``, ... (see :data:`biascourse.models.ACTIVATIONS`).
    optimizer, lr, momentum, weight_decay : as in :func:`train_with_probes` (the reference uses
        Adam with lr :math:`3\\cdot10^{-4}`).
    init_std : ``None`` (default) keeps PyTorch's default initialisation, as the reference
        protocol; a number s gives weights :math:`\\mathcal N(0, s^2/\\text{fan-in})` and zero biases
        (:math:`s=\\sqrt2` is He initialisation).
    seeds : the initialisation seed of each network (default 0..K-1).
    device : where to train (default CPU): ``"cpu"``, ``"cuda"``, ``"cuda:N"``, ``"mps"``, ``"auto"``
        or a ``torch.device`` (see :func:`biascourse.get_device`).

    Returns
    -------
    SpectralHistory

    Raises
    ------
    ValueError
        If ``targets`` is empty or not on one grid, ``seeds`` has not one entry per target, the
        device name is not one of those above (:class:`~biascourse.DeviceUnavailableError` for a
        device this machine lacks), or a training argument is out of range (see
        :func:`train_with_probes`).
    ~biascourse.train.DivergenceError
        If a loss or a weight becomes NaN or infinite (see :func:`biascourse.train.train`).
    """
    device = resolve_device(device)
    targets = tuple(targets)
    if not targets or len({t.n_points for t in targets}) != 1:
        raise ValueError("targets must be a non-empty list of SpectralTarget on one grid (equal n_points)")
    seeds = tuple(range(len(targets))) if seeds is None else tuple(seeds)
    if len(seeds) != len(targets):
        raise ValueError(f"seeds must have one entry per target ({len(targets)}); got {len(seeds)}")
    net = BatchedMLP(len(targets), 1, hidden, 1, activation=activation, init_std=init_std, seeds=seeds)
    net = net.to(device)
    grid = targets[0].grid[:, None]
    values = np.stack([t.values() for t in targets])
    probe_grid = torch.as_tensor(grid, dtype=torch.float32, device=device)

    @torch.no_grad()
    def outputs(model: nn.Module) -> np.ndarray:
        return model(probe_grid)[..., 0].double().cpu().numpy()

    history = train_with_probes(
        net, grid, values, loss="mse", steps=steps, record_at=record_at, probes={"outputs": outputs},
        optimizer=optimizer, lr=lr, momentum=momentum, weight_decay=weight_decay,
    )
    return SpectralHistory(history.steps, history["outputs"], targets)
