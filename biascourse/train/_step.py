"""One optimisation step of K networks: loss, gradient, optimiser and learning-rate schedule."""
from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from ._data import derived_seed
from ._losses import per_sample_loss
from ._schedules import Schedule

OPTIMIZERS = ("sgd", "adam", "adamw")


def make_optimizer(params, name: str, lr: float, momentum: float = 0.0, weight_decay: float = 0.0,
                   nesterov: bool = False, betas: tuple[float, float] = (0.9, 0.999)) -> torch.optim.Optimizer:
    """The torch optimizer ``name`` (one of :data:`OPTIMIZERS`) over ``params``.

    ``"sgd"`` takes ``momentum`` and ``nesterov``; ``"adam"`` and ``"adamw"`` take ``betas``
    (``weight_decay`` is L2 for SGD and Adam, decoupled for AdamW). To add an optimiser, add its
    name to :data:`OPTIMIZERS` and a branch here.
    """
    if name not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {OPTIMIZERS}; got {name!r}")
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
