"""Principal-component bias: convergence of a linear model along the principal directions.

https://biascourse.github.io/biascourse/book/derivations/simplicity_biases.html#deriv-simp-pc (Hacohen and Weinshall). For centred data with
covariance :math:`\\Sigma=X^\\top X/n=\\sum_j\\lambda_ju_ju_j^\\top`, full-batch gradient descent with
step :math:`\\eta` on :math:`\\frac1{2n}\\|XW-Y\\|_F^2` obeys, exactly,

.. math:: u_j^\\top(W_t-W^*) = (1-\\eta\\lambda_j)^t\\,u_j^\\top(W_0-W^*),

so each principal direction converges at its own geometric rate. For a deep linear network
:math:`W=W_1\\cdots W_L` from a small initialisation the same ordering holds with sigmoidal
trajectories. The per-PC residual :math:`r_j(t)` measures both.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from .._checks import array, integer, real
from .._random import check_seed
from ..train._step import check_finite


@dataclass(frozen=True)
class PrincipalComponents:
    """The PCA basis of a data set (https://biascourse.github.io/biascourse/book/derivations/simplicity_biases.html#deriv-simp-pc, step 1).

    Attributes
    ----------
    mean : the data mean :math:`\\bar x`, shape (d,).
    eigenvalues : :math:`\\lambda_1\\ge\\lambda_2\\ge\\dots` of :math:`\\Sigma=X_c^\\top X_c/n`, shape (d,).
    components : the eigenvectors :math:`u_j` as columns, same order, shape (d, d).
    """

    mean: np.ndarray
    eigenvalues: np.ndarray
    components: np.ndarray

    def project(self, x: np.ndarray, k: int, top: bool = True) -> np.ndarray:
        """Keep the top-k principal directions, :math:`P_kx=\\bar x+U_kU_k^\\top(x-\\bar x)` (``top=True``),
        or all but them (``top=False``: the complementary, low-variance part)."""
        d = self.mean.size
        k = integer("k", k, 0, d)  # at most the dimension d
        u = self.components[:, :k] if top else self.components[:, k:]
        xc = np.asarray(x, dtype=float) - self.mean
        return self.mean + (xc @ u) @ u.T


def principal_components(x: np.ndarray) -> PrincipalComponents:
    """PCA of the rows of ``x`` (n, d): centre, then eigendecompose :math:`X_c^\\top X_c/n`, largest first.

    Raises
    ------
    ValueError
        If ``x`` is not an array (n, d) of finite numbers with n >= 2 and d >= 1.
    """
    x = array("x", x, ndim=2)
    if len(x) < 2:
        raise ValueError(f"x must have shape (n, d) with n >= 2; got {x.shape}")
    mean = x.mean(axis=0)
    xc = x - mean
    eigenvalues, vectors = np.linalg.eigh(xc.T @ xc / len(x))
    order = np.argsort(eigenvalues)[::-1]
    return PrincipalComponents(mean, np.clip(eigenvalues[order], 0.0, None), vectors[:, order])


def least_squares_solution(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Minimum-norm least-squares map :math:`W^*` of the centred inputs onto ``y``, shape (d, o).

    It solves the normal equations :math:`\\Sigma W^* = X_c^\\top Y/n`, the fixed point of the
    gradient descent of :func:`train_linear_network`.

    Raises
    ------
    ValueError
        If ``x`` is not a non-empty array (n, d) of finite numbers, or ``y`` not finite targets
        (n,) or (n, o) with the same n.
    """
    x = array("x", x, ndim=2)
    y = _as_targets(y, len(x))
    xc = x - x.mean(axis=0)
    return np.linalg.lstsq(xc, y, rcond=None)[0]


def _as_targets(y: np.ndarray, n: int) -> np.ndarray:
    y = array("y", y, ndim=(1, 2))
    y = y[:, None] if y.ndim == 1 else y
    if y.ndim != 2 or len(y) != n:
        raise ValueError(f"y must have shape (n,) or (n, o) with n = {n} rows; got {y.shape}")
    return y


def _record_steps(record_at: Sequence[int], last: int | None = None) -> np.ndarray:
    """Validate logged steps: a non-empty, strictly increasing list of integers in [0, last]."""
    steps = np.asarray(record_at)
    if steps.ndim != 1 or steps.size == 0 or not np.issubdtype(steps.dtype, np.integer):
        raise ValueError(f"record_at must be a non-empty list of integer steps; got {record_at!r}")
    if steps.min() < 0 or np.any(np.diff(steps) <= 0) or (last is not None and steps.max() > last):
        bound = "" if last is None else f" and <= steps={last}"
        raise ValueError(f"record_at must be strictly increasing steps >= 0{bound}; got {record_at!r}")
    return steps.astype(np.int64)


def train_linear_network(
    x: np.ndarray,
    y: np.ndarray,
    lr: float,
    record_at: Sequence[int],
    depth: int = 1,
    width: int = 256,
    init_scale: float = 1e-3,
    seed: int = 0,
) -> np.ndarray:
    """Full-batch gradient descent on :math:`\\frac1{2n}\\|X_cW-Y\\|_F^2` for a (deep) linear network.

    https://biascourse.github.io/biascourse/book/derivations/simplicity_biases.html#deriv-simp-pc. The network is :math:`W=W_1W_2\\cdots W_L` (``depth`` = L factors;
    L = 1 is the linear model of the exact law), with independent :math:`\\mathcal N(0,`
    ``init_scale``:math:`^2)` entries. The inputs are centred; the loss and its gradient depend
    on the data only through :math:`\\Sigma=X_c^\\top X_c/n` and :math:`X_c^\\top Y/n`, so each step
    costs :math:`O(d^2o)` whatever n. Computed in float64 with torch autograd.

    Parameters
    ----------
    x : inputs (n, d).
    y : targets (n,) or (n, o), e.g. one-hot labels.
    lr : step size :math:`\\eta > 0`.
    record_at : strictly increasing steps at which the end-to-end map is recorded (0 = start).
    depth : number L >= 1 of weight matrices.
    width : hidden width of a deep linear network (unused when L = 1).
    init_scale : standard deviation of every initial weight.
    seed : seed of the initialisation.

    Returns
    -------
    numpy.ndarray
        End-to-end maps :math:`W(t)` at the recorded steps, shape (T, d, o).

    Raises
    ------
    ValueError
        If ``x`` or ``y`` is empty, holds NaN or infinities or has the wrong shape, ``lr`` is not a
        finite number > 0, ``init_scale`` not a finite number >= 0, ``depth`` or ``width`` not an
        integer >= 1, or ``record_at`` not strictly increasing integer steps >= 0.
    ~biascourse.train.DivergenceError
        (a ``FloatingPointError`` and a ``ValueError``) If the loss becomes NaN or infinite
        (a learning rate above the stable range, :math:`\\eta\\lambda_1 > 2` for L = 1); the
        message names ``lr``.
    """
    depth, width = integer("depth", depth, 1), integer("width", width, 1)
    lr = real("lr", lr, 0, low_open=True)
    init_scale = real("init_scale", init_scale, 0)
    steps = _record_steps(record_at)
    x = array("x", x, ndim=2)
    y = _as_targets(y, len(x))
    xc = x - x.mean(axis=0)
    sigma = torch.from_numpy(xc.T @ xc / len(x))
    cross = torch.from_numpy(xc.T @ y / len(x))
    d, o = cross.shape
    sizes = [d] + [width] * (depth - 1) + [o]
    rng = np.random.default_rng(check_seed(seed))
    factors = [
        torch.tensor(init_scale * rng.standard_normal((a, b)), requires_grad=True) for a, b in zip(sizes, sizes[1:])
    ]

    def end_to_end() -> torch.Tensor:
        w = factors[0]
        for f in factors[1:]:
            w = w @ f
        return w

    maps = []
    for step in range(int(steps[-1]) + 1):
        w = end_to_end()
        if step in steps:
            maps.append(w.detach().numpy().copy())
        if step == steps[-1]:
            break
        loss = 0.5 * torch.sum(w * (sigma @ w)) - torch.sum(w * cross)
        check_finite(loss, lr, f"at step {step}")  # a CPU scalar: a negligible check
        grads = torch.autograd.grad(loss, factors)
        with torch.no_grad():
            for f, g in zip(factors, grads):
                f -= lr * g
    return np.stack(maps)


def pc_residuals(maps: np.ndarray, pcs: PrincipalComponents, reference: np.ndarray) -> np.ndarray:
    """Per-PC relative residual :math:`r_j(t)=\\|u_j^\\top(W(t)-W_{\\rm ref})\\|/\\|u_j^\\top(W(0)-W_{\\rm ref})\\|`.

    https://biascourse.github.io/biascourse/book/derivations/simplicity_biases.html#deriv-simp-pc, step 3.

    Parameters
    ----------
    maps : the maps :math:`W(t)` at the logged steps, shape (T, d, o) (or (T, d)); row 0 is the
        start.
    pcs : the principal directions of the (training) inputs.
    reference : :math:`W_{\\rm ref}`, e.g. :func:`least_squares_solution` or the last map.

    Returns
    -------
    numpy.ndarray
        Shape (T, d): column j is the residual along :math:`u_j`; ``nan`` where the initial residual
        along :math:`u_j` is zero.
    """
    maps = np.asarray(maps, dtype=float)
    maps = maps[..., None] if maps.ndim == 2 else maps
    reference = np.asarray(reference, dtype=float).reshape(maps.shape[1:])
    along = np.linalg.norm(np.einsum("dj,tdo->tjo", pcs.components, maps - reference), axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(along[:1] > 0, along / np.where(along[:1] > 0, along[:1], 1.0), np.nan)


def pc_residual_law(eigenvalues: np.ndarray, lr: float, steps: Sequence[int]) -> np.ndarray:
    """The exact law :math:`|1-\\eta\\lambda_j|^t` of the linear model's per-PC residual.

    Returns
    -------
    numpy.ndarray
        Shape (T, d) for ``steps`` of length T and d eigenvalues.

    Raises
    ------
    ValueError
        If ``eigenvalues`` is empty or not finite, ``lr`` not a finite number > 0, or ``steps``
        not a non-empty list of finite steps >= 0.
    """
    lam = array("eigenvalues", eigenvalues, ndim=1)
    lr = real("lr", lr, 0, low_open=True)
    t = array("steps", steps, ndim=1, low=0)[:, None]
    return np.abs(1 - lr * lam) ** t


def mean_input_gradient(model: Callable[[torch.Tensor], torch.Tensor], x: np.ndarray) -> np.ndarray:
    """Data-averaged input gradient :math:`J=\\mathbb E_x[\\partial f/\\partial x]`, shape (d, C).

    https://biascourse.github.io/biascourse/book/derivations/simplicity_biases.html#deriv-simp-pc (non-linear MLP): the analogue of a linear model's :math:`W`, to be
    fed to :func:`pc_residuals`. ``model`` maps (n, d) to (n, C), on the device of its parameters
    when it is a ``torch.nn.Module``; a stack of K networks (a module with ``n_models``, such as
    :class:`biascourse.models.BatchedMLP`, mapping per-network inputs (K, n, d) to (K, n, C))
    gives one gradient per network, shape (K, d, C).
    """
    device = next(model.parameters()).device if isinstance(model, torch.nn.Module) else "cpu"
    xt = torch.as_tensor(np.asarray(x), dtype=torch.float32, device=device)
    n_models = getattr(model, "n_models", None)
    if n_models is not None:  # one copy of the inputs per network, so that gradients do not mix
        xt = xt.expand(n_models, *xt.shape).contiguous()
    xt.requires_grad_(True)
    mean_out = model(xt).mean(dim=-2)  # (C,) or (K, C)
    n_out = mean_out.shape[-1]
    grads = [
        torch.autograd.grad(mean_out[..., c].sum(), xt, retain_graph=c < n_out - 1)[0].sum(dim=-2)
        for c in range(n_out)
    ]
    return torch.stack(grads, dim=-1).detach().double().cpu().numpy()
