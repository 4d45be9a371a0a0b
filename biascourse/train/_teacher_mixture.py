"""Deep networks trained online on teacher-mixture data: the protocol of chapter 5.

The lecture on Jain et al. (2024) gives the data of the synthetic deep-network experiment (d = 100,
v = 4, rho = 0.7, Delta_+- = 0.1, 1, T_+- = 0.9, eta = 0.01, alpha_+- = 0.471, -0.188; 10 seeds) but
not the network or its training (https://biascourse.github.io/biascourse/book/derivations/deep_networks.html#deriv-deep-synthetic,
https://biascourse.github.io/biascourse/book/derivations/deep_networks.html#deriv-deep-unknown). The course's choices:

* inputs in dimension N as in the theory (https://biascourse.github.io/biascourse/book/derivations/tm_model.html#deriv-tm-data), minibatches of B fresh samples, time
  ``t = samples / N``;
* networks without biases, He-initialised hidden layers (``init_std = sqrt(2)``) and a readout
  initialised at zero, so the initial output is 0 as for the theory's student at W_0 = 0;
* learning rate ``eta * B / h_L`` for SGD, where ``h_L`` is the width of the last hidden layer
  (N for the linear network). At initialisation the readout is the only layer with a gradient and
  its inputs have squared norm ``h_L Delta_c`` (a bias-free ReLU network is positively homogeneous),
  just as the linear student's inputs have ``N Delta_c``; so ``eta`` plays the role of the
  theory's learning rate and the linear network is exactly the SGD of https://biascourse.github.io/biascourse/book/derivations/tm_model.html#deriv-tm-protocol;
* the test set is balanced between the groups (rho = 1/2), because per-group errors are
  conditional on the group and a balanced set estimates both equally well.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import torch

from ..models import ACTIVATIONS, BatchedMLP
from .._checks import choice, integer, real
from .._device import resolve_device
from .._random import check_seed
from ..tm import TMParams, gap_crossings, sample
from ._data import OnlineData
from ._history import History
from ._loop import OPTIMIZERS, DivergenceError, log_spaced_steps, train

def train_teacher_mixture(
    params: TMParams,
    hidden: Sequence[int],
    *,
    N: int = 100,
    n_seeds: int = 8,
    t_max: float = 80.0,
    batch_size: int = 10,
    eta: float | None = None,
    optimizer: str = "sgd",
    lr: float | None = None,
    weight_decay: float = 0.0,
    activation: str = "relu",
    n_test: int = 4000,
    n_evals: int = 30,
    seed: int = 0,
    device: str | torch.device | None = None,
    progress: bool = True,
    on_divergence: str = "raise",
) -> History:
    """Train ``n_seeds`` MLPs online on teacher-mixture data and record per-group test metrics.

    Parameters
    ----------
    params : the teacher-mixture model (its ``eta`` is the default learning rate).
    hidden : hidden-layer widths (``[]``: the linear student of the theory).
    N : input dimension.
    n_seeds : number of networks trained together; network k has seed ``seed + k`` for its
        weights and its data stream.
    t_max : horizon in the theory's time ``t = samples / N``.
    batch_size : fresh samples per step.
    eta : SGD learning rate in the theory's units (default ``params.eta``); the step size is
        ``eta * batch_size / h_L`` (see the module notes).
    optimizer : ``"sgd"``, ``"adam"`` or ``"adamw"``; for Adam give ``lr`` directly.
    lr : the optimiser's step size, overriding the ``eta`` rule.
    weight_decay : L2 weight decay of the optimiser.
    activation : hidden activation (see :data:`biascourse.models.ACTIVATIONS`).
    n_test : size of the balanced test set.
    n_evals : number of evaluations, spaced evenly in log time.
    seed : base seed (teachers and test set use ``seed``, network k ``seed + k``).
    device : where to train.
    progress : show a progress bar.
    on_divergence : ``"raise"`` or ``"record"``, as in :func:`biascourse.train.train` (``"record"``
        for a learning-rate sweep that measures which networks diverge).

    Returns
    -------
    History
        Per-group test loss (``0.5 (y - y_hat)^2``, the theory's epsilon) and accuracy;
        ``history.samples / N`` is the theory's time.

    Raises
    ------
    ValueError
        For a parameter grid instead of one model, sizes that are not integers >= 1, ``t_max`` or
        ``eta`` not finite numbers > 0, ``seed`` not an integer in [0, 2**32 - 1], an unknown
        optimizer, activation or device, or an optimizer other than SGD without ``lr``.
    DivergenceError
        (a ``FloatingPointError`` and a ``ValueError``) If a loss or a weight becomes NaN or
        infinite; the message names ``eta`` and the linear student's stable bound ``eta_max``.
    """
    hidden = [integer("hidden width", h, 1) for h in hidden]
    N, n_seeds, batch_size, n_test, n_evals = (integer(name, value, 1) for name, value in (
        ("N", N), ("n_seeds", n_seeds), ("batch_size", batch_size), ("n_test", n_test), ("n_evals", n_evals)))
    t_max = real("t_max", t_max, 0, low_open=True)
    seed = check_seed(seed)
    if params.shape != ():
        raise ValueError(f"train_teacher_mixture needs a single parameter set; got params of shape {params.shape}")
    choice("optimizer", optimizer, OPTIMIZERS)
    choice("activation", activation, tuple(ACTIVATIONS))
    eta = real("eta", params.eta if eta is None else eta, 0, low_open=True)
    device = resolve_device(device) if device is not None else None
    width = hidden[-1] if len(hidden) else N
    if lr is None:
        if optimizer != "sgd":
            raise ValueError(f"give lr for optimizer {optimizer!r} (the eta rule is for SGD)")
        lr = eta * batch_size / width
    geometry = sample(params, 1, N, seed=seed).geometry
    test = sample(dataclasses.replace(params, rho=0.5), n_test, N, seed=seed + 1, geometry=geometry)
    data = OnlineData(lambda n, s: sample(params, n, N, s, geometry=geometry, backend="torch"))
    seeds = [seed + k for k in range(n_seeds)]
    net = BatchedMLP(n_seeds, N, hidden, 1, activation=activation, bias=False,
                     init_std=np.sqrt(2.0) if activation == "relu" else 1.0, readout_std=0.0, seeds=seeds)
    steps = max(1, int(round(t_max * N / batch_size)))
    try:
        return train(net, data, steps=steps, batch_size=batch_size, loss="mse", optimizer=optimizer, lr=lr,
                     weight_decay=weight_decay, eval_sets={"test": test}, eval_at=log_spaced_steps(steps, n_evals),
                     device=device, progress=progress, desc=f"hidden {hidden}", on_divergence=on_divergence)
    except DivergenceError as error:  # name the theory's learning rate and its stable bound
        raise DivergenceError(f"{error} (eta={eta:g}; the linear student is stable for eta < eta_max = "
                              f"{float(params.eta_max):.4g})") from None


def measured_crossings(history: History, metric: str = "loss", *, N: int | None = None,
                       tol: float = 0.005) -> np.ndarray:
    """Crossing times of the seed mean of :meth:`History.gap`, found by :func:`biascourse.tm.gap_crossings`.

    Parameters
    ----------
    history : the run.
    metric : ``"loss"`` or ``"error"``.
    N : input dimension; times are then the theory's ``t = samples / N`` (default: samples).
    tol : half-width of the band around zero that does not count as a sign change.

    Returns
    -------
    numpy.ndarray
        The crossing times, in ``samples / N`` (or samples); empty when the groups never swap.
    """
    if N is not None:
        N = integer("N", N, 1)
    t = history.samples / (1 if N is None else N)
    return gap_crossings(t, history.gap(metric).mean(axis=0), tol)
