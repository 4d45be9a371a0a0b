"""The losses of :func:`~biascourse.train.train`, per sample, and the predicted labels."""
from __future__ import annotations

import torch
from torch import nn

from .._checks import choice

#: Losses by name: the ½-MSE of the theory, the un-halved squared error, the cross-entropy.
LOSSES = ("mse", "squared_error", "cross_entropy")

_SQUARED = {"mse": 0.5, "squared_error": 1.0}  # factor in front of the squared error


def per_sample_loss(out: torch.Tensor, y: torch.Tensor, loss: str) -> torch.Tensor:
    """Loss of each sample, shape (K, n), from outputs (K, n, C) and labels or targets (n,) or (K, n).

    ``"mse"``: ``0.5 (y - out)^2`` for one output and ±1 labels or real targets (the loss of the
    theory, https://biascourse.github.io/biascourse/book/derivations/tm_model.html#deriv-tm-protocol),
    or ``0.5 |onehot(y) - out|^2`` for C outputs. ``"squared_error"``: the same without the ½,
    ``(y - out)^2`` (its mean is the mean squared error of chapter 8, whose gradient is twice the
    ``"mse"`` one). ``"cross_entropy"``: softmax cross-entropy for C outputs, or the logistic loss
    ``log(1 + exp(-y out))`` for one output and ±1 labels.

    Raises
    ------
    ValueError
        If ``loss`` is not one of :data:`LOSSES` or ``out`` is not a tensor of shape (K, n, C).
    """
    choice("loss", loss, LOSSES)
    if not isinstance(out, torch.Tensor) or out.ndim != 3:
        raise ValueError(f"out must be a tensor of shape (K, n, C); got {getattr(out, 'shape', type(out).__name__)}")
    y = y.expand(out.shape[:2])
    if out.shape[-1] == 1:
        target = y.to(out.dtype)
        if loss in _SQUARED:
            squared = (target - out[..., 0]) ** 2
            return 0.5 * squared if loss == "mse" else squared
        return nn.functional.softplus(-target * out[..., 0])
    if loss in _SQUARED:
        onehot = nn.functional.one_hot(y, out.shape[-1]).to(out.dtype)
        squared = ((onehot - out) ** 2).sum(-1)
        return 0.5 * squared if loss == "mse" else squared
    return nn.functional.cross_entropy(out.transpose(1, 2), y, reduction="none")


def predictions(out: torch.Tensor) -> torch.Tensor:
    """Predicted labels (K, n): the sign (±1) for one output, the arg-max for several."""
    if out.shape[-1] == 1:
        return torch.where(out[..., 0] >= 0, 1, -1)
    return out.argmax(-1)


def is_squared(loss: str) -> bool:
    """Whether ``loss`` is a squared error (the losses that accept real-valued targets)."""
    return loss in _SQUARED


def check_labels(y: torch.Tensor, n_out: int, name: str) -> None:
    """Labels fit the networks: ±1 for one output, class indices in [0, n_out) for several.
    Real-valued targets (a floating tensor, see :func:`~biascourse.train._data.labels_tensor`) pass."""
    if y.is_floating_point():
        return
    values = torch.unique(y)
    if n_out == 1 and not bool(torch.isin(values, torch.tensor([-1, 1], device=y.device)).all()):
        raise ValueError(f"{name}: a network with one output needs labels in {{-1, +1}}; got {values.tolist()[:10]}")
    if n_out > 1 and (values.min() < 0 or values.max() >= n_out):
        raise ValueError(f"{name}: labels must be class indices in [0, {n_out}); got {values.tolist()[:10]}")
