"""Evaluation of trained networks as Hall et al. do it: at the end of training and along a training History.

Derivation: https://biascourse.github.io/biascourse/book/derivations/bias_amplification.html#deriv-amp-training.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import torch

from .. import _checks, models
from ._calibration import calibration
from ._measure import BiasAmplificationWarning, accuracy_table, bias_amplification, contingency_table

@dataclass(frozen=True)
class AmplificationReport:
    """What Hall et al. log for each trained model, for K models at once.

    Attributes
    ----------
    bias_amplification : BiasAmp A->T (group given, the model's target predicted), shape (K,).
    accuracy : overall accuracy (K,).
    ece, mce : calibration errors with :data:`N_BINS` bins (K,).
    cell_accuracy : accuracy per group x target cell (K, |A|, |T|).
    counts : ground-truth table (|A|, |T|) of the evaluation set.
    predicted_counts : (true group, predicted target) tables (K, |A|, |T|).
    """

    bias_amplification: np.ndarray
    accuracy: np.ndarray
    ece: np.ndarray
    mce: np.ndarray
    cell_accuracy: np.ndarray
    counts: np.ndarray
    predicted_counts: np.ndarray


def report_values(reports, field: str) -> np.ndarray:
    """One field of the reports of a sweep as a (K, C) array: K seeds, one column per report.

    Parameters
    ----------
    reports : the :class:`AmplificationReport` of each configuration, in the order of the sweep,
        each over the same K seeds.
    field : a per-seed field: ``"bias_amplification"``, ``"accuracy"``, ``"ece"`` or ``"mce"``.
    """
    allowed = ("bias_amplification", "accuracy", "ece", "mce")
    _checks.choice("field", field, allowed)
    columns = [np.asarray(getattr(r, field), dtype=np.float64) for r in reports]
    if not columns:
        raise ValueError("reports must hold at least one report")
    if len({c.shape for c in columns}) != 1:
        raise ValueError(f"every report must have the same number of seeds; got {[len(c) for c in columns]}")
    return np.stack(columns, axis=1)


@torch.no_grad()
def model_logits(model: torch.nn.Module, x, batch_size: int = 512) -> torch.Tensor:
    """Outputs (K, n, C) of a stack of K networks (or (1, n, C) of one network) in eval mode, on the
    CPU, computed ``batch_size`` inputs at a time by the package's one batched evaluation
    (:func:`biascourse.models.output_batches`)."""
    parts = [out.cpu() for _, out in models.output_batches(model, x, batch_size)]
    if not parts:
        raise ValueError("x must hold at least one input; got 0")
    return torch.cat(parts, dim=1)


def evaluate_amplification(model: torch.nn.Module, data, *, tie: str = "paper", y_counts=None,
                           empty: str = "raise", batch_size: int = 512) -> AmplificationReport:
    """Evaluate trained networks as Hall et al. do: BiasAmp A->T, accuracy, ECE, MCE, cell accuracy.

    Parameters
    ----------
    model : a stack of K networks (:class:`~biascourse.models.ModelStack`,
        :class:`~biascourse.models.BatchedMLP`) or one network, with one output per target value.
    data : evaluation set with ``x``, ``y`` (the model's target, e.g. the super-class) and
        ``group`` (the attribute), e.g. from :func:`inverted_train_test`. For a
        role-swapped set (target = the group of the original construction) the value is the
        original construction's T->A measure.
    tie, y_counts, empty : see :func:`bias_amplification_from_counts`.
    batch_size : samples per forward pass.
    """
    logits = model_logits(model, data.x, _checks.integer("batch_size", batch_size, 1))
    y, group = np.asarray(data.y), np.asarray(data.group)
    names = getattr(data, "group_names", None)  # an absent group must show up as an empty row
    n_tasks, n_groups = logits.shape[-1], len(names) if names is not None else int(group.max()) + 1
    predicted = logits.argmax(-1).numpy()
    amp = bias_amplification(y, group, predicted, n_tasks=n_tasks, n_attributes=n_groups, tie=tie,
                             y_counts=y_counts, empty=empty)
    cal = calibration(logits, y)
    counts = contingency_table(group, y, n_groups, n_tasks)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BiasAmplificationWarning)  # empty cells: NaN, already visible in counts
        cells = accuracy_table(y, group, predicted, n_tasks=n_tasks, n_attributes=n_groups)
    return AmplificationReport(np.atleast_1d(amp.value), (predicted == y).mean(-1), np.atleast_1d(cal.ece),
                               np.atleast_1d(cal.mce), cells, counts,
                               contingency_table(group, predicted, n_groups, n_tasks))


def predicted_counts_from_history(history, data, split: str = "test") -> np.ndarray:
    r"""(true group, predicted class) tables at every evaluation of a training run, for two classes.

    :func:`biascourse.train.train` records the accuracy of each group x class cell, which
    :meth:`History.cell_accuracy <biascourse.train.History.cell_accuracy>` gives by the cell's labels;
    with two classes a cell's errors are predictions of the other class, so the predicted counts
    follow: :math:`\hat n_{a,t} = \mathrm{acc}_{a,t}\,n_{a,t} + (1-\mathrm{acc}_{a,1-t})\,n_{a,1-t}`.

    Parameters
    ----------
    history : a :class:`~biascourse.train.History` (anything with ``n_models``, ``steps`` and
        ``cell_accuracy(split, group, cls)``) whose eval set ``split`` is ``data``.
    data : the evaluation set (``y`` in {0, 1}, ``group`` in [0, |A|)).
    split : name of the evaluation set.

    Returns
    -------
    numpy.ndarray
        int64 tables (K, T, |A|, 2) for the K networks and T evaluations; pass them to
        :func:`bias_amplification_from_counts` with ``data``'s counts.
    """
    y, group = np.asarray(data.y), np.asarray(data.group)
    classes = np.unique(y)
    if not set(classes.tolist()) <= {0, 1}:
        raise ValueError(f"predicted counts follow from cell accuracies only for two classes 0 and 1; got {classes}")
    counts = contingency_table(group, y, int(group.max()) + 1, 2)
    K, T = history.n_models, len(history.steps)
    correct = np.zeros((K, T, *counts.shape))
    for a in range(counts.shape[0]):
        for t in range(2):
            if counts[a, t]:
                correct[:, :, a, t] = history.cell_accuracy(split, a, t) * counts[a, t]
    correct = np.round(correct).astype(np.int64)
    wrong = counts - correct
    return correct + wrong[..., ::-1]
