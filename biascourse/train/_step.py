"""One optimisation step of K networks: loss, gradient, optimiser and learning-rate schedule."""
from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from .._checks import array, choice, real
from ._data import derived_seed
from ._losses import per_sample_loss
from ._schedules import Schedule

OPTIMIZERS = ("sgd", "adam", "adamw")


class DivergenceError(FloatingPointError, ValueError):
    """Training diverged: a loss or a weight became NaN or infinite (usually a learning rate above
    the stable range). A ``FloatingPointError`` that is also a ``ValueError``."""


def check_finite(losses: torch.Tensor, lr: float, where: str, hint: str = "", parameters=()) -> None:
    """Raise :class:`DivergenceError` naming the learning rate ``lr`` if ``losses`` or any of
    ``parameters`` holds a NaN or an infinity. One reduction per tensor: call it at the evaluation
    steps, not at every step, so that its cost stays negligible.

    Raises
    ------
    DivergenceError
        If a loss or a parameter is not finite.
    """
    finite = bool(torch.isfinite(losses).all()) and all(bool(torch.isfinite(p).all()) for p in parameters)
    if not finite:
        raise DivergenceError(f"training diverged {where} (a loss or a weight became NaN or infinite) "
                              f"with learning rate lr={lr:g}{hint}; lower the learning rate")


def make_optimizer(params, name: str, lr: float, momentum: float = 0.0, weight_decay: float = 0.0,
                   nesterov: bool = False, betas: tuple[float, float] = (0.9, 0.999)) -> torch.optim.Optimizer:
    """The torch optimizer ``name`` (one of :data:`OPTIMIZERS`) over ``params``.

    ``"sgd"`` takes ``momentum`` and ``nesterov``; ``"adam"`` and ``"adamw"`` take ``betas``
    (``weight_decay`` is L2 for SGD and Adam, decoupled for AdamW). To add an optimiser, add its
    name to :data:`OPTIMIZERS` and a branch here.

    Raises
    ------
    ValueError
        If ``name`` is not one of :data:`OPTIMIZERS`, ``lr`` not a finite number > 0, ``momentum``
        or ``weight_decay`` not a finite number >= 0, or ``betas`` not two numbers in [0, 1).
    """
    choice("optimizer", name, OPTIMIZERS)
    lr = real("lr", lr, 0, low_open=True)
    momentum = real("momentum", momentum, 0)
    weight_decay = real("weight_decay", weight_decay, 0)
    betas = tuple(float(b) for b in array("betas", betas, shape=(2,), low=0, high=1))
    if max(betas) >= 1:
        raise ValueError(f"betas must be two numbers in [0, 1); got {betas}")
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay, nesterov=nesterov)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, betas=betas, weight_decay=weight_decay)
    return torch.optim.AdamW(params, lr=lr, betas=betas, weight_decay=weight_decay)


class Stepper:
    """Takes optimisation steps of a stack of K networks on minibatches.

    The stack minimises the sum over networks of each network's mean minibatch loss, so each
    network gets exactly the gradient of its own loss; the schedule multiplies the learning rate
    after every step; ``augment`` transforms each network's minibatch with its own generator.
    """

    def __init__(self, net: nn.Module, loss: str, optimizer: torch.optim.Optimizer, schedule: Schedule | None,
                 shared: bool, augment: Callable[[torch.Tensor, torch.Generator], torch.Tensor] | None,
                 seeds: list[int], device):
        self.net, self.loss, self.optimizer, self.shared, self.augment = net, loss, optimizer, shared, augment
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, schedule) if schedule is not None else None
        self.generators = ([torch.Generator(device=device).manual_seed(derived_seed(s, 2**31)) for s in seeds]
                           if augment is not None else None)

    def __call__(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """One step on the minibatch (x, y); returns each network's minibatch loss, shape (K,)."""
        if self.augment is not None:
            x = (self.augment(x, self.generators[0]) if self.shared
                 else torch.stack([self.augment(x[k], self.generators[k]) for k in range(len(x))]))
        losses = per_sample_loss(self.net(x, shared=self.shared), y, self.loss).mean(dim=1)  # (K,)
        self.optimizer.zero_grad(set_to_none=False)  # keep the gradient tensors: reallocating them each step is slow
        losses.sum().backward()
        self.optimizer.step()
        if self.scheduler is not None:
            self.scheduler.step()
        return losses.detach()
