"""Low-rank embeddings: the effective rank of a network's learned representation.

https://biascourse.github.io/biascourse/book/derivations/simplicity_biases.html#deriv-simp-lowrank (after Huh et al.). The effective rank of a matrix
with singular values :math:`\\sigma_i` is :math:`\\exp H(p)`, the exponential of the Shannon entropy
of :math:`p_i=\\sigma_i/\\sum_j\\sigma_j` (Roy and Vetterli's definition): it is r for a matrix
with r equal non-zero singular values, 1 for a rank-one matrix, and between the two in general.
Huh et al.'s code reports the entropy :math:`H(p)` itself (``log=True`` here).
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from .._checks import array, integer
from ..models import ACTIVATIONS, BatchedMLP


def effective_rank(matrix: np.ndarray | torch.Tensor, log: bool = False) -> np.ndarray:
    """Effective rank :math:`\\exp\\big(-\\sum_ip_i\\ln p_i\\big)`, :math:`p_i=\\sigma_i/\\sum_j\\sigma_j`.

    https://biascourse.github.io/biascourse/book/derivations/simplicity_biases.html#deriv-simp-lowrank.

    Parameters
    ----------
    matrix : shape (..., m, n); the singular values are taken over the last two axes. For a
        feature matrix (inputs as rows) they are the square roots of the eigenvalues of its Gram
        matrix; pass the Gram matrix itself to weigh the spectrum by :math:`\\sigma_i^2`.
    log : return the entropy :math:`H(p)` (the number Huh et al.'s code reports) instead of its
        exponential.

    Returns
    -------
    numpy.ndarray
        Shape (...): in [1, min(m, n)] (in [0, ln min(m, n)] with ``log=True``); ``nan`` for an
        all-zero matrix. Terms with :math:`p_i=0` contribute 0.

    Raises
    ------
    ValueError
        If ``matrix`` has fewer than 2 dimensions, is empty, or holds NaN, infinite or text values.
    """
    a = array("matrix", matrix)
    if a.ndim < 2:
        raise ValueError(f"matrix must have shape (..., m, n); got shape {a.shape}")
    s = np.linalg.svd(a, compute_uv=False)
    total = s.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = s / total
        entropy = -np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0).sum(axis=-1)
    entropy = np.where(total[..., 0] > 0, entropy, np.nan)
    return (entropy if log else np.exp(entropy))[()]


def hidden_features(model: BatchedMLP, x: np.ndarray | torch.Tensor, layer: int = -1) -> torch.Tensor:
    """The post-activation features of one hidden layer of every network of a stack.

    Parameters
    ----------
    model : K stacked MLPs with at least one hidden layer.
    x : inputs (n, d), shared by the K networks.
    layer : which hidden layer, counted from 1 (the first) to L (the last); negative values count
        from the end, so -1 (the default) is the last hidden layer, the one the readout sees.

    Returns
    -------
    torch.Tensor
        Shape (K, n, width), without gradients.
    """
    if not isinstance(model, BatchedMLP):
        raise TypeError(f"model must be a biascourse.models.BatchedMLP; got {type(model).__name__}")
    n_hidden = len(model.weights) - 1
    if n_hidden < 1:
        raise ValueError("model must have at least one hidden layer")
    layer = integer("layer", layer, -n_hidden, n_hidden)
    index = layer if layer > 0 else n_hidden + 1 + layer
    if layer == 0:
        raise ValueError(f"layer must be an integer in [1, {n_hidden}] or [-{n_hidden}, -1]; got {layer!r}")
    act = ACTIVATIONS[model.activation]
    w0 = model.weights[0]
    h = torch.as_tensor(x).to(device=w0.device, dtype=w0.dtype).flatten(1)
    with torch.no_grad():
        for i in range(index):
            h = torch.matmul(h, model.weights[i])
            if model.bias:
                h = h + model.biases[i]
            h = act(h)
    return h


def effective_rank_probe(
    x: np.ndarray, layer: int = -1, centre: bool = False, gram: bool = False, log: bool = False
) -> Callable[[BatchedMLP], np.ndarray]:
    """Probe for :func:`~biascourse.simplicity.train_with_probes`: the effective rank of the
    features of hidden layer ``layer`` on the inputs ``x`` (rows), shape (K,) for K networks.

    ``centre=True`` subtracts each feature's mean over the inputs first, which removes the
    direction common to all inputs; ``gram=True`` takes the Gram matrix :math:`\\Phi\\Phi^\\top` of the
    features :math:`\\Phi` (inputs as rows), whose singular values are :math:`\\sigma_i^2`; ``log`` as
    in :func:`effective_rank` (``gram=True, log=True`` is the entropy Huh et al.'s code reports)
    (https://biascourse.github.io/biascourse/book/derivations/simplicity_biases.html#deriv-simp-lowrank).
    """

    def probe(model: BatchedMLP) -> np.ndarray:
        features = hidden_features(model, x, layer)
        if centre:
            features = features - features.mean(dim=1, keepdim=True)
        if gram:
            features = features.double() @ features.double().transpose(-1, -2)
        return np.atleast_1d(effective_rank(features, log=log))

    return probe
