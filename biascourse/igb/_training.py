"""Training many initialisations at once, and the per-class accuracy ordered by the initial bias.

Science note, sections 4 and 7 (dynamics mode): train from chosen initialisations and track the
accuracy of the class each network initially favoured and of the one it neglected, over
log-spaced steps. The K networks of an :class:`MLPEnsemble` share the minibatches and are trained
jointly: the summed loss gives each network the gradient of its own loss, and Adam and SGD act
element-wise, so this is K independent training runs in one batched pass.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .._random import check_seed
from ._ensemble import MLPEnsemble, fractions_from_outputs


@dataclass(frozen=True)
class TrainingHistory:
    """Per-class accuracy of K networks during training.

    Attributes
    ----------
    steps : the optimisation steps at which the networks were evaluated, shape (T,).
    class_accuracy : accuracy on each class of the evaluation set, shape (K, T, C).
    loss : mean cross-entropy on the evaluation set, shape (K, T).
    initial_fractions : guess fractions :math:`G_c` on the evaluation set at step 0, shape (K, C).
    """

    steps: np.ndarray
    class_accuracy: np.ndarray
    loss: np.ndarray
    initial_fractions: np.ndarray

    @property
    def accuracy(self) -> np.ndarray:
        """Balanced accuracy (mean over classes), shape (K, T)."""
        return self.class_accuracy.mean(axis=-1)

    @property
    def ordered_accuracy(self) -> np.ndarray:
        """Per-class accuracy with the classes of each network sorted by its initial :math:`G_c`,
        most favoured first (as in the official dynamics runs), shape (K, T, C)."""
        order = np.argsort(-self.initial_fractions, axis=1, kind="stable")
        return np.take_along_axis(self.class_accuracy, order[:, None, :], axis=2)


def _evaluate(net, x, y, n_classes):
    with torch.no_grad():
        out = net(x)  # (K, n, C)
        loss = torch.nn.functional.cross_entropy(out.transpose(1, 2), y.expand(out.shape[0], -1), reduction="none")
        correct = (out.argmax(dim=-1) == y).double()
        onehot = torch.nn.functional.one_hot(y, n_classes).double()
        per_class = correct @ onehot / onehot.sum(dim=0)
    return per_class.cpu().numpy(), loss.mean(dim=1).cpu().numpy(), fractions_from_outputs(out)


def train_ensemble(
    net: MLPEnsemble,
    x_train: np.ndarray | torch.Tensor,
    y_train: np.ndarray | torch.Tensor,
    x_eval: np.ndarray | torch.Tensor,
    y_eval: np.ndarray | torch.Tensor,
    steps: int,
    lr: float,
    seed: int,
    batch_size: int = 100,
    n_evals: int = 15,
) -> TrainingHistory:
    """Train every initialisation of ``net`` with Adam on minibatches of the training set.

    Parameters
    ----------
    net : the ensemble to train (changed in place); it needs ``n_out >= 2`` (cross-entropy).
    x_train, y_train : training inputs (n, d) and integer labels in [0, n_out).
    x_eval, y_eval : the evaluation set (the per-class accuracy and the guess fractions use it).
    steps : number of Adam steps.
    lr : learning rate.
    seed : seed of the minibatch order (shared by the K networks).
    batch_size : minibatch size.
    n_evals : number of evaluations, at 0 and log-spaced steps up to ``steps`` (15, as the
        official dynamics runs).

    Returns
    -------
    TrainingHistory
    """
    n_classes = net.spec.n_out
    if n_classes < 2:
        raise ValueError(f"net.spec.n_out must be >= 2 for cross-entropy training; got {n_classes}")
    if steps < 1 or lr <= 0 or batch_size < 1 or n_evals < 2:
        raise ValueError(
            f"steps, batch_size must be >= 1, n_evals >= 2 and lr > 0; got {steps}, {batch_size}, {n_evals}, {lr}"
        )
    device = net.weights[0].device
    xt, xe = (torch.as_tensor(v).float().to(device) for v in (x_train, x_eval))
    yt, ye = (torch.as_tensor(v).long().to(device) for v in (y_train, y_eval))
    if yt.min() < 0 or yt.max() >= n_classes or ye.min() < 0 or ye.max() >= n_classes:
        raise ValueError(f"labels must be integers in [0, {n_classes}); got range of train/eval labels outside it")
    eval_at = np.unique(np.concatenate([[0], np.geomspace(1, steps, n_evals - 1).round().astype(int)]))
    gen = torch.Generator().manual_seed(check_seed(seed))
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    accuracies, losses = [], []
    acc, loss, initial = _evaluate(net, xe, ye, n_classes)
    accuracies.append(acc)
    losses.append(loss)
    order = torch.randperm(len(xt), generator=gen)
    cursor = 0
    for step in range(1, steps + 1):
        if cursor + batch_size > len(xt):
            order, cursor = torch.randperm(len(xt), generator=gen), 0
        idx = order[cursor : cursor + batch_size].to(device)
        cursor += batch_size
        out = net(xt[idx])  # (K, b, C)
        batch_loss = torch.nn.functional.cross_entropy(
            out.reshape(-1, n_classes), yt[idx].repeat(out.shape[0]), reduction="sum"
        ) / batch_size
        opt.zero_grad(set_to_none=True)
        batch_loss.backward()
        opt.step()
        if step in eval_at:
            acc, loss, _ = _evaluate(net, xe, ye, n_classes)
            accuracies.append(acc)
            losses.append(loss)
    return TrainingHistory(
        steps=eval_at,
        class_accuracy=np.stack(accuracies, axis=1),
        loss=np.stack(losses, axis=1),
        initial_fractions=initial,
    )
