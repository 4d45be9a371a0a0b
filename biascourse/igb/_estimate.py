"""Measuring initial guessing bias over many initialisations: gamma and its statistical error.

https://biascourse.github.io/biascourse/book/derivations/initial_guessing_bias.html#deriv-igb-definitions, https://biascourse.github.io/biascourse/book/derivations/initial_guessing_bias.html#deriv-igb-estimator: with :math:`O=\\mu_W+\\delta_W(\\xi)`,

.. math:: \\gamma=\\frac{\\mathrm{Var}_W(\\mu_W)}{\\mathbb E_W\\,\\mathrm{Var}_\\chi(O\\mid W)} .

Both numerator and denominator are means over initialisations, so :math:`\\hat\\gamma` is a ratio
estimator; its standard error comes from the usual linearisation (delta method), which reduces to
the note's :math:`\\gamma\\sqrt{2/K}` when :math:`\\mu_W` is Gaussian and the data variance
self-averages, and stays honest when it does not (deep nets).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .._checks import array as check_array, instance, integer as check_integer
from .._device import resolve_device
from .._memory import release_memory
from .._random import check_seed
from ._ensemble import MLPEnsemble, MLPSpec, fractions_from_outputs


@dataclass(frozen=True)
class GammaEstimate:
    """An estimate of gamma with its standard error (arrays when several are estimated at once).

    Attributes
    ----------
    value : :math:`\\hat\\gamma`.
    stderr : its standard error over initialisations (delta method).
    n_init : the number K of initialisations it is computed from.
    """

    value: np.ndarray | float
    stderr: np.ndarray | float
    n_init: int

    @property
    def c(self) -> np.ndarray | float:
        """The implied output correlation :math:`c=\\gamma/(1+\\gamma)` (https://biascourse.github.io/biascourse/book/derivations/initial_guessing_bias.html#deriv-igb-definitions)."""
        return self.value / (1.0 + self.value)


def gamma_ratio(ensemble_part: np.ndarray, data_part: np.ndarray) -> GammaEstimate:
    """The ratio estimator :math:`\\hat\\gamma=\\sum_k a_k/\\sum_k b_k` and its standard error.

    Parameters
    ----------
    ensemble_part : :math:`a_k`, shape (K, ...): per initialisation, an unbiased estimate of the
        squared deviation of the data-mean from its ensemble mean.
    data_part : :math:`b_k`, same shape: per initialisation, the variance over the data.

    Returns
    -------
    GammaEstimate
        :math:`\\hat\\gamma` and :math:`\\mathrm{se}=\\mathrm{std}_k(a_k-\\hat\\gamma b_k)/(\\sqrt K\\,\\bar b)`.

    Raises
    ------
    ArgumentTypeError
        If an argument holds no numbers.
    ValueError
        If an argument holds NaN or infinite values, ``data_part`` negative values or a zero mean, or
        the shapes differ or have fewer than 2 initialisations.
    """
    a = check_array("ensemble_part", ensemble_part, nonempty=False)
    b = check_array("data_part", data_part, nonempty=False, low=0)
    if a.shape != b.shape or a.ndim < 1 or a.shape[0] < 2:
        raise ValueError(
            f"ensemble_part and data_part must have the same shape (K, ...) with K >= 2; got {a.shape}, {b.shape}"
        )
    k = a.shape[0]
    b_mean = b.mean(axis=0)
    if np.any(b_mean <= 0):
        raise ValueError("data_part must have a positive mean over the initialisations (a variance over the data); "
                         "got a zero mean: the outputs do not vary over the data (a single data point?)")
    value = a.mean(axis=0) / b_mean
    stderr = np.std(a - value * b, axis=0, ddof=1) / (np.sqrt(k) * b_mean)
    return GammaEstimate(value=value[()], stderr=stderr[()], n_init=k)


def scalar_output(outputs: np.ndarray | torch.Tensor) -> np.ndarray:
    """The scalar output O whose statistics define gamma (https://biascourse.github.io/biascourse/book/derivations/initial_guessing_bias.html#deriv-igb-definitions, https://biascourse.github.io/biascourse/book/derivations/initial_guessing_bias.html#deriv-igb-estimator).

    Shape (..., n) passes through; (..., n, 1) is squeezed; (..., n, 2) gives :math:`O_0-O_1`
    (argmax = class 0 iff positive); (..., n, C > 2) gives output node 0, as the official
    ``InitVarComp`` records.

    Raises
    ------
    ArgumentTypeError
        If ``outputs`` holds no numbers.
    ValueError
        If ``outputs`` is empty, holds NaN or infinite values, or is not of shape (K, n) or (K, n, C).
    """
    out = check_array("outputs", outputs)
    if out.ndim == 3:
        if out.shape[-1] == 2:
            return out[..., 0] - out[..., 1]
        return out[..., 0]
    if out.ndim != 2:
        raise ValueError(f"outputs must have shape (K, n) or (K, n, C); got {out.shape}")
    return out


def _output_moments(out: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return out.mean(axis=-1), out.var(axis=-1)


def _gamma_from_moments(means: np.ndarray, variances: np.ndarray) -> GammaEstimate:
    k = len(means)
    if k < 2:
        raise ValueError(f"gamma needs at least 2 initialisations; got {k}")
    return gamma_ratio((means - means.mean()) ** 2 * k / (k - 1), variances)


def estimate_gamma(outputs: np.ndarray | torch.Tensor) -> GammaEstimate:
    """Estimate gamma from the outputs of K initialisations on the same n data points.

    Parameters
    ----------
    outputs : shape (K, n) or (K, n, C); see :func:`scalar_output` for C.

    Returns
    -------
    GammaEstimate
        :math:`\\hat\\gamma=\\widehat{\\mathrm{Var}}_k(\\bar O_k)/\\mathrm{mean}_k\\,\\widehat{\\mathrm{Var}}_\\chi(O_k)`
        with its standard error. It is gamma *of the n points*: against the infinite-data theory
        expect :math:`\\hat\\gamma\\approx\\gamma+(1+\\gamma)/n` (https://biascourse.github.io/biascourse/book/derivations/initial_guessing_bias.html#deriv-igb-estimator).

    Raises
    ------
    ArgumentTypeError
        If ``outputs`` holds no numbers.
    ValueError
        If ``outputs`` is empty, holds NaN or infinite values, has the wrong shape, fewer than 2
        initialisations, or outputs that do not vary over the data.
    """
    return _gamma_from_moments(*_output_moments(scalar_output(outputs)))


def output_correlation(outputs: np.ndarray | torch.Tensor) -> float:
    """The output correlation between distinct data points, :math:`c=q_{ab}/q_{aa}`.

    :math:`q_{ab}=\\mathbb E_W O_aO_b` averaged over the pairs :math:`a\\neq b`, and
    :math:`q_{aa}=\\mathbb E_W O_a^2`; compare with :math:`\\hat\\gamma/(1+\\hat\\gamma)`
    (https://biascourse.github.io/biascourse/book/derivations/initial_guessing_bias.html#deriv-igb-definitions).

    Raises
    ------
    ArgumentTypeError
        If ``outputs`` holds no numbers.
    ValueError
        If ``outputs`` is empty, holds NaN or infinite values, has the wrong shape or fewer than 2
        data points.
    """
    out = scalar_output(outputs)
    n = out.shape[-1]
    if n < 2:
        raise ValueError(f"outputs must hold at least 2 data points (pairs a != b); got shape {np.shape(outputs)}")
    means, squares = out.mean(axis=-1), (out**2).mean(axis=-1)
    pair_mean = (n * means**2 - squares) / (n - 1)  # mean over a != b of O_a O_b, per init
    return float(pair_mean.mean() / squares.mean())


@dataclass(frozen=True)
class InitStatistics:
    """What :func:`init_statistics` (or :func:`~biascourse.igb.network_statistics`) measures over K initialisations.

    Attributes
    ----------
    fractions : :math:`G_c` per initialisation, shape (K, C) with C = max(n_out, 2).
    output_mean, output_var : data-mean and data-variance of the scalar output per
        initialisation (see :func:`scalar_output`), shape (K,).
    layer_gamma : gamma of the pre-activations of every Linear layer (hidden layers 1..L, then the
        output units), each unit treated as a readout (the :math:`\\tilde V/V` of the official
        forward simulations); arrays of shape (L + 1,). The squared data-means are not centred
        over initialisations: at initialisation the weight law is symmetric, so their mean is 0.
        ``None`` for networks measured with :func:`~biascourse.igb.network_statistics`.
    """

    fractions: np.ndarray
    output_mean: np.ndarray
    output_var: np.ndarray
    layer_gamma: GammaEstimate | None = None

    @property
    def gamma(self) -> GammaEstimate:
        """Gamma of the scalar output (the quantity of https://biascourse.github.io/biascourse/book/derivations/initial_guessing_bias.html#deriv-igb-definitions)."""
        return _gamma_from_moments(self.output_mean, self.output_var)

    @property
    def g0(self) -> np.ndarray:
        """:math:`G_0`, the fraction of guesses for class 0, per initialisation."""
        return self.fractions[:, 0]

    @property
    def gmax(self) -> np.ndarray:
        """:math:`G_{\\max}=\\max_c G_c` per initialisation."""
        return self.fractions.max(axis=1)


def _chunk_size(spec: MLPSpec, n: int) -> int:
    """Initialisations per pass so that one pass holds about 2**24 floats (64 MB): every layer's
    weights and biases, and the few (K, n, fan-out) activations alive at a time."""
    weights = sum(fan_in * fan_out + fan_out for fan_in, fan_out in spec.layer_sizes)
    activations = 3 * max(n * fan_out for _, fan_out in spec.layer_sizes)
    return int(max(1, min(1024, 2**24 // (weights + activations))))


def init_statistics(
    spec: MLPSpec,
    data: np.ndarray | torch.Tensor,
    n_init: int,
    seed: int,
    chunk_size: int | None = None,
    device: str | torch.device = "cpu",
) -> InitStatistics:
    """Forward a data set through K initialisations and measure the guess fractions and gamma.

    The initialisations are built and evaluated ``chunk_size`` at a time (an
    :class:`MLPEnsemble` per chunk) so that thousands fit in memory; the results do not depend on
    ``chunk_size`` because initialisation k is always drawn from its own stream.

    Parameters
    ----------
    spec : the architecture; its ``input_dim`` must match the data.
    data : inputs of shape (n, input_dim).
    n_init : the number K of initialisations (indices 0..K-1 of ``seed``).
    seed : the ensemble seed.
    chunk_size : initialisations per batched pass (default: as many as fit in about 64 MB in all).
    device : where the forward passes run.

    Returns
    -------
    InitStatistics

    Raises
    ------
    ArgumentTypeError
        If ``spec`` is not an :class:`MLPSpec`, ``data`` holds no numbers, or ``n_init``, ``seed`` or
        ``chunk_size`` is not an integer.
    ValueError
        If ``data`` is not of shape (n, spec.input_dim), is empty or holds NaN or infinite values,
        ``n_init < 2``, ``chunk_size < 1``, ``seed`` is out of range, or ``device`` is unknown or
        unavailable (``DeviceUnavailableError``, also a ValueError).
    """
    instance("spec", spec, MLPSpec)
    check_array("data", data, shape=(None, spec.input_dim))
    x = torch.as_tensor(data)
    x = x.float() if not torch.is_floating_point(x) else x.to(torch.float32)
    n_init = check_integer("n_init", n_init, 2)
    check_seed(seed)
    if chunk_size is not None:
        check_integer("chunk_size", chunk_size, 1)
    device = resolve_device(device)
    chunk = chunk_size or _chunk_size(spec, x.shape[0])
    x = x.to(device)
    fractions, means, variances = [], [], []
    layer_a, layer_b = [], []
    for start in range(0, n_init, chunk):
        net = MLPEnsemble(spec, inits=np.arange(start, min(start + chunk, n_init)), seed=seed).to(device)
        a_chunk, b_chunk = [], []
        with torch.no_grad():
            for h in net.preactivations(x):
                # mean over units of the squared data-mean (a) and of the data-variance (b); b from the
                # second moment of the whole (n, N) block, a contiguous reduction far cheaper than
                # a per-unit variance over the strided data axis
                ensemble_part = (h.mean(dim=1) ** 2).mean(dim=1)
                second_moment = torch.linalg.vector_norm(h, dim=(1, 2)) ** 2 / (h.shape[1] * h.shape[2])
                a_chunk.append(ensemble_part.double().cpu().numpy())
                b_chunk.append((second_moment - ensemble_part).double().cpu().numpy())
        out = h
        fractions.append(fractions_from_outputs(out))
        m, v = _output_moments(scalar_output(out))
        means.append(m)
        variances.append(v)
        layer_a.append(np.stack(a_chunk, axis=1))
        layer_b.append(np.stack(b_chunk, axis=1))
        del net, out, h
        release_memory()
    return InitStatistics(
        fractions=np.concatenate(fractions),
        output_mean=np.concatenate(means),
        output_var=np.concatenate(variances),
        layer_gamma=gamma_ratio(np.concatenate(layer_a), np.concatenate(layer_b)),
    )
