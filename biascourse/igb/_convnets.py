"""Initial guessing bias of convolutional networks: a small CNN and a small ResNet at initialisation.

The MLPs of :class:`~biascourse.igb.MLPSpec` have a theory; convolutional networks are measured.
:func:`small_cnn` builds the course's :class:`~biascourse.models.SmallCNN` with batch
normalisation inserted before or after each ReLU (the same convolution weights as the plain
network of that seed), and :func:`network_statistics` measures the guess fractions and gamma of any
torch network over many initialisations, with BatchNorm in train mode so that it normalises over the
evaluated images, as in the official measurement
(https://biascourse.github.io/biascourse/book/derivations/initial_guessing_bias.html#deriv-igb-convnets).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch import nn

from .._checks import ArgumentTypeError, array as check_array, integer as check_integer
from .._device import resolve_device
from .._memory import release_memory
from .._random import check_seed
from ..models import SmallCNN
from ._ensemble import fractions_from_outputs
from ._estimate import InitStatistics, _output_moments, scalar_output

#: Batch-normalisation placements of :func:`small_cnn`: none, before or after each ReLU.
CONV_NORMS = ("none", "bn_before", "bn_after")


def small_cnn(norm: str = "none", seed: int | None = None, **kwargs: Any) -> SmallCNN:
    """The course's :class:`~biascourse.models.SmallCNN` with batch normalisation placed as ``norm``.

    ``"bn_before"`` gives ``conv -> BatchNorm2d -> ReLU -> maxpool`` in both convolution blocks,
    ``"bn_after"`` gives ``conv -> ReLU -> BatchNorm2d -> maxpool`` (the order of
    :class:`~biascourse.igb.MLPSpec`: the norm right after the activation, pooling last); the
    fully connected head is unchanged. The convolution and head weights are those of
    ``SmallCNN(seed=seed, **kwargs)`` (PyTorch's default initialisation), whatever ``norm`` is, and
    the BatchNorm layers are the identity affine map at initialisation.

    Parameters
    ----------
    norm : one of :data:`CONV_NORMS`.
    seed : seed of the initial weights.
    **kwargs : passed to :class:`~biascourse.models.SmallCNN` (``in_channels``, ``n_classes``,
        ``image_size``, ``channels``, ``hidden``).

    Returns
    -------
    SmallCNN
    """
    if norm not in CONV_NORMS:
        raise ValueError(f"norm must be one of {CONV_NORMS}; got {norm!r}")
    model = SmallCNN(seed=seed, **kwargs)
    if norm == "none":
        return model
    layers: list[nn.Module] = []
    channels = None  # output channels of the convolution whose ReLU comes next
    for layer in model.net:
        if isinstance(layer, nn.Conv2d):
            layers.append(layer)
            channels = layer.out_channels
            if norm == "bn_before":
                layers.append(nn.BatchNorm2d(channels))
        elif isinstance(layer, nn.ReLU) and channels is not None:
            layers.append(layer)
            if norm == "bn_after":
                layers.append(nn.BatchNorm2d(channels))
            channels = None
        else:
            layers.append(layer)
    model.net = nn.Sequential(*layers)
    return model


def init_seed(seed: int, k: int) -> int:
    """The torch seed of initialisation ``k`` of the ensemble ``seed`` in :func:`network_statistics`.

    Drawn from ``numpy.random.SeedSequence([seed, k])``, so initialisation k is the same network
    whatever the number of initialisations measured with it.

    Raises
    ------
    ArgumentTypeError
        If ``seed`` or ``k`` is not an integer.
    ValueError
        If ``seed`` is not in [0, 2**32 - 1] or ``k < 0``.
    """
    check_seed(seed)
    k = check_integer("k", k, 0)
    return int(np.random.SeedSequence([int(seed), int(k)]).generate_state(1)[0])


def network_statistics(
    build: Callable[[int], nn.Module],
    data: np.ndarray | torch.Tensor,
    n_init: int,
    seed: int,
    device: str | torch.device = "cpu",
) -> InitStatistics:
    """Guess fractions and gamma of any torch network over ``n_init`` initialisations.

    Initialisation ``k`` is ``build(init_seed(seed, k))``. Each is put in train mode (BatchNorm uses
    the statistics of ``data``, as in the official measurement; nothing is trained) and called
    once, without gradients, on the whole data set.

    Parameters
    ----------
    build : makes one network from a seed, e.g. ``lambda s: small_cnn("bn_after", seed=s, n_classes=2)``;
        its output is (n, C): C = 1 (sign), 2 (argmax, gamma of :math:`O_0-O_1`) or more (gamma of
        output node 0).
    data : inputs (n, ...) in the layout the network expects, e.g. (n, 1, 28, 28).
    n_init : the number K >= 2 of initialisations.
    seed : the ensemble seed.
    device : where the forward passes run.

    Returns
    -------
    InitStatistics
        ``fractions``, ``output_mean``, ``output_var`` and ``gamma`` as for the MLP ensembles;
        ``layer_gamma`` is ``None`` (there is no layer theory to compare with).

    Raises
    ------
    ArgumentTypeError
        If ``build`` is not callable, ``data`` holds no numbers, or ``n_init`` or ``seed`` is not an
        integer.
    ValueError
        If ``data`` is empty, holds NaN or infinite values or has fewer than 2 or more than 5
        dimensions, ``n_init < 2``, ``seed`` is out of range, ``device`` is unknown or unavailable
        (``DeviceUnavailableError``, also a ValueError), or the networks' outputs are not (n, C).
    """
    if not callable(build):
        raise ArgumentTypeError(f"build must be a callable that makes a network from a seed; got {build!r}")
    check_array("data", data, ndim=range(2, 6))
    n_init = check_integer("n_init", n_init, 2)
    check_seed(seed)
    device = resolve_device(device)
    x = torch.as_tensor(data)
    x = (x.float() if not torch.is_floating_point(x) else x.to(torch.float32)).to(device)
    fractions, means, variances = [], [], []
    for k in range(n_init):
        model = build(init_seed(seed, k)).to(device)
        model.train()
        with torch.no_grad():
            out = model(x)
        if out.ndim != 2 or out.shape[0] != x.shape[0]:
            raise ValueError(f"build must make networks with outputs of shape (n, C); got {tuple(out.shape)}")
        fractions.append(fractions_from_outputs(out))
        m, v = _output_moments(scalar_output(out[None]))
        means.append(m)
        variances.append(v)
        del model, out
    release_memory()
    return InitStatistics(
        fractions=np.stack(fractions),
        output_mean=np.concatenate(means),
        output_var=np.concatenate(variances),
    )
