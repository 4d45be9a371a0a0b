"""Training data for :func:`train`: fresh samples (online) or a fixed set (multi-epoch), per network.

The stopping rule in epochs and the order in which a fixed set is read live here: a plain
``(x, y)`` is reshuffled every epoch; :class:`TrainingSet` chooses another order (one random
stream, or none) and whether an incomplete last minibatch is dropped.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from .._checks import integer
from .._random import check_seed


def derived_seed(seed: int, *keys: int) -> int:
    """A seed in [0, 2**32) derived from ``seed`` and integer keys (chunk or epoch index).

    Raises
    ------
    ValueError
        If ``seed`` is not an integer in [0, 2**32 - 1] or a key not an integer >= 0.
    """
    seed = check_seed(seed)
    keys = [integer("key", k, 0) for k in keys]
    return int(np.random.SeedSequence([seed, *keys]).generate_state(1)[0])


@dataclass(frozen=True)
class OnlineData:
    """A source of fresh samples for online training: every sample is used once.

    Parameters
    ----------
    sampler : ``sampler(n, seed)`` returns n new samples: an object with attributes ``x``, ``y``
        and optionally ``group`` (e.g. a :class:`biascourse.tm.TMSample`), or a tuple
        ``(x, y[, group])``. The same seed must give the same samples.
    chunk : samples drawn per call; each network's stream is the concatenation of chunks whose
        seeds derive from the network's data seed.

    Examples
    --------
    >>> geometry = tm.sample(params, 1, N, seed=0).geometry
    >>> data = OnlineData(lambda n, seed: tm.sample(params, n, N, seed, geometry=geometry))
    """

    sampler: Callable[[int, int], Any]
    chunk: int = 4096

    def __post_init__(self) -> None:
        if self.chunk < 1:
            raise ValueError(f"chunk must be >= 1; got {self.chunk}")


#: Orders of a fixed training set, see :class:`TrainingSet`.
ORDERS = ("per_epoch", "continued", "fixed")


@dataclass(frozen=True)
class TrainingSet:
    """A fixed training set with its reading rules, for multi-epoch training.

    Parameters
    ----------
    x : inputs (n, ...).
    y : labels (n,) shared by the networks, or (K, n) one row per network (e.g. the real-valued
        regression targets of chapter 8, one per network, with a squared loss).
    group : optional sub-population labels (n,).
    order : how each epoch is ordered, per network with data seed s: ``"per_epoch"`` (the default
        of :func:`train` for a plain ``(x, y)``) draws epoch e's permutation from a generator
        seeded with ``derived_seed(s, e)``; ``"continued"`` draws the permutation of every epoch in
        turn from one generator seeded with s; ``"fixed"`` reads the samples in their order (with
        ``batch_size = n``: full-batch training).
    drop_last : skip the incomplete last minibatch of each epoch (the next epoch starts instead).
    """

    x: Any
    y: Any
    group: Any = None
    order: str = "per_epoch"
    drop_last: bool = False

    def __post_init__(self) -> None:
        if self.order not in ORDERS:
            raise ValueError(f"order must be one of {ORDERS}; got {self.order!r}")


def unpack(data) -> tuple:
    """``(x, y, group or None)`` from an object with ``x``/``y``/``group`` attributes or a tuple."""
    if hasattr(data, "x") and hasattr(data, "y"):
        return data.x, data.y, getattr(data, "group", None)
    if isinstance(data, (tuple, list)) and len(data) in (2, 3):
        return data[0], data[1], data[2] if len(data) == 3 else None
    raise TypeError(f"data must have attributes x and y (and group), or be a tuple (x, y[, group]); got {type(data).__name__}")


def as_tensor(value, device, dtype=None) -> torch.Tensor:
    tensor = value if isinstance(value, torch.Tensor) else torch.as_tensor(np.asarray(value))
    return tensor.to(device=device, dtype=dtype if dtype is not None and tensor.is_floating_point() else None)


def labels_tensor(y, device, real: bool = False) -> torch.Tensor:
    """Labels as a long tensor; with ``real``, floating values that are not all integers are kept
    as real-valued targets (for the squared losses)."""
    y = as_tensor(y, device)
    if y.is_floating_point():
        if not torch.equal(y, y.round()):
            if real:
                return y
            raise ValueError("labels must be integers (class indices or ±1)")
        y = y.long()
    return y


class Stream:
    """Minibatches for K networks in lockstep: (K, B, ...) inputs, or (B, ...) when shared.

    From a fixed training set the inputs are gathered into a buffer that is reused at every call
    (a fresh large tensor per step costs more in page faults than the copy itself), so a batch is
    valid until the next call.
    """

    def __init__(self, data, seeds: Sequence[int], shared: bool, device, dtype, real_targets: bool = False):
        self.seeds, self.shared, self.device, self.dtype = list(seeds), shared, device, dtype
        self.online = isinstance(data, OnlineData)
        if self.online:
            self.source, self.chunk_index = data, 0
            self.x = self.y = None
            self.pos = 0
            self.n_train = None
        else:
            x, y, _ = unpack(data)
            self.x, self.y = as_tensor(x, device, dtype), labels_tensor(y, device, real_targets)
            if self.y.ndim not in (1, 2) or len(self.x) != self.y.shape[-1]:
                raise ValueError(f"x and y must have the same length (y of shape (n,) or (K, n)); "
                                 f"got {len(self.x)} and y of shape {tuple(self.y.shape)}")
            self.n_train = self.y.shape[-1]
            if self.n_train == 0:
                raise ValueError(f"data must hold at least one training sample; got x of shape {tuple(self.x.shape)}")
            for name, value in (("x", self.x), ("y", self.y)):
                if value.is_floating_point() and not bool(torch.isfinite(value).all()):
                    raise ValueError(f"data {name} must hold finite numbers; got NaN or infinite values")
            rules = data if isinstance(data, TrainingSet) else TrainingSet(None, None)
            self.order_rule, self.drop_last = rules.order, rules.drop_last
            self._generators = [torch.Generator().manual_seed(s) for s in self.seeds]
            self.epoch, self.pos, self.order = -1, self.n_train, None
            self._buffers: dict[int, torch.Tensor] = {}

    @property
    def per_network_labels(self) -> bool:
        """Whether the labels are (K, n), one row per network."""
        return self.y is not None and not self.online and self.y.ndim == 2

    def steps_per_epoch(self, batch_size: int) -> int:
        if self.drop_last:
            if batch_size > self.n_train:
                raise ValueError(f"batch_size must be in [1, n={self.n_train}] with drop_last; got {batch_size}")
            return self.n_train // batch_size
        return -(-self.n_train // batch_size)

    def _refill(self, batch_size: int) -> None:
        chunks = []
        for seed in self.seeds:
            x, y, _ = unpack(self.source.sampler(self.source.chunk, derived_seed(seed, self.chunk_index)))
            chunks.append((as_tensor(x, self.device, self.dtype), labels_tensor(y, self.device)))
        self.chunk_index += 1
        new_x, new_y = torch.stack([c[0] for c in chunks]), torch.stack([c[1] for c in chunks])
        if self.x is not None:
            new_x = torch.cat([self.x[:, self.pos:], new_x], dim=1)
            new_y = torch.cat([self.y[:, self.pos:], new_y], dim=1)
        self.x, self.y, self.pos = new_x, new_y, 0
        if self.x.shape[1] < batch_size:
            self._refill(batch_size)

    def _new_epoch(self) -> None:
        self.epoch += 1
        orders = []
        for seed, continued in zip(self.seeds, self._generators):
            if self.order_rule == "fixed":
                orders.append(torch.arange(self.n_train))
                continue
            gen = continued if self.order_rule == "continued" else torch.Generator().manual_seed(derived_seed(seed, self.epoch))
            orders.append(torch.randperm(self.n_train, generator=gen))
        self.order, self.pos = torch.stack(orders).to(self.device), 0

    def next(self, batch_size: int) -> tuple[torch.Tensor, torch.Tensor]:
        if self.online:
            if self.x is None or self.x.shape[1] - self.pos < batch_size:
                self._refill(batch_size)
            x = self.x[:, self.pos:self.pos + batch_size]
            y = self.y[:, self.pos:self.pos + batch_size]
        else:
            if self.pos >= self.n_train or (self.drop_last and self.pos + batch_size > self.n_train):
                self._new_epoch()
            idx = self.order[:, self.pos:self.pos + batch_size]
            flat = idx.reshape(-1)
            if flat.numel() not in self._buffers:
                self._buffers[flat.numel()] = self.x.new_empty((flat.numel(), *self.x.shape[1:]))
            x = torch.index_select(self.x, 0, flat, out=self._buffers[flat.numel()]).view(*idx.shape, *self.x.shape[1:])
            if self.per_network_labels:  # (K, b): each network's own targets
                y = self.y[:, idx[0]][None] if self.shared else torch.gather(self.y, 1, idx)
            else:
                y = self.y[idx]
        self.pos += batch_size
        return (x[0], y[0]) if self.shared else (x, y)
