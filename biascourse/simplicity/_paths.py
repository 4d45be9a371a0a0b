"""Spectral bias in high dimension: the spectrum of a network's output along interpolation paths.

https://biascourse.github.io/biascourse/book/derivations/simplicity_biases.html#deriv-simp-paths (after Fridovich-Keil et al.). Along the straight path
:math:`x(s_m)=(1-s_m)x_a+s_mx_b`, :math:`s_m=m/(M-1)`, a scalar output :math:`h_m` is detrended
(the line through its end points and then its mean are removed), its power spectrum
:math:`P_j=|\\mathrm{rfft}(\\tilde h)_j|^2` is taken for :math:`j\\ge1`, and the energy ratios
:math:`R_k=P_k/\\sum_{j\\ge1}P_j` and :math:`R_{\\ge k}=\\sum_{j\\ge k}P_j/\\sum_{j\\ge1}P_j` measure how
much of the variation along the path is of high frequency. A function that is linear along the
path has no energy at all; its ratios are defined as ``nan``.

Beside them, :func:`log_energy_ratios` is the survey's ratio (Jaen Márquez's review of simplicity
biases): the power of every logit along the path, averaged over classes and paths,
:math:`A_k`, and :math:`\\log(A_k/\\sum_jA_j)`, without detrending unless asked.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from .._checks import ArgumentTypeError, array, integer
from .._random import check_seed

#: The outputs along a path that :func:`path_outputs` can return: two scalars, or all the logits.
PATH_OUTPUTS = ("probability", "margin", "logits")
#: Relative size below which the detrended signal counts as identically zero (ratios are nan).
ZERO_ENERGY_RTOL = 1e-10


def interpolation_path(x_a: np.ndarray, x_b: np.ndarray, n_points: int = 64) -> np.ndarray:
    """Points :math:`(1-s_m)x_a+s_mx_b`, :math:`s_m=m/(M-1)`, on the segment from ``x_a`` to ``x_b``.

    Parameters
    ----------
    x_a, x_b : end points, shape (..., d) each (a batch of pairs is allowed).
    n_points : the number M >= 4 of points, both end points included.

    Returns
    -------
    numpy.ndarray
        Shape (..., M, d).

    Raises
    ------
    ValueError
        If ``n_points`` is not an integer >= 4, or ``x_a`` and ``x_b`` are empty, hold NaN, infinite
        or text values, or differ in shape.
    """
    n_points = integer("n_points", n_points, 4)
    x_a, x_b = array("x_a", x_a), array("x_b", x_b)
    if x_a.shape != x_b.shape:
        raise ValueError(f"x_a and x_b must have the same shape; got {x_a.shape} and {x_b.shape}")
    s = np.linspace(0.0, 1.0, n_points)[:, None]
    return (1 - s) * x_a[..., None, :] + s * x_b[..., None, :]


def _path_values(h, min_points: int) -> np.ndarray:
    """``h`` checked: finite numbers with at least ``min_points`` points on the last axis."""
    h = array("h", h)
    if h.ndim < 1 or h.shape[-1] < min_points:
        raise ValueError(f"h must have at least {min_points} points on its last axis; got shape {h.shape}")
    return h


def detrend(h: np.ndarray) -> np.ndarray:
    """Remove the line through the end points, then the mean, along the last axis.

    :math:`\\tilde h_m = h_m-[h_0+(h_{M-1}-h_0)s_m]` minus its mean (https://biascourse.github.io/biascourse/book/derivations/simplicity_biases.html#deriv-simp-paths, step 2).

    Raises
    ------
    ValueError
        If ``h`` holds NaN, infinite or text values or has fewer than 2 points on its last axis.
    """
    h = _path_values(h, 2)
    s = np.linspace(0.0, 1.0, h.shape[-1])
    out = h - (h[..., :1] + (h[..., -1:] - h[..., :1]) * s)
    return out - out.mean(axis=-1, keepdims=True)


def path_power(h: np.ndarray, detrended: bool = True) -> np.ndarray:
    """Power spectrum :math:`P_j=|\\mathrm{rfft}(\\tilde h)_j|^2` for :math:`j=1..\\lfloor M/2\\rfloor`.

    Parameters
    ----------
    h : outputs along paths, shape (..., M).
    detrended : apply :func:`detrend` first (the course's definition); ``False`` gives the raw
        spectrum, which leaks the energy of a ramp into every bin.

    Returns
    -------
    numpy.ndarray
        Shape (..., M // 2); column ``j - 1`` holds :math:`P_j`.

    Raises
    ------
    ValueError
        If ``h`` holds NaN, infinite or text values or has fewer than 4 points on its last axis.
    """
    h = _path_values(h, 4)
    signal = detrend(h) if detrended else h
    return np.abs(np.fft.rfft(signal, axis=-1)[..., 1:]) ** 2


def _fractions(h: np.ndarray, detrended: bool) -> np.ndarray:
    h = _path_values(h, 4)
    power = path_power(h, detrended)
    total = power.sum(axis=-1, keepdims=True)
    scale = h.shape[-1] * np.max(np.abs(h), axis=-1, keepdims=True)
    zero = total <= (ZERO_ENERGY_RTOL * scale) ** 2
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(zero, np.nan, power / np.where(zero, 1.0, total))


def band_energy_ratios(h: np.ndarray, detrended: bool = True) -> np.ndarray:
    """Band fractions :math:`R_k=P_k/\\sum_{j\\ge1}P_j`, k = 1..M/2 (https://biascourse.github.io/biascourse/book/derivations/simplicity_biases.html#deriv-simp-paths, step 3).

    Returns
    -------
    numpy.ndarray
        Shape (..., M // 2), column ``k - 1`` holds :math:`R_k`; rows sum to 1, or are ``nan``
        where the (detrended) signal has no energy.

    Raises
    ------
    ValueError
        If ``h`` holds NaN, infinite or text values or has fewer than 4 points on its last axis.
    """
    return _fractions(h, detrended)


def high_frequency_fraction(h: np.ndarray, k: int, detrended: bool = True) -> np.ndarray:
    """High-frequency energy fraction :math:`R_{\\ge k}=\\sum_{j\\ge k}P_j/\\sum_{j\\ge1}P_j`.

    Parameters
    ----------
    h : outputs along paths, shape (..., M).
    k : the first frequency counted as high, in [1, M/2].
    detrended : see :func:`path_power`.

    Returns
    -------
    numpy.ndarray
        Shape (...): ``nan`` where the (detrended) signal has no energy.

    Raises
    ------
    ValueError
        If ``h`` holds NaN, infinite or text values or has fewer than 4 points on its last axis, or
        ``k`` is not an integer in [1, M/2].
    """
    h = _path_values(h, 4)
    n_bins = h.shape[-1] // 2
    k = integer("k", k, 1, n_bins)  # at most M/2
    return _fractions(h, detrended)[..., k - 1 :].sum(axis=-1)


def logit_margin(logits: np.ndarray | torch.Tensor, labels: np.ndarray | torch.Tensor) -> np.ndarray:
    """Margin of the class ``labels``: its logit minus the largest other logit.

    Parameters
    ----------
    logits : shape (..., C) with C >= 2.
    labels : integer classes in [0, C), broadcastable to ``logits.shape[:-1]``.

    Raises
    ------
    ValueError
        If ``logits`` is empty, holds NaN or text or has fewer than 2 classes, or ``labels`` are not
        integer classes in [0, C) of a shape broadcastable to ``logits.shape[:-1]``.
    """
    z = torch.as_tensor(array("logits", logits, allow_inf=True))
    if z.ndim < 1 or z.shape[-1] < 2:
        raise ValueError(f"logits must have shape (..., C) with C >= 2 classes; got shape {tuple(z.shape)}")
    y = array("labels", labels, dtype=None, low=0, high=z.shape[-1] - 1, nonempty=False)
    if not np.issubdtype(y.dtype, np.integer):
        raise ArgumentTypeError(f"labels must be integer classes in [0, {z.shape[-1]}); got dtype {y.dtype}")
    try:
        y = torch.as_tensor(np.broadcast_to(y, z.shape[:-1]).astype(np.int64))
    except ValueError:
        raise ValueError(f"labels must be broadcastable to logits.shape[:-1] = {tuple(z.shape[:-1])}; "
                         f"got shape {y.shape}") from None
    own = torch.gather(z, -1, y[..., None])[..., 0]
    others = z.scatter(-1, y[..., None], float("-inf")).amax(dim=-1)
    return (own - others).cpu().numpy()


def sample_pairs(labels: np.ndarray, n_pairs: int, same_class: bool, seed: int) -> np.ndarray:
    """Random index pairs (a, b), a != b, with equal or different labels.

    Parameters
    ----------
    labels : integer labels of the pool of inputs, shape (n,).
    n_pairs : number of pairs.
    same_class : draw pairs of the same class (True) or of different classes (False).
    seed : seed of the draw.

    Returns
    -------
    numpy.ndarray
        Integer array of shape (n_pairs, 2).

    Raises
    ------
    ValueError
        If ``labels`` is not a non-empty 1-D array, ``n_pairs`` not an integer >= 1, ``seed`` not an
        integer in [0, 2**32 - 1], or an input has no partner of the required kind.
    """
    labels = array("labels", labels, ndim=1, dtype=None)
    n_pairs = integer("n_pairs", n_pairs, 1)
    rng = np.random.default_rng(check_seed(seed))
    a = rng.integers(len(labels), size=n_pairs)
    b = np.empty_like(a)
    for i, ai in enumerate(a):
        pool = np.flatnonzero((labels == labels[ai]) == same_class)
        pool = pool[pool != ai]
        if pool.size == 0:
            kind = "same" if same_class else "another"
            raise ValueError(f"no partner of {kind} class for input {ai} (label {labels[ai]})")
        b[i] = rng.choice(pool)
    return np.stack([a, b], axis=1)


def path_outputs(
    model: Callable[[torch.Tensor], torch.Tensor],
    x: np.ndarray,
    labels: np.ndarray,
    pairs: np.ndarray,
    n_points: int = 64,
    output: str = "probability",
) -> np.ndarray:
    """The output along every path :math:`x_a\\to x_b`: the probability or the margin of :math:`x_a`'s class, or every logit.

    Parameters
    ----------
    model : maps a float tensor (n, d) to logits (n, C), or a stack of K networks mapping it to
        (K, n, C); evaluated without gradients, on the device and in the dtype of its parameters
        when it is a ``torch.nn.Module``.
    x : the pool of inputs, shape (n, d).
    labels : their labels, shape (n,).
    pairs : index pairs (P, 2), as returned by :func:`sample_pairs`.
    n_points : the number M of points per path.
    output : ``"probability"`` (softmax probability of :math:`x_a`'s class, the course default),
        ``"margin"`` (:func:`logit_margin`); https://biascourse.github.io/biascourse/book/derivations/simplicity_biases.html#deriv-simp-paths, step 1; or ``"logits"``
        (every logit, for :func:`log_energy_ratios`; ``labels`` are then not used).

    Returns
    -------
    numpy.ndarray
        Outputs :math:`h_m` of shape (P, M), or (K, P, M) for a stack, ready for
        :func:`high_frequency_fraction`; for ``"logits"``, shape (P, C, M), or (K, P, C, M).
    """
    if output not in PATH_OUTPUTS:
        raise ValueError(f"output must be one of {PATH_OUTPUTS}; got {output!r}")
    x = np.asarray(x, dtype=float)
    pairs = np.asarray(pairs)
    points = interpolation_path(x[pairs[:, 0]], x[pairs[:, 1]], n_points)  # (P, M, d)
    device, dtype = "cpu", torch.float32
    if isinstance(model, torch.nn.Module):
        device, dtype = next(model.parameters()).device, next(model.parameters()).dtype
    with torch.no_grad():
        logits = model(torch.as_tensor(points.reshape(-1, x.shape[1]), dtype=dtype, device=device))
    logits = logits.reshape(*logits.shape[:-2], len(pairs), n_points, logits.shape[-1])
    if output == "logits":
        return logits.transpose(-1, -2).double().cpu().numpy()
    classes = np.asarray(labels)[pairs[:, 0]][:, None]
    if output == "margin":
        return logit_margin(logits, classes)
    prob = torch.softmax(logits.double(), dim=-1)
    index = torch.as_tensor(classes, device=prob.device).expand(prob.shape[:-1])
    return torch.gather(prob, -1, index[..., None])[..., 0].cpu().numpy()


def path_energy_probe(
    x: np.ndarray, labels: np.ndarray, pairs: np.ndarray, k: int, n_points: int = 64, output: str = "probability"
) -> Callable[[torch.nn.Module], np.ndarray]:
    """Probe for :func:`~biascourse.simplicity.train_with_probes`: the high-frequency fraction
    :math:`R_{\\ge k}` of ``output`` along the given paths, averaged over the paths that have
    energy (https://biascourse.github.io/biascourse/book/derivations/simplicity_biases.html#deriv-simp-paths, step 4); shape (K,) for a stack of K networks."""

    if output not in PATH_OUTPUTS[:2]:
        raise ValueError(f"output must be a scalar output, one of {PATH_OUTPUTS[:2]}; got {output!r}")

    def probe(model: torch.nn.Module) -> np.ndarray:
        h = path_outputs(model, x, labels, pairs, n_points, output)
        return np.nanmean(high_frequency_fraction(h, k), axis=-1)

    return probe


def log_energy_ratios(outputs: np.ndarray, detrended: bool = False) -> np.ndarray:
    """The survey's path-spectrum ratio :math:`R_k=\\log\\big(A_k/\\sum_jA_j\\big)`, k = 0..M/2.

    https://biascourse.github.io/biascourse/book/derivations/simplicity_biases.html#deriv-simp-survey.
    For outputs :math:`f_c(x_m)` of every class c along every path (M points), take the DFT
    :math:`\\tilde f_c(k)=\\sum_mf_c(x_m)e^{-2\\pi\\mathrm ikm/M}` over all M bins, average its power
    over the classes and the paths, :math:`A_k=\\frac1C\\sum_c\\mathbb E_{\\text{path}}|\\tilde f_c(k)|^2`,
    and divide by the total :math:`\\sum_{j=0}^{M-1}A_j`. Unlike the course's ratios, the mean
    (bin 0) is included, the ratio is one of averages (not an average of ratios), and nothing is
    detrended unless ``detrended=True`` applies :func:`detrend` first.

    Parameters
    ----------
    outputs : shape (..., P, C, M): P paths, C outputs (logits) per point, M points per path, as
        ``path_outputs(..., output="logits")`` returns them.
    detrended : remove the line through the end points and the mean of every output first.

    Returns
    -------
    numpy.ndarray
        Shape (..., M // 2 + 1): :math:`R_k` for k = 0..M/2 (for real outputs bin M - k carries the
        power of bin k, so the other half repeats these values); ``-inf`` where :math:`A_k=0`, and
        ``nan`` throughout where the (detrended) outputs have no energy at all.

    Raises
    ------
    ValueError
        If ``outputs`` is empty, holds NaN, infinite or text values, or is not (..., P, C, M) with
        M >= 4.
    """
    f = array("outputs", outputs)
    if f.ndim < 3 or f.shape[-1] < 4:
        raise ValueError(f"outputs must have shape (..., P, C, M) with M >= 4 points; got {f.shape}")
    if detrended:
        f = detrend(f)
    power = (np.abs(np.fft.fft(f, axis=-1)) ** 2).mean(axis=(-3, -2))  # A_k, k = 0..M-1
    total = power.sum(axis=-1, keepdims=True)
    scale = f.shape[-1] * np.max(np.abs(np.asarray(outputs, dtype=float)), axis=(-3, -2, -1))[..., None]
    zero = total <= (ZERO_ENERGY_RTOL * scale) ** 2
    with np.errstate(invalid="ignore", divide="ignore"):
        ratios = np.log(power[..., : f.shape[-1] // 2 + 1] / np.where(zero, 1.0, total))
    return np.where(zero, np.nan, ratios)


def path_spectrum_probe(x: np.ndarray, pairs: np.ndarray, n_points: int = 64) -> Callable[[torch.nn.Module], np.ndarray]:
    """Probe for :func:`~biascourse.simplicity.train_with_probes`: the survey's ratios
    :func:`log_energy_ratios` of every logit along the given paths, without and with detrending,
    from one evaluation of the paths (https://biascourse.github.io/biascourse/book/derivations/simplicity_biases.html#deriv-simp-survey).

    Returns a probe whose value has shape (K, 2, M // 2 + 1) for a stack of K networks: row 0 is
    :math:`R_k` as the survey defines it, row 1 after :func:`detrend`.
    """
    labels = np.zeros(len(x), dtype=int)  # not used for the logits

    def probe(model: torch.nn.Module) -> np.ndarray:
        logits = path_outputs(model, x, labels, pairs, n_points, "logits")
        logits = logits if logits.ndim == 4 else logits[None]
        return np.stack([log_energy_ratios(logits), log_energy_ratios(logits, detrended=True)], axis=1)

    return probe
