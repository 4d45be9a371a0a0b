r"""Directional bias amplification (Wang and Russakovsky, 2021, eq. 2), its count tables and reference values.

Derivation and conventions:
https://biascourse.github.io/biascourse/book/derivations/bias_amplification.html#deriv-amp-measure. The measure
compares how strongly a model's predictions and the labels co-occur with a group. For attributes (groups)
``a`` and tasks (classes) ``t``,

.. math::

    \mathrm{BiasAmp}_{\to} = \frac{1}{|A||T|}\sum_{a,t}\big[y_{at}\Delta_{at}
    + (1-y_{at})(-\Delta_{at})\big], \qquad
    y_{at} = \mathbb 1\big[P(A_a, T_t) > P(A_a)P(T_t)\big],

with :math:`\Delta_{at} = P(\hat T_t|A_a) - P(T_t|A_a)` for the direction A->T (group given,
class predicted) and :math:`P(\hat A_a|T_t) - P(A_a|T_t)` for T->A. Positive values mean that the
predictions are more correlated with the group than the labels are.

Two conventions exist (https://biascourse.github.io/biascourse/book/derivations/bias_amplification.html#deriv-amp-conventions).
``tie="paper"`` (the default) is the paper's formula and Hall et al.'s code: :math:`y` is a
strict-inequality indicator, so a tied cell contributes :math:`-\Delta`, and the sum is divided by
:math:`|A||T|`. ``tie="sign"`` is the reference implementation of Wang and Russakovsky:
:math:`y = \mathrm{sign}(P(A_a,T_t) - P(A_a)P(T_t))`, so a tie contributes 0, and undefined cells are
dropped from the mean. The two agree when no cell is tied and no group (class, for T->A) is empty. An
empty group never passes silently: it raises a ``ValueError`` unless ``empty="warn"`` is asked for, and
then each convention's own handling is applied with a :class:`BiasAmplificationWarning`.

Ties are decided in integers (:math:`n\,n_{at}` against :math:`n_a n_t`), so the exact-rate
constructions of :func:`~biascourse.amplification.inverted_superclasses` and
:func:`~biascourse.amplification.overlay_classes` give exact ties at :math:`\varepsilon=0`.

This module imports neither torch nor the trainer: it works on labels, counts and probabilities.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from .. import _checks

#: The two directions of the measure: group given and class predicted, or the reverse.
DIRECTIONS = ("A->T", "T->A")
#: The two conventions for tied cells (and empty groups): the paper's and the reference code's.
TIES = ("paper", "sign")
#: What to do when a group (class, for T->A) of the evaluated split is empty.
EMPTY = ("raise", "warn")


class BiasAmplificationWarning(UserWarning):
    """A bias-amplification cell is undefined or degenerate (an empty group or class)."""




def _integer_array(values, name: str) -> np.ndarray:
    array = _checks.array(name, values, dtype=None, finite=False, nonempty=False)
    if array.dtype.kind == "f":
        if not np.all(np.isfinite(array)):
            raise ValueError(f"{name} must hold integers; got NaN or infinite values")
        if not np.array_equal(array, np.round(array)):
            raise ValueError(f"{name} must hold integers; got non-integer values")
        array = array.astype(np.int64)
    elif array.dtype.kind not in "iub":
        raise _checks.ArgumentTypeError(f"{name} must hold integers; got dtype {array.dtype}")
    return array.astype(np.int64)


def _labels(**named) -> list[np.ndarray]:
    """Label arrays of samples (..., n) as int64, checked: integers >= 0, at least one sample, same shape."""
    arrays = {name: _integer_array(values, name) for name, values in named.items()}
    for name, values in arrays.items():
        if values.ndim == 0:
            raise ValueError(f"{name} must be an array of samples, shape (..., n); got a single number")
        if values.shape[-1] == 0:
            raise ValueError(f"{name} must hold at least one sample; got shape {values.shape}")
        if values.min() < 0:
            raise ValueError(f"{name} must hold integers in [0, inf); got {values.min()}")
    try:
        return list(np.broadcast_arrays(*arrays.values()))
    except ValueError:
        shapes = ", ".join(f"{name} {values.shape}" for name, values in arrays.items())
        raise ValueError(f"{', '.join(arrays)} must have the same length (one entry per sample); got {shapes}") from None


def _size(name: str, value, labels: dict) -> int:
    """A table size: the given integer (checked against the labels) or the largest label + 1."""
    largest = max(int(values.max()) for values in labels.values())
    if value is None:
        return largest + 1
    value = _checks.integer(name, value, 1)
    for label, values in labels.items():
        if values.max() >= value:
            raise ValueError(f"{label} must hold values in [0, {name}) = [0, {value}); got {int(values.max())}")
    return value


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

    Raises
    ------
    ArgumentTypeError
        If ``rows`` or ``cols`` holds anything but integers, or ``n_rows`` / ``n_cols`` is not an integer.
    ValueError
        If ``rows`` or ``cols`` is a number, holds no sample, a negative value or a value at or
        above its table size, or the two have different lengths.
    """
    rows, cols = _labels(rows=rows, cols=cols)
    return _contingency(rows, cols, _size("n_rows", n_rows, {"rows": rows}), _size("n_cols", n_cols, {"cols": cols}))


def _contingency(rows: np.ndarray, cols: np.ndarray, n_rows: int, n_cols: int) -> np.ndarray:
    """:func:`contingency_table` of checked labels."""
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
    _checks.choice("direction", direction, DIRECTIONS)
    _checks.choice("tie", tie, TIES)
    _checks.choice("empty", empty, EMPTY)
    if table.ndim < 2 or (table < 0).any() or (predicted < 0).any():
        raise ValueError(f"the tables must be non-negative, of shape (..., |A|, |T|); got shape {table.shape}")
    if predicted.shape[-2:] != table.shape[-2:]:
        raise ValueError(f"the predicted table must have the shape (..., |A|, |T|) = (..., {table.shape[-2]}, "
                         f"{table.shape[-1]}) of the ground truth; got {predicted.shape}")
    try:
        table, predicted = np.broadcast_arrays(table, predicted)
    except ValueError:
        raise ValueError(f"the leading (batch) axes of the two tables must broadcast together; got shapes "
                         f"{table.shape} and {predicted.shape}") from None
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
    ArgumentTypeError
        If a table holds anything but integers.
    ValueError
        On an empty group (class) with ``empty="raise"``, a negative count, tables of different
        shapes, or tables that do not match (the true marginal of ``predicted_counts`` must equal
        that of ``counts``); on an unknown ``direction``, ``tie`` or ``empty``.

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

    Raises
    ------
    ArgumentTypeError
        If a table holds no numbers or ``atol`` is not a number.
    ValueError
        If a table holds NaN, infinite or negative values, or does not sum to 1 (within
        ``max(atol, 1e-9)``) over its last two axes; if the tables do not match (see
        :func:`bias_amplification_from_counts`), ``atol < 0``, or ``direction`` or ``tie`` is unknown.
    """
    atol = _checks.real("atol", atol, 0)
    tables = {}
    for name, value in (("joint", joint), ("predicted_joint", predicted_joint)):
        table = _checks.array(name, value, low=0, dtype=np.float64)
        if table.ndim < 2:
            raise ValueError(f"{name} must be a probability table of shape (..., |A|, |T|); got shape {table.shape}")
        total = table.sum(axis=(-2, -1))
        if not np.allclose(total, 1.0, rtol=0, atol=max(atol, 1e-9)):
            raise ValueError(f"{name} must be a probability table: its entries must sum to 1 over the last two axes; "
                             f"got sums from {total.min():.6g} to {total.max():.6g}")
        tables[name] = table
    joint = tables["joint"]
    return _measure(joint, tables["predicted_joint"], joint, direction, tie, "raise", atol)


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

    Raises
    ------
    ArgumentTypeError
        If a label array holds anything but integers, or ``n_tasks`` / ``n_attributes`` is not an integer.
    ValueError
        If ``task``, ``attribute`` and ``predicted`` have different lengths, hold no sample or a
        negative value, or a value at or above ``n_tasks`` / ``n_attributes``; and as
        :func:`bias_amplification_from_counts` (an empty group, an unknown ``direction``, ...).

    Examples
    --------
    >>> bias_amplification([0, 0, 1, 1], [0, 0, 1, 1], [0, 0, 1, 1]).value   # perfect predictor
    0.0
    """
    _checks.choice("direction", direction, DIRECTIONS)
    task, attribute, predicted = _labels(task=task, attribute=attribute, predicted=predicted)
    predicts_task = direction == "A->T"
    n_tasks = _size("n_tasks", n_tasks, {"task": task, **({"predicted": predicted} if predicts_task else {})})
    n_attributes = _size("n_attributes", n_attributes,
                         {"attribute": attribute, **({} if predicts_task else {"predicted": predicted})})
    counts = _contingency(attribute, task, n_attributes, n_tasks)
    if direction == "A->T":
        predicted_counts = _contingency(attribute, predicted, n_attributes, n_tasks)
    else:
        predicted_counts = _contingency(predicted, task, n_attributes, n_tasks)
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

    Raises
    ------
    ArgumentTypeError, ValueError
        For the label arrays and table sizes as :func:`bias_amplification`; ValueError on an empty
        cell with ``empty="raise"`` or an unknown ``empty``.
    """
    _checks.choice("empty", empty, EMPTY)
    task, attribute, predicted = _labels(task=task, attribute=attribute, predicted=predicted)
    n_tasks = _size("n_tasks", n_tasks, {"task": task, "predicted": predicted})
    n_attributes = _size("n_attributes", n_attributes, {"attribute": attribute})
    total = _contingency(attribute, task, n_attributes, n_tasks)
    correct = _contingency(attribute, np.where(task == predicted, task, n_tasks), n_attributes, n_tasks + 1)
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
    _checks.choice("predictor", predictor, REFERENCE_PREDICTORS)
    epsilon = _checks.array("epsilon", epsilon, low=0.0, high=0.5, dtype=np.float64)
    accuracy = _checks.real("accuracy", accuracy, 0.0, 1.0)
    if predictor == "perfect":
        return np.zeros_like(epsilon)
    if predictor == "group_only":
        return np.where(epsilon > 0, 0.5 - epsilon, 0.0)
    return -2 * (1 - accuracy) * epsilon

