r"""Hall et al.'s overconfidence measures: expected and maximum calibration errors with 15 right-closed bins.

Derivation: https://biascourse.github.io/biascourse/book/derivations/bias_amplification.html#deriv-amp-calibration.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .. import _checks

#: Number of confidence bins of Hall et al.'s calibration measures.
N_BINS = 15


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
    ArgumentTypeError
        If ``confidence`` or ``correct`` holds no numbers, or ``n_bins`` is not an integer.
    ValueError
        If a confidence is NaN or outside (0, 1] (Hall et al.'s code asserts that none equals 0),
        ``confidence`` holds no sample, ``correct`` holds anything but 0/1 or has another length
        than ``confidence``, or ``n_bins < 1``.
    """
    n_bins = _checks.integer("n_bins", n_bins, 1)
    confidence = _checks.array("confidence", confidence, finite=False, nonempty=False, dtype=np.float64)
    correct = _checks.array("correct", correct, nonempty=False, dtype=np.float64)
    if confidence.ndim == 0 or confidence.shape[-1] == 0:
        raise ValueError("confidence must hold at least one sample")
    if not np.all((correct == 0) | (correct == 1)):
        raise ValueError("correct must hold booleans or 0/1 (whether each prediction is right)")
    try:
        correct = np.broadcast_to(correct, confidence.shape)
    except ValueError:
        raise ValueError(f"confidence and correct must have the same length (one entry per sample); "
                         f"got shapes {confidence.shape} and {correct.shape}") from None
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

    Raises
    ------
    ArgumentTypeError
        If ``logits`` or ``labels`` holds no numbers (``labels``: no integers).
    ValueError
        If ``logits`` is not (..., n, C) with C >= 1 or holds NaN or infinite values, ``labels``
        holds a value outside [0, C) or has another length than the logits, or ``n_bins < 1``.
    """
    array = _checks.array("logits", logits)
    if array.ndim < 2:
        raise ValueError(f"logits must have shape (..., n, C); got {array.shape}")
    labels = _checks.array("labels", labels, dtype=None)
    if labels.dtype.kind not in "iu" or labels.ndim == 0:
        raise _checks.ArgumentTypeError(f"labels must be an array of integer classes (..., n); got dtype {labels.dtype}")
    if labels.min() < 0 or labels.max() >= array.shape[-1]:
        raise ValueError(f"labels must hold classes in [0, C) = [0, {array.shape[-1]}); "
                         f"got values from {labels.min()} to {labels.max()}")
    try:
        np.broadcast_shapes(array.shape[:-1], labels.shape)
    except ValueError:
        raise ValueError(f"logits (..., n, C) and labels (..., n) must have the same number of samples; "
                         f"got shapes {array.shape} and {labels.shape}") from None
    logits = torch.as_tensor(logits) if isinstance(logits, torch.Tensor) else torch.as_tensor(array)
    probs = torch.softmax(logits.double(), dim=-1)
    confidence, predicted = probs.max(dim=-1)
    correct = predicted.cpu().numpy() == labels
    return binned_calibration(confidence.cpu().numpy(), correct, n_bins)

