"""Many initialisations of one MLP at once, and the fraction of guesses per class.

An :class:`MLPEnsemble` holds K independent initialisations of the same architecture as stacked
weight tensors, so one batched forward pass evaluates all of them. Initialisation ``k`` of seed
``s`` is drawn from its own random stream, ``numpy.random.default_rng([s, k])``: it is the same
network whatever the ensemble it is created in, so initialisations picked out of a large ensemble
(the prejudiced ones, say) can be rebuilt and trained (https://biascourse.github.io/biascourse/book/derivations/initial_guessing_bias.html#deriv-igb-definitions, https://biascourse.github.io/biascourse/book/derivations/initial_guessing_bias.html#deriv-igb-architecture, https://biascourse.github.io/biascourse/book/derivations/initial_guessing_bias.html#deriv-igb-measurement).
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from .._checks import array, integer
from .._random import check_seed
from ..models import StackedLayers
from ._activations import Activation

#: The normalisation placements of https://biascourse.github.io/biascourse/book/derivations/initial_guessing_bias.html#deriv-igb-normalisation.
NORMS = ("none", "bn_before", "bn_after", "ln_before", "ln_after")

_NORM_EPS = 1e-5  # as torch.nn.BatchNorm1d / LayerNorm


@dataclass(frozen=True)
class MLPSpec:
    """The architecture and initialisation of the MLPs of chapter 7.

    Each hidden layer is Linear -> [norm if "before"] -> activation -> [norm if "after"] ->
    MaxPool1d(``pool``); the readout is a Linear layer with ``n_out`` outputs. Every Linear layer
    (readout included) has weights :math:`\\mathcal N(0, \\sigma_w^2/\\text{fan-in})` and biases
    :math:`\\mathcal N(0, \\sigma_b^2)`, so the outputs are the pre-activations of layer
    ``depth + 1`` of the mean-field theory (https://biascourse.github.io/biascourse/book/derivations/initial_guessing_bias.html#deriv-igb-architecture, https://biascourse.github.io/biascourse/book/derivations/initial_guessing_bias.html#deriv-igb-meanfield).

    Parameters
    ----------
    input_dim : input dimension d.
    width : hidden width N (before pooling).
    depth : number of hidden layers L (0 gives a linear readout of the input).
    n_out : number of outputs; 1 means one output whose sign is the class (class 0 when
        positive), C >= 2 means the class is the argmax.
    activation : ``"relu"``, ``"tanh"`` or ``"linear"``.
    shift : constant subtracted after the activation (``SHIFTED_RELU_SHIFT`` gives ShiftedReLU).
    sigma_w2 : weight variance times fan-in, :math:`\\sigma_w^2` (2 is Kaiming for ReLU).
    sigma_b2 : bias variance :math:`\\sigma_b^2`.
    pool : kernel size k of the max pooling after each activation (1 means none); must divide
        ``width``.
    norm : normalisation placement, one of ``NORMS``. BatchNorm uses the statistics of the batch
        it is applied to (train mode, as in the official measurement); neither norm has an affine
        part (the affine part is the identity at initialisation).
    """

    input_dim: int
    width: int = 100
    depth: int = 1
    n_out: int = 2
    activation: str = "relu"
    shift: float = 0.0
    sigma_w2: float = 2.0
    sigma_b2: float = 0.0
    pool: int = 1
    norm: str = "none"

    def __post_init__(self) -> None:
        for name in ("input_dim", "width", "n_out", "pool"):
            integer(name, getattr(self, name), 1)
        integer("depth", self.depth, 0)
        if not (np.isfinite(self.sigma_w2) and self.sigma_w2 > 0):
            raise ValueError(f"sigma_w2 must be > 0; got {self.sigma_w2}")
        if not (np.isfinite(self.sigma_b2) and self.sigma_b2 >= 0):
            raise ValueError(f"sigma_b2 must be >= 0; got {self.sigma_b2}")
        if self.width % self.pool:
            raise ValueError(f"pool must divide width; got pool={self.pool}, width={self.width}")
        if self.norm not in NORMS:
            raise ValueError(f"norm must be one of {NORMS}; got {self.norm!r}")
        Activation(self.activation, self.shift)  # validates both

    @property
    def phi(self) -> Activation:
        """The activation, as an :class:`~biascourse.igb.Activation`."""
        return Activation(self.activation, self.shift)

    @property
    def layer_sizes(self) -> list[tuple[int, int]]:
        """(fan-in, fan-out) of every Linear layer, readout last."""
        sizes, fan_in = [], self.input_dim
        for _ in range(self.depth):
            sizes.append((fan_in, self.width))
            fan_in = self.width // self.pool
        sizes.append((fan_in, self.n_out))
        return sizes


def _init_indices(inits: int | Sequence[int]) -> np.ndarray:
    if isinstance(inits, (int, np.integer)) and not isinstance(inits, bool):
        return np.arange(integer("inits (a number of initialisations)", inits, 1))
    idx = np.asarray(inits)
    if idx.ndim != 1 or idx.size == 0 or not np.issubdtype(idx.dtype, np.integer) or idx.min() < 0:
        raise ValueError(f"inits must be a positive integer or a non-empty list of indices >= 0; got {inits!r}")
    return idx.astype(np.int64)


class MLPEnsemble(StackedLayers):
    """K initialisations of one :class:`MLPSpec`, evaluated (and trained) in one batched pass.

    It stores its layers like :class:`biascourse.models.BatchedMLP` (:class:`~biascourse.models.StackedLayers`,
    whose docstring says why the two classes stay apart: a numpy initialisation per index that any
    sub-ensemble reproduces, normalisation, pooling and shifted activations here; stand-alone
    PyTorch networks there).

    Parameters
    ----------
    spec : the architecture and initialisation.
    inits : the number K of initialisations (indices 0..K-1), or the list of indices to build.
    seed : the ensemble seed; initialisation ``k`` uses ``numpy.random.default_rng([seed, k])``.

    Notes
    -----
    ``forward(x)`` takes ``x`` of shape (n, d), shared by every initialisation, or (K, n, d), and
    returns outputs of shape (K, n, n_out). The parameters are ordinary ``nn.Parameter`` tensors
    and the ensemble is a stack of K networks for :func:`biascourse.train.train`, which trains
    them together (the summed loss gives each network the gradient of its own loss).

    Examples
    --------
    >>> spec = MLPSpec(input_dim=20, width=32)
    >>> net = MLPEnsemble(spec, inits=8, seed=0)
    >>> net(torch.randn(100, 20)).shape
    torch.Size([8, 100, 2])
    """

    def __init__(self, spec: MLPSpec, inits: int | Sequence[int], seed: int) -> None:
        seed, inits = check_seed(seed), _init_indices(inits)
        sizes = spec.layer_sizes
        weights = [np.empty((len(inits), a, b), dtype=np.float32) for a, b in sizes]
        biases = [np.empty((len(inits), 1, b), dtype=np.float32) for _, b in sizes]
        sigma_b = np.sqrt(spec.sigma_b2)
        for row, k in enumerate(inits):
            rng = np.random.default_rng([seed, int(k)])
            for layer, (fan_in, fan_out) in enumerate(sizes):
                weights[layer][row] = rng.standard_normal((fan_in, fan_out), dtype=np.float32)
                weights[layer][row] *= np.sqrt(spec.sigma_w2 / fan_in)
                biases[layer][row, 0] = sigma_b * rng.standard_normal(fan_out, dtype=np.float32)
        super().__init__([torch.from_numpy(w) for w in weights], [torch.from_numpy(b) for b in biases])
        self.spec, self.seed, self.inits = spec, seed, inits
        self._phi = spec.phi

    def _norm(self, h: torch.Tensor, kind: str) -> torch.Tensor:
        if kind == "bn":  # over the data points, per initialisation and unit
            mean = h.mean(dim=1, keepdim=True)
            var = h.var(dim=1, unbiased=False, keepdim=True)
        else:  # layer norm: over the units, per initialisation and data point
            mean = h.mean(dim=2, keepdim=True)
            var = h.var(dim=2, unbiased=False, keepdim=True)
        return (h - mean) / torch.sqrt(var + _NORM_EPS)

    def preactivations(self, x: torch.Tensor) -> Iterator[torch.Tensor]:
        """Yield the pre-activations of every Linear layer, (K, n, fan-out) each, readout last."""
        spec = self.spec
        norm_kind, _, place = spec.norm.partition("_")
        a = x.to(device=self.weights[0].device, dtype=self.weights[0].dtype)
        for layer, (w, b) in enumerate(zip(self.weights, self.biases)):
            h = torch.matmul(a, w) + b  # (n, d) @ (K, d, N) broadcasts to (K, n, N)
            yield h
            if layer == spec.depth:
                return
            if place == "before":
                h = self._norm(h, norm_kind)
            a = self._phi.torch(h)
            if place == "after":
                a = self._norm(a, norm_kind)
            if spec.pool > 1:
                a = a.reshape(*a.shape[:-1], a.shape[-1] // spec.pool, spec.pool).amax(dim=-1)

    def forward(self, x: torch.Tensor, shared: bool | None = None) -> torch.Tensor:
        """Outputs of every initialisation, shape (K, n, n_out).

        ``x`` is (n, d), shared by the K networks, or (K, n, d), one batch per network; ``shared``
        (accepted for :func:`biascourse.train.train`) only checks which of the two it is.
        """
        if shared is not None and shared != (x.ndim == 2):
            expected = "(n, d)" if shared else "(K, n, d)"
            raise ValueError(f"shared={shared} needs x of shape {expected}; got {tuple(x.shape)}")
        *_, out = self.preactivations(x)
        return out


def fractions_from_outputs(outputs: np.ndarray | torch.Tensor) -> np.ndarray:
    """The fraction of guesses per class from network outputs (https://biascourse.github.io/biascourse/book/derivations/initial_guessing_bias.html#deriv-igb-definitions).

    Parameters
    ----------
    outputs : array of shape (..., n, C): C >= 2 outputs (the class is the argmax), or C = 1
        (the class is 0 where the output is positive, else 1).

    Returns
    -------
    numpy.ndarray
        Shape (..., max(C, 2)): :math:`G_c`, the fraction of the n points assigned to class c.

    Raises
    ------
    ValueError
        If ``outputs`` has fewer than 2 dimensions, no point (n = 0) or no output (C = 0), or holds
        NaN or infinite values (:class:`~biascourse._checks.ArgumentTypeError` for text).
    """
    checked = array("outputs", outputs)
    out = outputs if isinstance(outputs, torch.Tensor) else torch.as_tensor(checked)
    if out.ndim < 2 or 0 in out.shape[-2:]:
        raise ValueError(f"outputs must have shape (..., n, C) with n >= 1 points and C >= 1 outputs; "
                         f"got shape {tuple(out.shape)}")
    n_out = out.shape[-1]
    labels = (out[..., 0] <= 0).long() if n_out == 1 else out.argmax(dim=-1)
    n_classes = max(n_out, 2)
    counts = torch.nn.functional.one_hot(labels, n_classes).sum(dim=-2)
    return (counts.double() / out.shape[-2]).cpu().numpy()


def guess_fractions(model: Callable[[torch.Tensor], torch.Tensor], data: np.ndarray | torch.Tensor) -> np.ndarray:
    """The fraction of a data set assigned to each class by fixed initialisation(s).

    Parameters
    ----------
    model : a torch module or callable; an :class:`MLPEnsemble` gives one row per
        initialisation, an ordinary network one row in total. It is called once on the whole
        data set, without gradients and in its current train/eval mode (BatchNorm layers in train
        mode use the statistics of the data set, as in the official measurement).
    data : inputs of shape (n, ...), in the layout the model expects.

    Returns
    -------
    numpy.ndarray
        :math:`G_c` of shape (K, C) for an ensemble, (C,) for a single network; rows sum to 1.

    Raises
    ------
    ValueError
        If ``data`` is empty, holds NaN or infinite values or text, has fewer than 2 dimensions,
        or (for an :class:`MLPEnsemble`, or a network with ``in_features``) samples of another
        width than the model's input dimension.
    """
    checked = array("data", data)
    if checked.ndim < 2:
        raise ValueError(f"data must have shape (n, ...) with one sample per row; got shape {checked.shape}")
    spec = getattr(model, "spec", None)
    expected = spec.input_dim if isinstance(spec, MLPSpec) else getattr(model, "in_features", None)
    width = int(np.prod(checked.shape[1:]))
    if expected is not None and width != expected:
        raise ValueError(f"data must have {expected} features per sample (the model's input dimension); "
                         f"got samples of shape {checked.shape[1:]} ({width} features)")
    x = data if isinstance(data, torch.Tensor) else torch.as_tensor(checked)
    if not torch.is_floating_point(x):
        x = x.float()
    if isinstance(model, nn.Module):
        param = next(model.parameters(), None)
        if param is not None:
            x = x.to(device=param.device, dtype=param.dtype)
    with torch.no_grad():
        out = model(x)
    if out.ndim == 1:
        out = out[:, None]
    return fractions_from_outputs(out)


def favoured_first(per_class: np.ndarray, fractions: np.ndarray) -> np.ndarray:
    """Reorder per-class quantities of K networks so that each network's initially favoured class comes first.

    The official dynamics runs track the loss and accuracy of the class each initialisation
    favoured and of the others, in that order (https://biascourse.github.io/biascourse/book/derivations/initial_guessing_bias.html#deriv-igb-normalisation).

    Parameters
    ----------
    per_class : shape (K, ..., C): e.g. per-class accuracy over training, (K, T, C).
    fractions : initial guess fractions :math:`G_c`, shape (K, C).

    Returns
    -------
    numpy.ndarray
        ``per_class`` with the last axis sorted by decreasing initial :math:`G_c` (stable in ties).

    Raises
    ------
    ValueError
        If the shapes do not match, or ``fractions`` is empty or holds NaN, infinite or text
        values or values outside [0, 1].
    """
    per_class = np.asarray(per_class)
    fractions = array("fractions", fractions, low=0.0, high=1.0)
    if fractions.ndim != 2 or per_class.shape[0] != fractions.shape[0] or per_class.shape[-1] != fractions.shape[1]:
        raise ValueError(
            f"per_class must be (K, ..., C) and fractions (K, C); got {per_class.shape}, {fractions.shape}"
        )
    order = np.argsort(-fractions, axis=1, kind="stable")
    order = order.reshape(order.shape[0], *([1] * (per_class.ndim - 2)), order.shape[1])
    return np.take_along_axis(per_class, order, axis=-1)
