r"""Bias amplification and calibration metrics of chapter 6, with confidence intervals.

Directional bias amplification (Wang and Russakovsky, 2021, eq. 2; derivation and conventions:
https://biascourse.github.io/biascourse/book/derivations/bias_amplification.html#deriv-amp-measure) compares how strongly a model's
predictions and the labels
co-occur with a group. For attributes (groups) ``a`` and tasks (classes) ``t``,

.. math::

    \mathrm{BiasAmp}_{\to} = \frac{1}{|A||T|}\sum_{a,t}\big[y_{at}\Delta_{at}
    + (1-y_{at})(-\Delta_{at})\big], \qquad
    y_{at} = \mathbb 1\big[P(A_a, T_t) > P(A_a)P(T_t)\big],

with :math:`\Delta_{at} = P(\hat T_t|A_a) - P(T_t|A_a)` for the direction A->T (group given,
class predicted) and :math:`P(\hat A_a|T_t) - P(A_a|T_t)` for T->A. Positive values mean that the
predictions are more correlated with the group than the labels are.

Two conventions exist (https://biascourse.github.io/biascourse/book/derivations/bias_amplification.html#deriv-amp-conventions). ``tie="paper"`` (the default) is the paper's formula and Hall et
al.'s code: :math:`y` is a strict-inequality indicator, so a tied cell contributes
:math:`-\Delta`, and the sum is divided by :math:`|A||T|`. ``tie="sign"`` is the reference
implementation of Wang and Russakovsky: :math:`y = \mathrm{sign}(P(A_a,T_t) - P(A_a)P(T_t))`, so a
tie contributes 0, and undefined cells are dropped from the mean. The two agree when no cell is
tied and no group (class, for T->A) is empty. An empty group never passes silently: it raises a
``ValueError`` unless ``empty="warn"`` is asked for, and then each convention's own handling is
applied with a :class:`BiasAmplificationWarning`.

Ties are decided in integers (:math:`n\,n_{at}` against :math:`n_a n_t`), so the exact-rate
constructions of :mod:`biascourse.datasets.amplification` give exact ties at
:math:`\varepsilon=0`.

The module also holds what Hall et al. log next to it: the expected and maximum calibration errors
with 15 right-closed bins (:func:`calibration`, :func:`binned_calibration`) and the accuracy of each
group x class cell (:func:`accuracy_table`); 95% intervals over seeds (:func:`seed_interval`, or
:func:`seed_bootstrap_interval`, which stays in the range of a bounded quantity) or over test
samples (:func:`bootstrap_interval`); the evaluation of trained networks
(:func:`evaluate_amplification`, and :func:`predicted_counts_from_history` during training); the
sweeps of Hall et al.'s research questions (:func:`report_values`, and :func:`sweep_optimum`, which
says whether a sweep's optimum lies inside the swept range, as in their V-shapes); and the values
of reference predictors (:func:`reference_bias_amplification`). Chapter 6 of the course
(``notebooks/06_bias_amplification.ipynb``) uses all of them.

Examples
--------
>>> counts = np.array([[30, 20], [20, 30]])            # rows: group, columns: class
>>> predicted = np.array([[35, 15], [18, 32]])         # rows: group, columns: predicted class
>>> bias_amplification_from_counts(counts, predicted).value
0.07
"""
from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from scipy import stats

from ._random import check_seed
from .train import class_name, group_name, metric_key

#: The two directions of the measure: group given and class predicted, or the reverse.
DIRECTIONS = ("A->T", "T->A")
#: The two conventions for tied cells (and empty groups): the paper's and the reference code's.
TIES = ("paper", "sign")
#: Number of confidence bins of Hall et al.'s calibration measures.
N_BINS = 15


class BiasAmplificationWarning(UserWarning):
    """A bias-amplification cell is undefined or degenerate (an empty group or class)."""


def _check_choice(value: str, name: str, allowed: tuple) -> str:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {allowed}; got {value!r}")
    return value


def _integer_array(values, name: str) -> np.ndarray:
    array = np.asarray(values)
    if array.dtype.kind == "f":
        if not np.all(np.isfinite(array)) or not np.array_equal(array, np.round(array)):
            raise ValueError(f"{name} must hold integers; got non-integer values")
        array = array.astype(np.int64)
    elif array.dtype.kind not in "iub":
        raise ValueError(f"{name} must hold integers; got dtype {array.dtype}")
    return array.astype(np.int64)


def contingency_table(rows, cols, n_rows: int | None = None, n_cols: int | None = None) -> np.ndarray:
    """Count the samples in each (row value, column value) cell.

    Parameters
    ----------
    rows, cols : integer arrays of shape (..., n) that broadcast together, with values in
        ``[0, n_rows)`` and ``[0, n_cols)`` (e.g. groups and classes of n samples, with leading
        axes for seeds or bootstrap resamples).
    n_rows, n_cols : table sizes (default: the largest value + 1).

    Returns
    -------
    numpy.ndarray
        int64 counts of shape (..., n_rows, n_cols).
    """
    rows, cols = np.broadcast_arrays(_integer_array(rows, "rows"), _integer_array(cols, "cols"))
    if rows.ndim == 0:
        raise ValueError("rows and cols must be arrays of samples; got scalars")
    n_rows = int(rows.max(initial=-1)) + 1 if n_rows is None else int(n_rows)
    n_cols = int(cols.max(initial=-1)) + 1 if n_cols is None else int(n_cols)
    for name, values, size in (("rows", rows, n_rows), ("cols", cols, n_cols)):
        if values.size and (values.min() < 0 or values.max() >= size):
            raise ValueError(f"{name} must hold values in [0, {size}); got values in [{values.min()}, {values.max()}]")
    batch = rows.shape[:-1]
    n_batch = int(np.prod(batch, dtype=np.int64))
    offsets = np.arange(n_batch, dtype=np.int64).reshape(*batch, 1) * (n_rows * n_cols)
    flat = (offsets + rows * n_cols + cols).ravel()
    counts = np.bincount(flat, minlength=n_batch * n_rows * n_cols)
    return counts.reshape(*batch, n_rows, n_cols)


@dataclass(frozen=True)
class BiasAmplification:
    r"""Directional bias amplification and its per-cell breakdown.

    Attributes
    ----------
    value : the measure, a float, or an array over the leading (seed, resample, ...) axes.
    terms : per-cell terms (..., |A|, |T|): :math:`(2y-1)\Delta` (paper) or :math:`y\Delta`
        (sign); NaN where a cell is undefined (empty group).
    delta : :math:`\Delta_{at}` (..., |A|, |T|).
    y : the co-occurrence indicator (..., |A|, |T|): 1/0 (paper) or +1/0/-1 (sign).
    direction : ``"A->T"`` or ``"T->A"``.
    tie : ``"paper"`` or ``"sign"``.
    """

    value: float | np.ndarray
    terms: np.ndarray
    delta: np.ndarray
    y: np.ndarray
    direction: str
    tie: str


def _cooccurrence(table: np.ndarray, tie: str, atol: float | None) -> np.ndarray:
    """y_at: compare n * n_at with n_a * n_t, exactly for integer counts (atol None)."""
    n = table.sum(axis=(-2, -1), keepdims=True)
    diff = n * table - table.sum(axis=-1, keepdims=True) * table.sum(axis=-2, keepdims=True)
    if atol is not None:
        diff = np.where(np.abs(diff) <= atol, 0.0, diff)
    return (diff > 0).astype(np.int64) if tie == "paper" else np.sign(diff).astype(np.int64)


def _measure(table: np.ndarray, predicted: np.ndarray, y_table: np.ndarray, direction: str, tie: str, empty: str,
             atol: float | None) -> BiasAmplification:
    """The measure from a ground-truth table, the predicted table and the table that decides y."""
    _check_choice(direction, "direction", DIRECTIONS)
    _check_choice(tie, "tie", TIES)
    _check_choice(empty, "empty", ("raise", "warn"))
    if table.ndim < 2 or (table < 0).any() or (predicted < 0).any():
        raise ValueError(f"the tables must be non-negative, of shape (..., |A|, |T|); got shape {table.shape}")
    table, predicted = np.broadcast_arrays(table, predicted)
    y_table = np.broadcast_to(y_table, table.shape)
    # A->T conditions on the group (rows) and predicts the class (columns); T->A the reverse
    cond_axis, pred_axis = (-2, -1) if direction == "A->T" else (-1, -2)
    cond_name, pred_name = ("group", "class") if direction == "A->T" else ("class", "group")

    def missing(values: np.ndarray, axis: int) -> list:
        """Values of the variable on ``axis`` with no samples (in any table of the batch)."""
        totals = values.sum(axis=-2 if axis == -1 else -1).reshape(-1, values.shape[axis])
        return np.flatnonzero((totals == 0).any(axis=0)).tolist()

    same = np.array_equal if atol is None else lambda a, b: np.allclose(a, b, rtol=0, atol=atol)
    if not same(table.sum(axis=pred_axis), predicted.sum(axis=pred_axis)):
        raise ValueError(f"the predicted table must have the same {cond_name} totals as the ground truth: the "
                         f"conditioning variable of {direction} is ground truth in both tables")
    y = _cooccurrence(y_table, tie, atol)
    absent = missing(y_table, pred_axis)
    if absent:
        warnings.warn(f"{pred_name} {absent} has no samples in the table that decides y, so its cells are ties "
                      f"(term {'-Delta' if tie == 'paper' else '0'})", BiasAmplificationWarning, stacklevel=3)

    totals = table.sum(axis=pred_axis, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        delta = (predicted - table) / totals
    undefined = np.broadcast_to(totals == 0, delta.shape)
    if undefined.any():
        message = (f"{cond_name} {missing(table, cond_axis)} has no samples in the evaluated split, so Delta is "
                   f"undefined for its cells (direction {direction})")
        if empty == "raise":
            raise ValueError(message + "; use a larger or balanced test set, or pass empty='warn' to get "
                             "NaN (tie='paper') or drop those cells (tie='sign')")
        warnings.warn(message + ("; the result is NaN" if tie == "paper" else "; those cells are dropped from the mean"),
                      BiasAmplificationWarning, stacklevel=3)
    terms = (2 * y - 1) * delta if tie == "paper" else y * delta
    if tie == "paper":
        value = terms.sum(axis=(-2, -1)) / (table.shape[-2] * table.shape[-1])
    else:
        kept = (~undefined).sum(axis=(-2, -1))
        with np.errstate(invalid="ignore", divide="ignore"):
            value = np.where(undefined, 0.0, terms).sum(axis=(-2, -1)) / kept
    value = float(value) if np.ndim(value) == 0 else value
    return BiasAmplification(value, terms, delta, y, direction, tie)


def bias_amplification_from_counts(
    counts,
    predicted_counts,
    *,
    direction: str = "A->T",
    tie: str = "paper",
    y_counts=None,
    empty: str = "raise",
) -> BiasAmplification:
    r"""Directional bias amplification from count tables (https://biascourse.github.io/biascourse/book/derivations/bias_amplification.html#deriv-amp-measure, https://biascourse.github.io/biascourse/book/derivations/bias_amplification.html#deriv-amp-conventions).

    Parameters
    ----------
    counts : ground-truth table (..., |A|, |T|) of the evaluated split: rows are groups
        (attributes), columns classes (tasks).
    predicted_counts : the table with the predicted variable, same shape: for ``"A->T"``, rows are
        true groups and columns *predicted* classes; for ``"T->A"``, rows are *predicted* groups
        and columns true classes.
    direction : ``"A->T"`` (group given, class predicted; Hall et al.'s direction) or ``"T->A"``.
    tie : ``"paper"`` (default; the paper and Hall et al.'s code) or ``"sign"`` (the reference
        implementation of Wang and Russakovsky); see the module docstring.
    y_counts : optional table that decides :math:`y_{at}` (e.g. the training counts, as the
        reference implementation does when given training labels); default ``counts``.
    empty : what to do when a group (``"A->T"``) or class (``"T->A"``) has no samples in the
        evaluated split, so that :math:`\Delta` is undefined for its cells: ``"raise"`` a
        ``ValueError`` (default), or ``"warn"`` and apply the convention's own rule: the paper's
        formula gives NaN, the reference implementation drops those cells from the mean.

    Returns
    -------
    BiasAmplification

    Raises
    ------
    ValueError
        On an empty group (class) with ``empty="raise"``, or when the tables do not match (the
        true marginal of ``predicted_counts`` must equal that of ``counts``).

    Warns
    -----
    BiasAmplificationWarning
        When a value of the predicted variable never occurs in the table that decides
        :math:`y`: its cells are ties (term :math:`-\Delta` under ``"paper"``, 0 under ``"sign"``).
    """
    counts = _integer_array(counts, "counts")
    y_table = counts if y_counts is None else _integer_array(y_counts, "y_counts")
    return _measure(counts, _integer_array(predicted_counts, "predicted_counts"), y_table, direction, tie, empty, None)


def bias_amplification_from_probabilities(joint, predicted_joint, *, direction: str = "A->T", tie: str = "paper",
                                          atol: float = 1e-12) -> BiasAmplification:
    r"""Directional bias amplification of a population, from probability tables.

    The same measure as :func:`bias_amplification_from_counts` for an infinite test set, e.g. a
    model whose rates are known in closed form (the teacher-mixture student of chapter 4).

    Parameters
    ----------
    joint : :math:`P(A_a, T_t)`, shape (..., |A|, |T|).
    predicted_joint : :math:`P(A_a, \hat T_t)` for ``"A->T"`` (rows: true groups) or
        :math:`P(\hat A_a, T_t)` for ``"T->A"``; the true marginal must equal that of ``joint``.
    direction, tie : see :func:`bias_amplification_from_counts`.
    atol : differences :math:`|P(A_a,T_t) - P(A_a)P(T_t)|` up to ``atol`` count as ties.
    """
    joint = np.asarray(joint, dtype=np.float64)
    return _measure(joint, np.asarray(predicted_joint, dtype=np.float64), joint, direction, tie, "raise", atol)


def bias_amplification(
    task,
    attribute,
    predicted,
    *,
    direction: str = "A->T",
    n_tasks: int | None = None,
    n_attributes: int | None = None,
    tie: str = "paper",
    y_counts=None,
    empty: str = "raise",
) -> BiasAmplification:
    """Directional bias amplification from labels, groups and predictions (https://biascourse.github.io/biascourse/book/derivations/bias_amplification.html#deriv-amp-measure).

    Each sample has exactly one class (task) and one group (attribute); the tables are built
    with :func:`contingency_table` and passed to :func:`bias_amplification_from_counts`.

    Parameters
    ----------
    task : true classes (..., n), integers in ``[0, n_tasks)``.
    attribute : true groups (..., n), integers in ``[0, n_attributes)``.
    predicted : predicted classes (``"A->T"``) or predicted groups (``"T->A"``), shape (..., n);
        leading axes (seeds, resamples) give an array of values.
    direction, tie, y_counts, empty : see :func:`bias_amplification_from_counts`.
    n_tasks, n_attributes : numbers of classes and groups (default: inferred from the labels
        and predictions).

    Examples
    --------
    >>> bias_amplification([0, 0, 1, 1], [0, 0, 1, 1], [0, 0, 1, 1]).value   # perfect predictor
    0.0
    """
    _check_choice(direction, "direction", DIRECTIONS)
    task, attribute, predicted = (_integer_array(v, n) for v, n in
                                  ((task, "task"), (attribute, "attribute"), (predicted, "predicted")))
    predicts_task = direction == "A->T"
    n_tasks = n_tasks or 1 + int(max(task.max(initial=0), predicted.max(initial=0) if predicts_task else 0))
    n_attributes = n_attributes or 1 + int(max(attribute.max(initial=0),
                                               0 if predicts_task else predicted.max(initial=0)))
    counts = contingency_table(attribute, task, n_attributes, n_tasks)
    if direction == "A->T":
        predicted_counts = contingency_table(attribute, predicted, n_attributes, n_tasks)
    else:
        predicted_counts = contingency_table(predicted, task, n_attributes, n_tasks)
    return bias_amplification_from_counts(counts, predicted_counts, direction=direction, tie=tie,
                                          y_counts=y_counts, empty=empty)


def accuracy_table(task, attribute, predicted, *, n_tasks: int | None = None, n_attributes: int | None = None,
                   empty: str = "warn") -> np.ndarray:
    """Accuracy in each group x class cell, shape (..., |A|, |T|).

    Parameters
    ----------
    task, attribute : true classes and groups (..., n).
    predicted : predicted classes (..., n).
    n_tasks, n_attributes : table sizes (default: inferred).
    empty : an empty cell has no accuracy: ``"warn"`` (default) returns NaN there with a
        :class:`BiasAmplificationWarning`; ``"raise"`` raises a ``ValueError``.
    """
    _check_choice(empty, "empty", ("raise", "warn"))
    task, attribute, predicted = np.broadcast_arrays(*(_integer_array(v, n) for v, n in
                                                       ((task, "task"), (attribute, "attribute"),
                                                        (predicted, "predicted"))))
    n_tasks = n_tasks or int(max(task.max(initial=0), predicted.max(initial=0))) + 1
    n_attributes = n_attributes or int(attribute.max(initial=0)) + 1
    total = contingency_table(attribute, task, n_attributes, n_tasks)
    correct = contingency_table(attribute, np.where(task == predicted, task, n_tasks), n_attributes, n_tasks + 1)
    if (total == 0).any():
        cells = sorted({tuple(int(i) for i in c[-2:]) for c in np.argwhere(total == 0)})
        message = f"group x class cells {cells} (group, class) have no samples, so their accuracy is undefined"
        if empty == "raise":
            raise ValueError(message)
        warnings.warn(message + "; they are NaN", BiasAmplificationWarning, stacklevel=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        return correct[..., :n_tasks] / np.where(total == 0, np.nan, total)


#: The reference predictors of :func:`reference_bias_amplification`.
REFERENCE_PREDICTORS = ("perfect", "group_only", "group_blind")


def reference_bias_amplification(epsilon, predictor: str, accuracy: float = 1.0) -> np.ndarray:
    r"""BiasAmp A->T (paper convention) of reference predictors on the exact-rate constructions (https://biascourse.github.io/biascourse/book/derivations/bias_amplification.html#deriv-amp-findings).

    For two groups of equal size and two classes with :math:`P(T=0\mid A=0)=1/2+\varepsilon`,
    :math:`P(T=0\mid A=1)=1/2-\varepsilon` exactly (the inversion and overlay constructions with
    equal class sizes; group 0 here is the group that co-occurs with class 0), the cells with
    :math:`y=1` are (0, 0) and (1, 1), and by the single-label identity
    :math:`\mathrm{BiasAmp} = \tfrac12(\Delta_{00} + \Delta_{11})` for :math:`\varepsilon>0`:

    * ``"perfect"``: :math:`\Delta \equiv 0`, so 0;
    * ``"group_only"`` (predict class 0 exactly in group 0): :math:`\Delta_{00} = \Delta_{11} =
      1/2-\varepsilon`, so :math:`1/2-\varepsilon`; at :math:`\varepsilon=0` every cell ties and the
      value is 0 (the reference is discontinuous there);
    * ``"group_blind"`` (right with probability ``accuracy`` q in every cell, whatever the group):
      :math:`P(\hat T=0\mid A=0) = q(1/2+\varepsilon) + (1-q)(1/2-\varepsilon)`, so
      :math:`\Delta_{00} = \Delta_{11} = -2(1-q)\varepsilon` and the value is
      :math:`-2(1-q)\varepsilon \le 0`: errors independent of the group *de-amplify*.

    Parameters
    ----------
    epsilon : dataset bias, scalar or array, in [0, 1/2].
    predictor : one of :data:`REFERENCE_PREDICTORS`.
    accuracy : q, the per-cell accuracy of the group-blind predictor.
    """
    _check_choice(predictor, "predictor", REFERENCE_PREDICTORS)
    epsilon = np.asarray(epsilon, dtype=np.float64)
    if not np.all((epsilon >= 0) & (epsilon <= 0.5)):
        raise ValueError(f"epsilon must be in [0, 0.5]; got {epsilon}")
    if not 0 <= accuracy <= 1:
        raise ValueError(f"accuracy must be in [0, 1]; got {accuracy}")
    if predictor == "perfect":
        return np.zeros_like(epsilon)
    if predictor == "group_only":
        return np.where(epsilon > 0, 0.5 - epsilon, 0.0)
    return -2 * (1 - accuracy) * epsilon


@dataclass(frozen=True)
class Calibration:
    """Binned calibration of a classifier (Hall et al.'s overconfidence measures).

    Attributes
    ----------
    ece : expected calibration error, float or array over leading axes.
    mce : maximum calibration error over non-empty bins.
    accuracy, confidence : per-bin accuracy and mean confidence (..., n_bins), NaN in empty bins.
    count : samples per bin (..., n_bins).
    edges : bin edges ``m / n_bins``, m = 0..n_bins; bin m is ``(edges[m], edges[m + 1]]``.
    """

    ece: float | np.ndarray
    mce: float | np.ndarray
    accuracy: np.ndarray
    confidence: np.ndarray
    count: np.ndarray
    edges: np.ndarray


def binned_calibration(confidence, correct, n_bins: int = N_BINS) -> Calibration:
    r"""ECE and MCE from confidences and correctness (https://biascourse.github.io/biascourse/book/derivations/bias_amplification.html#deriv-amp-calibration, "ECE, 15 bins").

    The bins are open on the left and closed on the right, :math:`B_m = \{i: m/M < p_i \le
    (m+1)/M\}`: a confidence exactly on an inner edge belongs to the lower bin, a confidence of 1
    to the last bin. Empty bins are skipped:

    .. math::

        \mathrm{ECE} = \sum_{m:|B_m|>0} \frac{|B_m|}{n}\,|\mathrm{acc}(B_m) - \mathrm{conf}(B_m)|,
        \qquad \mathrm{MCE} = \max_{m:|B_m|>0} |\mathrm{acc}(B_m) - \mathrm{conf}(B_m)|.

    Parameters
    ----------
    confidence : confidences (..., n) in (0, 1], e.g. the largest softmax probability.
    correct : whether each prediction is right (..., n), booleans or 0/1.
    n_bins : number of bins (15 as in Hall et al.).

    Raises
    ------
    ValueError
        If a confidence is outside (0, 1] (Hall et al.'s code asserts that none equals 0).
    """
    if isinstance(n_bins, bool) or not isinstance(n_bins, (int, np.integer)) or n_bins < 1:
        raise ValueError(f"n_bins must be an integer >= 1; got {n_bins!r}")
    confidence = np.asarray(confidence, dtype=np.float64)
    correct = np.broadcast_to(np.asarray(correct, dtype=np.float64), confidence.shape)
    if confidence.ndim == 0 or confidence.shape[-1] == 0:
        raise ValueError("confidence must hold at least one sample")
    if not np.all((confidence > 0) & (confidence <= 1)):
        bad = confidence[~((confidence > 0) & (confidence <= 1))].ravel()[0]
        raise ValueError(f"confidence must be in (0, 1]; got {bad}")
    edges = np.arange(n_bins + 1) / n_bins
    bins = np.searchsorted(edges, confidence, side="left") - 1  # edges[m] < p <= edges[m + 1]
    batch = confidence.shape[:-1]
    n_batch = int(np.prod(batch, dtype=np.int64))
    flat = (np.arange(n_batch).reshape(*batch, 1) * n_bins + bins).ravel()

    def per_bin(weights):
        return np.bincount(flat, weights=None if weights is None else weights.ravel(),
                           minlength=n_batch * n_bins).reshape(*batch, n_bins)

    count = per_bin(None)
    with np.errstate(invalid="ignore", divide="ignore"):
        accuracy = per_bin(correct) / np.where(count == 0, np.nan, count)
        mean_conf = per_bin(confidence) / np.where(count == 0, np.nan, count)
    gap = np.where(count > 0, np.abs(accuracy - mean_conf), 0.0)
    ece = (count * gap).sum(-1) / count.sum(-1)
    mce = gap.max(-1)
    ece, mce = (float(v) if np.ndim(v) == 0 else v for v in (ece, mce))
    return Calibration(ece, mce, accuracy, mean_conf, count, edges)


def calibration(logits, labels, n_bins: int = N_BINS) -> Calibration:
    """ECE and MCE of a classifier from its logits: confidence = max softmax, prediction = arg-max.

    Parameters
    ----------
    logits : (..., n, C) array or tensor.
    labels : true classes (n,) or (..., n).
    n_bins : number of bins (15 as in Hall et al.).
    """
    logits = torch.as_tensor(np.asarray(logits) if not isinstance(logits, torch.Tensor) else logits)
    probs = torch.softmax(logits.double(), dim=-1)
    confidence, predicted = probs.max(dim=-1)
    correct = predicted.cpu().numpy() == np.asarray(labels)
    return binned_calibration(confidence.cpu().numpy(), correct, n_bins)


@dataclass(frozen=True)
class Interval:
    """An estimate with a confidence interval (arrays over the remaining axes).

    Attributes
    ----------
    estimate, low, high : the point estimate and the interval's bounds.
    level : the confidence level (0.95 for 95%).
    """

    estimate: np.ndarray
    low: np.ndarray
    high: np.ndarray
    level: float

    @property
    def yerr(self) -> np.ndarray:
        """Distances ``(2, ...)`` from the estimate to the bounds, for ``plt.errorbar(yerr=...)``."""
        return np.stack([self.estimate - self.low, self.high - self.estimate])


def _check_level(level: float) -> float:
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1); got {level}")
    return float(level)


def seed_interval(values, axis: int = 0, level: float = 0.95) -> Interval:
    """Mean over seeds with a Student-t confidence interval, ``mean ± t_{K-1} s / sqrt(K)``.

    Parameters
    ----------
    values : one value per seed along ``axis`` (e.g. the (K, T) arrays of a History).
    axis : the seed axis.
    level : confidence level.

    Raises
    ------
    ValueError
        With fewer than two seeds (no spread to estimate), or NaN values.
    """
    level = _check_level(level)
    values = np.asarray(values, dtype=np.float64)
    k = values.shape[axis]
    if k < 2:
        raise ValueError(f"a confidence interval over seeds needs at least 2 seeds; got {k}")
    if np.isnan(values).any():
        raise ValueError("values contain NaN (an undefined metric); fix it before averaging over seeds")
    mean = values.mean(axis=axis)
    half = stats.t.ppf(0.5 + level / 2, k - 1) * values.std(axis=axis, ddof=1) / np.sqrt(k)
    return Interval(mean, mean - half, mean + half, level)


def bootstrap_interval(statistic: Callable[..., np.ndarray], *samples, n_resamples: int = 1000,
                       level: float = 0.95, seed: int, chunk: int = 100) -> Interval:
    """Percentile bootstrap interval of a statistic of the test samples (one model).

    The samples (e.g. classes, groups and predictions of the n test images) are resampled with
    replacement together; ``statistic`` is called on arrays with a leading resample axis and
    must return one value per resample.

    Parameters
    ----------
    statistic : ``statistic(*resampled) -> (B,) values``, e.g.
        ``lambda t, a, p: bias_amplification(t, a, p).value``.
    samples : arrays whose last axis is the n samples.
    n_resamples : number of bootstrap resamples.
    level : confidence level.
    seed : seed of the resampling.
    chunk : resamples evaluated per call (bounds the memory).

    Examples
    --------
    >>> ci = bootstrap_interval(lambda t, a, p: bias_amplification(t, a, p).value, task, group, pred, seed=0)
    """
    level = _check_level(level)
    if n_resamples < 2:
        raise ValueError(f"n_resamples must be >= 2; got {n_resamples}")
    arrays = [np.asarray(s) for s in samples]
    n = arrays[0].shape[-1]
    if any(a.shape[-1] != n for a in arrays):
        raise ValueError(f"all samples must have the same last axis; got {[a.shape for a in arrays]}")
    rng = np.random.default_rng(check_seed(seed))
    values = []
    for start in range(0, n_resamples, chunk):
        idx = rng.integers(0, n, size=(min(chunk, n_resamples - start), n))
        values.append(np.asarray(statistic(*(np.take(a, idx, axis=-1) if a.ndim == 1 else a[..., idx]
                                             for a in arrays)), dtype=np.float64))
    values = np.concatenate(values, axis=0)
    estimate = np.asarray(statistic(*(a[None] for a in arrays)), dtype=np.float64)[0]
    low, high = np.quantile(values, [0.5 - level / 2, 0.5 + level / 2], axis=0)
    return Interval(estimate, low, high, level)


def seed_bootstrap_interval(values, axis: int = 0, level: float = 0.95, n_resamples: int = 2000, *,
                            seed: int) -> Interval:
    """Mean over seeds with a percentile-bootstrap interval over the seeds (https://biascourse.github.io/biascourse/book/derivations/bias_amplification.html#deriv-amp-intervals).

    The K seeds are drawn with replacement ``n_resamples`` times and the mean is recomputed; the
    interval holds the central ``level`` of those means. Every resampled mean lies between the
    smallest and the largest value over seeds, so the interval never leaves the range of the
    measured quantity (an accuracy stays in [0, 1], an amplification below its ceiling
    :math:`1/2-\\varepsilon`), unlike the Student-t interval of :func:`seed_interval`. The same
    resampled seeds are used for every entry of the other axes, so the seeds of a sweep stay
    paired. With few seeds the interval is narrow (it cannot be wider than the values' range)
    and covers the mean less often than ``level``: it describes the spread of the seeds at hand.

    Parameters
    ----------
    values : one value per seed along ``axis`` (e.g. the (K, C) array of a sweep, from
        :func:`report_values`).
    axis : the seed axis.
    level : confidence level in (0, 1).
    n_resamples : number of bootstrap resamples, >= 2.
    seed : seed of the resampling.

    Raises
    ------
    ValueError
        With fewer than two seeds, or NaN values.
    """
    level = _check_level(level)
    if n_resamples < 2:
        raise ValueError(f"n_resamples must be >= 2; got {n_resamples}")
    values = np.moveaxis(np.asarray(values, dtype=np.float64), axis, 0)
    k = values.shape[0]
    if k < 2:
        raise ValueError(f"a bootstrap over seeds needs at least 2 seeds; got {k}")
    if np.isnan(values).any():
        raise ValueError("values contain NaN (an undefined metric); fix it before averaging over seeds")
    rng = np.random.default_rng(check_seed(seed))
    means = values[rng.integers(0, k, size=(n_resamples, k))].mean(axis=1)
    low, high = np.quantile(means, [0.5 - level / 2, 0.5 + level / 2], axis=0)
    return Interval(values.mean(axis=0), low, high, level)


@dataclass(frozen=True)
class SweepOptimum:
    """Where a sweep is best, and how firmly its seeds place the optimum.

    Attributes
    ----------
    best : index of the best configuration of the mean over seeds.
    share : (C,) fraction of the bootstrap resamples over seeds in which each configuration is the
        best; it sums to 1.
    interior : fraction of the resamples whose best configuration is neither end of the sweep. A
        V-shape (an optimum inside the swept range) needs it close to 1; a monotone sweep gives 0.
    kind : ``"min"`` or ``"max"``.
    """

    best: int
    share: np.ndarray
    interior: float
    kind: str


def sweep_optimum(values, kind: str = "min", n_resamples: int = 2000, *, seed: int) -> SweepOptimum:
    """The optimum of a swept quantity, with a bootstrap over seeds (https://biascourse.github.io/biascourse/book/derivations/bias_amplification.html#deriv-amp-findings, "V-shape").

    Hall et al. find the amplification V-shaped in capacity and weight decay (smallest inside the
    swept range) and its optimum away from that of the accuracy. This function says where the
    optimum of a sweep lies and whether it is inside the range: the seeds are resampled with
    replacement (the same seeds for every configuration, so they stay paired), the mean over seeds is
    recomputed, and the configuration with the smallest (``"min"``) or largest (``"max"``) mean is
    counted.

    Parameters
    ----------
    values : (K, C) array: K seeds, C configurations in the order of the sweep (e.g.
        :func:`report_values`).
    kind : ``"min"`` (e.g. amplification, calibration error) or ``"max"`` (e.g. accuracy).
    n_resamples : number of bootstrap resamples, >= 2.
    seed : seed of the resampling.

    Returns
    -------
    SweepOptimum

    Examples
    --------
    >>> sweep_optimum([[3, 1, 2], [4, 2, 3]], seed=0).best, sweep_optimum([[3, 1, 2], [4, 2, 3]], seed=0).interior
    (1, 1.0)
    """
    _check_choice(kind, "kind", ("min", "max"))
    if n_resamples < 2:
        raise ValueError(f"n_resamples must be >= 2; got {n_resamples}")
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 2 or values.shape[0] < 2 or values.shape[1] < 2:
        raise ValueError(f"values must be a (K, C) array with K >= 2 seeds and C >= 2 configurations; "
                         f"got shape {values.shape}")
    if np.isnan(values).any():
        raise ValueError("values contain NaN (an undefined metric); fix it before looking for an optimum")
    pick = np.argmin if kind == "min" else np.argmax
    rng = np.random.default_rng(check_seed(seed))
    k, c = values.shape
    means = values[rng.integers(0, k, size=(n_resamples, k))].mean(axis=1)
    share = np.bincount(pick(means, axis=1), minlength=c) / n_resamples
    return SweepOptimum(int(pick(values.mean(axis=0))), share, float(share[1:-1].sum()), kind)


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
    _check_choice(field, "field", allowed)
    columns = [np.asarray(getattr(r, field), dtype=np.float64) for r in reports]
    if not columns:
        raise ValueError("reports must hold at least one report")
    if len({c.shape for c in columns}) != 1:
        raise ValueError(f"every report must have the same number of seeds; got {[len(c) for c in columns]}")
    return np.stack(columns, axis=1)


@torch.no_grad()
def model_logits(model: torch.nn.Module, x, batch_size: int = 512) -> torch.Tensor:
    """Outputs (K, n, C) of a stack of K networks (or (1, n, C) of one network) in eval mode."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    x = torch.as_tensor(np.asarray(x) if not isinstance(x, torch.Tensor) else x)
    stacked = hasattr(model, "n_models")
    outs = []
    for start in range(0, len(x), batch_size):
        xb = x[start:start + batch_size].to(device=device, dtype=next(model.parameters()).dtype)
        outs.append((model(xb, shared=True) if stacked else model(xb)[None]).cpu())
    model.train(was_training)
    return torch.cat(outs, dim=1)


def evaluate_amplification(model: torch.nn.Module, data, *, tie: str = "paper", y_counts=None,
                           empty: str = "raise", batch_size: int = 512) -> AmplificationReport:
    """Evaluate trained networks as Hall et al. do: BiasAmp A->T, accuracy, ECE, MCE, cell accuracy.

    Parameters
    ----------
    model : a stack of K networks (:class:`~biascourse.models.ModelStack`,
        :class:`~biascourse.models.BatchedMLP`) or one network, with one output per target value.
    data : evaluation set with ``x``, ``y`` (the model's target, e.g. the super-class) and
        ``group`` (the attribute), e.g. from :mod:`biascourse.datasets.amplification`. For a
        role-swapped set (target = the group of the original construction) the value is the
        original construction's T->A measure.
    tie, y_counts, empty : see :func:`bias_amplification_from_counts`.
    batch_size : samples per forward pass.
    """
    logits = model_logits(model, data.x, batch_size)
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

    :func:`biascourse.train.train` records the accuracy of each group x class cell; with two
    classes a cell's errors are predictions of the other class, so the predicted counts follow:
    :math:`\hat n_{a,t} = \mathrm{acc}_{a,t}\,n_{a,t} + (1-\mathrm{acc}_{a,1-t})\,n_{a,1-t}`.

    Parameters
    ----------
    history : a :class:`~biascourse.train.History` whose eval set ``split`` is ``data``.
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
    signed = set(classes.tolist()) <= {-1, 1}
    counts = contingency_table(group, y, int(group.max()) + 1, 2)
    K, T = history.n_models, len(history.steps)
    correct = np.zeros((K, T, *counts.shape))
    for a in range(counts.shape[0]):
        single_class = np.unique(y[group == a]).size == 1
        for t in range(2):
            if counts[a, t] == 0:
                continue
            key = metric_key("accuracy", split, group=group_name(a), cls=None if single_class else class_name(t, signed))
            correct[:, :, a, t] = history[key] * counts[a, t]
    correct = np.round(correct).astype(np.int64)
    wrong = counts - correct
    return correct + wrong[..., ::-1]
