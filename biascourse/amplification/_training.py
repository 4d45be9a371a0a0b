"""Chapter 6's training recipe: stacks of small networks trained with Hall et al.'s recipe, scaled down, then measured.

The recipe and the course's departures from it:
https://biascourse.github.io/biascourse/book/derivations/bias_amplification.html#deriv-amp-training.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch

from .. import _checks, models
from .._device import resolve_device
from .._random import seed_list
from ..train import History, log_spaced_steps, train, warmup_decays
from ._evaluate import AmplificationReport, evaluate_amplification

#: The kinds of :func:`network_stack`.
NETWORKS = ("cnn", "resnet", "mlp")
#: Hidden units per layer of the fully connected networks of :func:`network_stack`.
MLP_HIDDEN = 256


def network_stack(kind: str = "cnn", *, seeds, width: int = 8, depth: int = 1, channels: int = 1,
                  image_size: int = 28) -> torch.nn.Module:
    """A stack of two-output networks, one per seed, for :func:`fit`.

    Parameters
    ----------
    kind : ``"cnn"``: :class:`~biascourse.models.SmallCNN` with ``width`` and ``2 * width`` channels;
        ``"resnet"``: :class:`~biascourse.models.SmallResNet` of depth ``6 * depth + 2`` (ResNet-8 for
        ``depth=1``) and initial width ``width``; ``"mlp"``: a fully connected
        :class:`~biascourse.models.BatchedMLP` with ``depth`` hidden layers of :data:`MLP_HIDDEN` units on
        flattened images (``width`` is not used).
    seeds : the seed of each network, or a number K of networks (seeds 0 to K-1).
    width : channels of the first convolutional layer, >= 1.
    depth : hidden layers (``"mlp"``) or residual blocks per stage (``"resnet"``), >= 1; not used by
        ``"cnn"``.
    channels : input channels (1 for Fashion-MNIST, 3 for CIFAR-10).
    image_size : side of the square input images.

    Returns
    -------
    torch.nn.Module
        A :class:`~biascourse.models.ModelStack` (or a :class:`~biascourse.models.BatchedMLP`) of K networks.

    Raises
    ------
    ArgumentTypeError
        If ``seeds`` is neither an integer nor a list of integers, or a size is not an integer.
    ValueError
        If ``kind`` is unknown, ``seeds < 1`` or a seed is out of range, or a size is below 1.
    """
    _checks.choice("kind", kind, NETWORKS)
    seeds = seed_list(seeds)
    width, depth = _checks.integer("width", width, 1), _checks.integer("depth", depth, 1)
    channels, size = _checks.integer("channels", channels, 1), _checks.integer("image_size", image_size, 1)
    if kind == "mlp":
        return models.BatchedMLP(len(seeds), channels * size * size, [MLP_HIDDEN] * depth, 2, seeds=seeds)
    if kind == "resnet":
        return models.ModelStack(lambda s: models.SmallResNet(channels, 2, width=width, blocks=depth, seed=s), seeds)
    return models.ModelStack(lambda s: models.SmallCNN(channels, 2, image_size=size, channels=(width, 2 * width),
                                                       seed=s), seeds)


def tracking_steps(total_steps: int) -> np.ndarray:
    """Where :func:`fit` evaluates a tracked set: the early phase in log time, the decays evenly.

    About 20 log-spaced steps (:func:`~biascourse.train.log_spaced_steps`, step 0 included) and 31
    evenly spaced steps over the last three quarters of the run, where the warm-up has ended and
    the learning-rate decays of :func:`~biascourse.train.warmup_decays` happen.

    Parameters
    ----------
    total_steps : length of the run, >= 1.

    Returns
    -------
    numpy.ndarray
        Sorted distinct int64 steps in ``[0, total_steps]``, ending at ``total_steps``.
    """
    total_steps = _checks.integer("total_steps", total_steps, 1)
    return np.union1d(log_spaced_steps(total_steps, 20), np.linspace(total_steps // 4, total_steps, 31).astype(int))


class Fit(NamedTuple):
    """What :func:`fit` returns: the final report, the training History and the trained networks."""

    report: AmplificationReport
    history: History
    model: torch.nn.Module


def fit(model: torch.nn.Module, train_set, test_set, *, epochs: int = 8, steps: int | None = None,
        batch_size: int = 128, lr: float = 0.05, momentum: float = 0.9, weight_decay: float = 1e-4,
        decay: bool = True, track=None, device: str | torch.device | None = None) -> Fit:
    """Train a stack of networks with Hall et al.'s recipe, scaled down, and measure it on a test set.

    Cross-entropy, SGD with momentum and weight decay, minibatches drawn from the training set, and
    the learning-rate schedule :func:`~biascourse.train.warmup_decays` (a linear warm-up over the
    first quarter, then tenfold decays at one half and three quarters of the run, or none with
    ``decay=False``); see
    https://biascourse.github.io/biascourse/book/derivations/bias_amplification.html#deriv-amp-training for
    the course's departures from the paper (shorter runs, a smaller rate, the warm-up). The trained
    networks are then measured on ``test_set`` by :func:`evaluate_amplification`.

    Parameters
    ----------
    model : a stack of K networks with two outputs, e.g. from :func:`network_stack`; it is trained
        in place.
    train_set, test_set : data sets with ``x``, ``y`` and ``group``, e.g. from :func:`inverted_train_test`.
    epochs : passes over the training set (the run has ``epochs * ceil(n / batch_size)`` steps).
    steps : number of optimisation steps; when given, it replaces ``epochs`` (e.g. to give training
        sets of different sizes the same number of updates).
    batch_size, lr, momentum, weight_decay : SGD's minibatch size, base learning rate, momentum and
        L2 weight decay.
    decay : use the two tenfold decays (True) or keep the rate constant after the warm-up (False).
    track : an evaluation set recorded in the History at :func:`tracking_steps` under the name
        ``"test"`` (e.g. for :func:`predicted_counts_from_history`); without it the History holds
        the last step only.
    device : where to train (default: the model's device).

    Returns
    -------
    Fit
        ``(report, history, model)``: the :class:`AmplificationReport` on ``test_set``, the
        :class:`~biascourse.train.History` and the trained ``model``.

    Raises
    ------
    ArgumentTypeError
        If a size is not an integer or a rate not a number.
    ValueError
        If ``batch_size``, ``epochs`` or ``steps`` is below 1, ``lr <= 0``, ``momentum`` outside
        [0, 1), ``weight_decay < 0``, ``decay`` not a bool, or ``device`` unknown or unavailable
        (``DeviceUnavailableError``, also a ValueError).
    """
    if device is not None:
        device = resolve_device(device)
    batch_size = _checks.integer("batch_size", batch_size, 1)
    if steps is None:
        steps = _checks.integer("epochs", epochs, 1) * -(-len(train_set) // batch_size)
    steps = _checks.integer("steps", steps, 1)
    _checks.choice("decay", decay, (True, False))
    history = train(model, train_set, steps=steps, batch_size=batch_size, loss="cross_entropy",
                    lr=_checks.real("lr", lr, 0.0, low_open=True), momentum=_checks.real("momentum", momentum, 0.0, 1.0,
                                                                                      high_open=True),
                    weight_decay=_checks.real("weight_decay", weight_decay, 0.0),
                    schedule=warmup_decays(steps, decay=decay),
                    eval_sets=None if track is None else {"test": track},
                    eval_at=[steps] if track is None else tracking_steps(steps), device=device, progress=False)
    return Fit(evaluate_amplification(model, test_set), history, model)
