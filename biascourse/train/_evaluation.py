"""Evaluation during training: when (the evaluation steps) and what (per-group loss and accuracy)."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from .._checks import integer
from ..models import output_batches
from ._data import as_tensor, labels_tensor, unpack
from ._history import class_name, group_name, metric_key
from ._losses import per_sample_loss, predictions


class EvalSet:
    """One evaluation set and the sub-populations it is scored on.

    ``masks`` maps a key template ``"{split}/{m}[/group=g][/class=c]"`` to a boolean mask (None: all
    samples); ``weights`` (n, M) holds them as columns, so one matrix product per batch sums the
    loss and the correct predictions of every sub-population at once.
    """

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

    def score(self, model: nn.Module, loss: str, batch_size: int) -> dict[str, np.ndarray]:
        """Mean loss and accuracy of each network on every sub-population: ``key -> (K,)``."""
        loss_sum, correct_sum = 0.0, 0.0
        for start, out in output_batches(model, self.x, batch_size):
            y = self.y[start:start + batch_size]
            w = self.weights[start:start + batch_size]
            loss_sum = loss_sum + per_sample_loss(out, y, loss).double() @ w
            correct_sum = correct_sum + (predictions(out) == y).double() @ w
        results = {}
        for j, key in enumerate(self.masks):
            results[key.format(m="loss")] = (loss_sum[:, j] / self.counts[j]).cpu().numpy()
            results[key.format(m="accuracy")] = (correct_sum[:, j] / self.counts[j]).cpu().numpy()
        return results


def evaluation_steps(steps: int, eval_every: int | None, eval_at: Sequence[int] | None) -> np.ndarray:
    """The steps at which :func:`~biascourse.train.train` evaluates (and calls its probes)."""
    if eval_at is not None:
        at = np.unique(np.asarray(eval_at, dtype=np.int64))
        if at.size == 0 or at[0] < 0 or at[-1] > steps:
            raise ValueError(f"eval_at must hold steps in [0, {steps}]; got {list(eval_at)[:5]}...")
        return at
    every = integer("eval_every", eval_every, 1) if eval_every is not None else max(1, steps // 25)
    return np.unique(np.append(np.arange(0, steps + 1, every), steps))


def log_spaced_steps(steps: int, n: int = 40) -> np.ndarray:
    """About n evaluation steps spaced evenly in log time between 1 and ``steps``, plus step 0.

    Raises
    ------
    ValueError
        If ``steps`` or ``n`` is not an integer >= 1.
    """
    steps, n = integer("steps", steps, 1), integer("n", n, 1)
    return np.unique(np.concatenate([[0], np.round(np.geomspace(1, steps, n)).astype(np.int64)]))
