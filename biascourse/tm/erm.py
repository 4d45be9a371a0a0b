"""Learning from a fixed training set to convergence: the equilibrium picture (chapter 2 companion).

Empirical risk minimisation (ERM) of the linear student of (https://biascourse.github.io/biascourse/book/derivations/tm_model.html#deriv-tm-protocol) on ``n = alpha N``
teacher-mixture samples,

    (W_hat, b_hat) = argmin_{W, b}  sum_mu s_mu l(y_mu, W.x_mu / sqrt(N) + b) + lam |W|^2 / 2,

with the square loss ``l = (y - y_hat)^2 / 2`` (ridge regression, solved in closed form) or the
logistic loss ``l = log(1 + exp(-y y_hat))`` (Newton's method with a line search, run to
convergence). The intercept ``b`` is optional and not regularised; ``s_mu`` are sample weights (0/1
masks select the training set of one sub-population for *separate* training).

The per-group test errors of a learned student are the exact population errors of https://biascourse.github.io/biascourse/book/derivations/tm_model.html#deriv-tm-errors evaluated at
its order parameters ``R_+, R_-, M, Q, b``: for fixed weights the test fields are Gaussian inside
each group, so no test set (and no test-set noise) is needed. For the square loss,
:func:`ridge_theory` gives the high-dimensional limit ``N -> infinity`` at fixed ``alpha``; its
derivation is in the notebook ``02b_equilibrium`` (https://biascourse.github.io/biascourse/book/derivations/tm_model.html#deriv-tm-protocol).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Optional, Sequence, Union

import numpy as np
from scipy.special import expit

from .._checks import array as check_array, choice, instance, integer as check_integer, real
from .._random import seed_list as _as_seed_list
from ._data import Geometry, fixed_coordinates, sample
from ._errors import _group_error_rate as group_error_rate, _group_mse as group_mse
from ._params import ArrayLike, TMParams, check_params
from ._trajectory import TMState

__all__ = ["ERMCurve", "ERMFit", "fit", "learning_curve", "overlaps", "ridge_theory"]

Loss = Literal["square", "logistic"]
Training = Literal["joint", "separate"]

_LOSSES = ("square", "logistic")
_TRAININGS = ("joint", "separate")
_DATA_BYTES = 100e6  # learning_curve solves seeds in batches holding at most this much training data


@dataclass(frozen=True)
class ERMFit:
    """Weights learned by :func:`fit`.

    Attributes
    ----------
    W : weights, shape ``batch + (N,)``; the student is ``y_hat = W.x / sqrt(N) + b``.
    b : intercepts, shape ``batch`` (0 when the intercept is not trained).
    n_iter : Newton iterations used (0 for the closed-form ridge solution).
    """

    W: np.ndarray
    b: np.ndarray
    n_iter: int


@dataclass(frozen=True)
class ERMCurve:
    """Per-group errors of ERM as a function of the sample ratio ``alpha = n / N``.

    From :func:`learning_curve` (simulation: fields of shape ``(n_seeds, n_alphas)``, one row per
    seed) or :func:`ridge_theory` (the ``N -> infinity`` limit: fields of the broadcast shape of
    ``alpha`` and ``lam``).

    Attributes
    ----------
    alpha : sample ratios ``n / N`` (for a simulation, ``round(alpha N) / N``).
    model_plus, model_minus : order parameters (https://biascourse.github.io/biascourse/book/derivations/tm_model.html#deriv-tm-protocol) of the student that predicts group + and of the
        one that predicts group -. With joint training they are the same student; with separate
        training, ``model_plus`` was trained on the group-+ samples only, ``model_minus`` on the
        group-- samples only.
    eps_plus, eps_minus : per-group test MSE with the 1/2 of the loss (https://biascourse.github.io/biascourse/book/derivations/tm_model.html#deriv-tm-errors).
    err_plus, err_minus : per-group test misclassification probabilities (https://biascourse.github.io/biascourse/book/derivations/tm_model.html#deriv-tm-errors).
    params, loss, lam, training, intercept : the setting.
    N : input dimension of the simulation (None for the theory).
    seeds : seed of each row (None for the theory).
    """

    alpha: np.ndarray
    model_plus: TMState
    model_minus: TMState
    eps_plus: np.ndarray
    eps_minus: np.ndarray
    err_plus: np.ndarray
    err_minus: np.ndarray
    params: TMParams
    loss: str
    lam: ArrayLike
    training: str
    intercept: bool
    N: Optional[int] = None
    seeds: Optional[np.ndarray] = None

    @property
    def eps(self) -> np.ndarray:
        """Total MSE ``rho eps_+ + (1 - rho) eps_-``."""
        return self.params.rho * self.eps_plus + (1 - self.params.rho) * self.eps_minus

    @property
    def err(self) -> np.ndarray:
        """Total misclassification probability ``rho P_+ + (1 - rho) P_-``."""
        return self.params.rho * self.err_plus + (1 - self.params.rho) * self.err_minus

    @property
    def eps_gap(self) -> np.ndarray:
        """Bias in the MSE, ``eps_+ - eps_-`` (positive: group - is ahead)."""
        return self.eps_plus - self.eps_minus

    @property
    def err_gap(self) -> np.ndarray:
        """Bias in the misclassification rate, ``P_+ - P_-`` (positive: group - is ahead)."""
        return self.err_plus - self.err_minus

    def mean(self, name: str) -> np.ndarray:
        """Mean over seeds of a simulated field or property, e.g. ``curve.mean("err_gap")``."""
        return np.mean(self._rows(name), axis=0)

    def std(self, name: str) -> np.ndarray:
        """Standard deviation over seeds (the spread from one training set to the next; NaN with one seed)."""
        rows = self._rows(name)
        if rows.shape[0] < 2:
            return np.full(rows.shape[1:], np.nan)
        return np.std(rows, axis=0, ddof=1)

    def sem(self, name: str) -> np.ndarray:
        """Standard error of the seed mean, ``std / sqrt(n_seeds)`` (NaN with a single seed)."""
        return self.std(name) / np.sqrt(self._rows(name).shape[0])

    def _rows(self, name: str) -> np.ndarray:
        if self.seeds is None:
            raise ValueError("mean and sem average over seeds; this curve comes from ridge_theory, not learning_curve")
        return np.asarray(getattr(self, name))


def fit(
    x: np.ndarray,
    y: np.ndarray,
    *,
    lam: float,
    loss: Loss = "square",
    intercept: bool = False,
    sample_weight: Optional[np.ndarray] = None,
    tol: float = 1e-9,
    max_iter: int = 50,
) -> ERMFit:
    """Minimise the regularised empirical risk of the linear student; batched over leading axes.

    Minimises ``sum_mu s_mu l(y_mu, W.x_mu / sqrt(N) + b) + lam |W|^2 / 2`` (module docstring). The
    weights always lie in the span of the training inputs (representer theorem), so the problem is
    first reduced to ``r = min(n, N)`` dimensions by a QR decomposition of the inputs.

    - ``loss="square"``: ridge regression in closed form, ``(Z^T S Z + lam) u = Z^T S y`` on the
      (weighted-)centred data when the intercept is trained; ``lam = 0`` gives the minimum-norm
      least-squares solution (the interpolator when ``n < N``).
    - ``loss="logistic"``: Newton's method with a backtracking (Armijo) line search from ``W = 0``;
      stops when every Newton step is below ``tol (1 + |theta|)`` or predicts a decrease of the loss
      below its rounding error (``64 eps loss``, the stall of large problems). The objective is strictly convex
      for ``lam > 0``, so Newton converges quadratically to the unique minimiser.

    Parameters
    ----------
    x : inputs, shape ``batch + (n, N)`` (unscaled: the student divides by sqrt(N)).
    y : labels, shape ``batch + (n,)``; in {-1, +1} for the logistic loss.
    lam : ridge strength, >= 0 for the square loss and > 0 for the logistic loss.
    loss : ``"square"`` or ``"logistic"``.
    intercept : train an unregularised intercept ``b``.
    sample_weight : non-negative weights ``s_mu`` (default 1), shape ``batch + (n,)``.
    tol, max_iter : convergence tolerance and iteration cap of Newton's method (logistic loss).

    Returns
    -------
    ERMFit

    Raises
    ------
    ArgumentTypeError
        If ``x``, ``y`` or ``sample_weight`` holds no numbers, ``lam`` or ``tol`` is not a number, or
        ``max_iter`` not an integer.
    ValueError
        If ``x`` or ``y`` holds NaN or infinite values or no sample, the shapes do not match
        (``y``: ``batch + (n,)``, ``sample_weight`` broadcastable to it), ``lam`` is out of range,
        ``tol <= 0``, ``max_iter < 1``, or ``sample_weight`` is negative or not finite.
    RuntimeError
        If Newton's method has not converged after ``max_iter`` iterations (e.g. a training set
        whose labels are all equal, with an intercept: then no minimiser exists).

    Examples
    --------
    >>> p = TMParams(rho=0.8, delta_plus=0.5, delta_minus=2.0)
    >>> data = sample(p, 200, 100, seed=0)
    >>> fit(data.x, data.y, lam=0.1).W.shape
    (100,)
    """
    choice("loss", loss, _LOSSES)
    _check_lam(lam, loss)
    tol = real("tol", tol, 0, low_open=True)
    max_iter = check_integer("max_iter", max_iter, 1)
    x, y = check_array("x", x, nonempty=False), check_array("y", y, nonempty=False)
    if x.ndim < 2 or y.shape != x.shape[:-1]:
        raise ValueError(f"x must have shape batch + (n, N) and y shape batch + (n,); got {x.shape} and {y.shape}")
    if x.size == 0:
        raise ValueError(f"x must hold at least one sample of at least one dimension; got shape {x.shape}")
    if loss == "logistic" and not np.all(np.abs(y) == 1):
        raise ValueError("y must hold labels in {-1, +1} for the logistic loss")
    w = np.ones_like(y) if sample_weight is None else check_array("sample_weight", sample_weight, finite=False)
    if sample_weight is not None:
        try:
            w = np.broadcast_to(w, y.shape)
        except ValueError:
            raise ValueError(f"sample_weight must broadcast to the shape of y, {y.shape}; got {w.shape}") from None
    if np.any(w < 0) or not np.all(np.isfinite(w)):
        raise ValueError("sample_weight must be finite and non-negative")
    if intercept and np.any(w.sum(-1) == 0):
        raise ValueError("every training set needs at least one sample of positive weight to fit an intercept")
    batch, (n, N) = x.shape[:-2], x.shape[-2:]
    flat = (int(np.prod(batch, dtype=int)),)
    Z, basis = _reduce(x.reshape(flat + (n, N)) / np.sqrt(N))
    u, b, n_iter = _solve(Z, y.reshape(flat + (n,)), w.reshape(flat + (n,)), lam, loss, intercept, tol, max_iter)
    W = u if basis is None else np.einsum("snr,sr->sn", basis, u)
    return ERMFit(W=W.reshape(batch + (N,)), b=b.reshape(batch), n_iter=n_iter)


def overlaps(W: np.ndarray, geometry: Geometry, b: ArrayLike = 0.0) -> TMState:
    """Order parameters of weights ``W`` (https://biascourse.github.io/biascourse/book/derivations/tm_model.html#deriv-tm-protocol): ``R_+- = W.W_T^+-/N``, ``M = W.v/N``, ``Q = W.W/N``.

    ``W`` has shape ``batch + (N,)``; the geometry's vectors broadcast against it (one geometry per
    seed: stack them along the batch axes).

    Raises
    ------
    ArgumentTypeError
        If ``geometry`` is not a :class:`~biascourse.tm.Geometry` or ``W`` holds no numbers.
    ValueError
        If ``W`` or ``b`` holds NaN or infinite values, or ``W`` has another dimension than the geometry.
    """
    instance("geometry", geometry, Geometry)
    W = check_array("W", W)
    if W.ndim < 1:
        raise ValueError(f"W must have shape batch + (N,); got a number {float(W):g}")
    check_array("b", b, nonempty=False)
    N = W.shape[-1]
    if geometry.N != N:
        raise ValueError(f"W has dimension {N} but the geometry has dimension {geometry.N}")
    dot = lambda u: np.sum(W * np.asarray(u, dtype=float), axis=-1) / N  # noqa: E731
    return TMState(R_plus=dot(geometry.teacher_plus), R_minus=dot(geometry.teacher_minus), M=dot(geometry.shift),
                   Q=dot(W), b=np.broadcast_to(np.asarray(b, dtype=float), W.shape[:-1]).copy())


def learning_curve(
    params: TMParams,
    alphas: ArrayLike,
    N: int,
    seeds: Union[int, Sequence[int]],
    *,
    lam: float,
    loss: Loss = "square",
    training: Training = "joint",
    intercept: bool = False,
    tol: float = 1e-9,
    max_iter: int = 50,
) -> ERMCurve:
    """Train to convergence on ``n = round(alpha N)`` samples for every alpha and seed (batched).

    Each seed draws one stream of ``round(max(alphas) N)`` samples with :func:`~biascourse.tm.sample`
    (its own teachers and shift, in a random frame); the training set at ratio ``alpha`` is the first
    ``round(alpha N)`` samples of that stream, as online SGD at time ``t = alpha`` has seen them. All
    seeds of a batch are solved at once with batched linear algebra.

    Parameters
    ----------
    params : a single model (``params.shape == ()``; ``eta`` and ``eta_b`` are not used).
    alphas : sample ratios ``n / N`` (> 0, with ``round(alpha N) >= 1``).
    N : input dimension (>= 3).
    seeds : a number of runs (seeds ``0 .. seeds - 1``) or a list of seeds; same seeds, same numbers.
    lam : ridge strength (see :func:`fit`).
    loss : ``"square"`` (ridge) or ``"logistic"``.
    training : ``"joint"`` (one student trained on all samples) or ``"separate"`` (one student per
        sub-population, each trained on the samples of its own group and tested on it).
    intercept : train an unregularised intercept.
    tol, max_iter : see :func:`fit`.

    Returns
    -------
    ERMCurve
        Fields of shape ``(n_seeds, n_alphas)``; the errors are exact population errors of the
        learned weights (https://biascourse.github.io/biascourse/book/derivations/tm_model.html#deriv-tm-errors).

    Examples
    --------
    >>> p = TMParams(rho=0.8, delta_plus=0.5, delta_minus=2.0)
    >>> curve = learning_curve(p, [0.5, 2.0], N=100, seeds=3, lam=0.1)
    >>> curve.err_plus.shape
    (3, 2)

    Raises
    ------
    ArgumentTypeError
        If ``params`` is not a :class:`~biascourse.tm.TMParams`, ``N`` or ``seeds`` of the wrong kind.
    ValueError
        If ``params`` is a grid, ``alphas`` is empty, not 1-d, or holds a value that is not in
        (0, inf) or gives no sample, or ``lam``, ``N``, ``loss`` or ``training`` is invalid.
    """
    _check_single(params)
    choice("loss", loss, _LOSSES)
    choice("training", training, _TRAININGS)
    _check_lam(lam, loss)
    check_integer("N", N, 3)
    alphas = np.atleast_1d(check_array("alphas", alphas, finite=False, nonempty=False))
    if alphas.ndim != 1 or alphas.size == 0 or np.any(~np.isfinite(alphas)) or np.any(alphas <= 0):
        raise ValueError(f"alphas must be a non-empty 1-d array of numbers in (0, inf); got {alphas}")
    ns = np.rint(alphas * N).astype(int)
    if np.any(ns < 1):
        raise ValueError(f"every alpha must give at least one sample, round(alpha N) >= 1; got alpha={alphas[ns < 1][0]:g} at N={N}")
    seed_list = _as_seed_list(seeds)
    n_max = int(ns.max())
    per_batch = max(1, int(_DATA_BYTES // (8 * n_max * N)))
    fields = {name: np.empty((len(seed_list), len(ns))) for name in ("R_plus", "R_minus", "M", "Q", "b")}
    models = {"plus": {k: v.copy() for k, v in fields.items()}, "minus": {k: v.copy() for k, v in fields.items()}}
    for start in range(0, len(seed_list), per_batch):
        rows = slice(start, start + per_batch)
        batch = seed_list[rows]
        x = np.empty((len(batch), n_max, N))
        y, group = np.empty((len(batch), n_max)), np.empty((len(batch), n_max))
        vectors = np.empty((3, len(batch), N))  # teachers and shift of each seed
        for i, seed in enumerate(batch):
            draw = sample(params, n_max, N, seed)
            x[i], y[i], group[i] = draw.x, draw.y, draw.group
            vectors[:, i] = draw.geometry.teacher_plus, draw.geometry.teacher_minus, draw.geometry.shift
        geometry = Geometry(*vectors)
        x /= np.sqrt(N)  # the student's scaling, x / sqrt(N), done once
        for j, n in enumerate(ns):
            Z, basis = _reduce(x[:, :n])
            masks = {"plus": group[:, :n] > 0, "minus": group[:, :n] < 0}
            if training == "joint":
                masks = {"joint": np.ones((len(batch), n), dtype=bool)}
            for name, mask in masks.items():
                if np.any(mask.sum(-1) == 0):
                    raise ValueError(
                        f"sub-population {'+' if name == 'plus' else '-'} has no training sample at alpha={alphas[j]:g} "
                        f"(N={N}) for some seed; separate training needs samples of both groups: raise alpha or N")
                u, b, _ = _solve(Z, y[:, :n], mask.astype(float), lam, loss, intercept, tol, max_iter)
                W = u if basis is None else np.einsum("snr,sr->sn", basis, u)
                state = overlaps(W, geometry, b)
                for target in (("plus", "minus") if name == "joint" else (name,)):
                    for k in fields:
                        models[target][k][rows, j] = getattr(state, k)
    return _curve(params, ns / N, TMState(**models["plus"]), TMState(**models["minus"]), loss, lam, training,
                  intercept, N=N, seeds=np.array(seed_list))


def ridge_theory(
    params: TMParams,
    alphas: ArrayLike,
    lam: ArrayLike,
    *,
    training: Training = "joint",
    intercept: bool = False,
) -> ERMCurve:
    """Per-group errors of ridge regression in the limit ``N -> infinity`` at fixed ``alpha = n/N``.

    The saddle-point equations of the square loss for the teacher-mixture model, derived in the
    notebook ``02b_equilibrium`` (https://biascourse.github.io/biascourse/book/derivations/tm_model.html#deriv-tm-protocol) by a leave-one-out (cavity) argument, in the form of
    the Gaussian-mixture equations of Loureiro et al. (2021) specialised to isotropic groups and
    per-group teachers. With ``k_c = alpha p_c / (1 + Delta_c chi)``:

    1. the susceptibility ``chi > 0`` solves ``1 = chi [lam + alpha sum_c p_c Delta_c / (1 + Delta_c chi)]``;
    2. the overlaps ``w = (R-part, M-part)`` of the weights with the teachers and the shift solve the
       linear system ``lam w = sum_c k_c [mu (c E_c - c b - M) + sqrt(Delta_c) G_c t_c - Delta_c w]``
       (plus ``sum_c k_c (E_c - c M - b) = 0`` for a trained intercept), with ``t_c``, ``mu`` the
       coordinates of the teachers and shift (:func:`~biascourse.tm.fixed_coordinates`);
    3. the norm outside that three-dimensional span is
       ``Q_perp = chi^2 sum_c k_c Delta_c 2 eps_c / (1 + Delta_c chi)``, linear in ``Q_perp`` because
       ``2 eps_c = A_c + Delta_c Q_perp``.

    Here ``p_c = (rho, 1 - rho)`` for joint training; the separate student of group c uses its own
    group only (``p_c`` kept, the other set to 0).

    Parameters
    ----------
    params : a single model (``params.shape == ()``).
    alphas, lam : sample ratios (> 0) and ridge strengths (> 0); they broadcast together.
    training, intercept : as in :func:`learning_curve`.

    Returns
    -------
    ERMCurve
        Fields of the broadcast shape of ``alphas`` and ``lam``; ``alpha`` is ``alphas`` broadcast.

    Raises
    ------
    ArgumentTypeError
        If ``params`` is not a :class:`~biascourse.tm.TMParams`, or ``alphas`` or ``lam`` holds no numbers.
    ValueError
        If ``params`` is a grid, ``alphas`` or ``lam`` is not in (0, inf), they do not broadcast
        together, or ``training`` is unknown.
    """
    _check_single(params)
    choice("training", training, _TRAININGS)
    alphas = check_array("alphas", alphas, finite=False, nonempty=False)
    lam = check_array("lam", lam, finite=False, nonempty=False)
    try:
        alphas, lam = np.broadcast_arrays(alphas, lam)
    except ValueError:
        raise ValueError(f"alphas and lam must broadcast together; got shapes {alphas.shape} and {lam.shape}") from None
    if not np.all(np.isfinite(alphas) & (alphas > 0)):
        raise ValueError(f"alphas must be in (0, inf); got {alphas[~(np.isfinite(alphas) & (alphas > 0))].flat[0]:g}")
    if not np.all(np.isfinite(lam) & (lam > 0)):
        raise ValueError("lam must be in (0, inf) for the theory (use a small lam for the ridgeless limit); "
                         f"got {lam[~(np.isfinite(lam) & (lam > 0))].flat[0]:g}")
    rho = float(params.rho)
    weights = {"joint": (rho, 1 - rho), "plus": (rho, 0.0), "minus": (0.0, 1 - rho)}
    if training == "joint":
        plus = minus = _ridge_fixed_point(params, alphas, lam, weights["joint"], intercept)
    else:
        plus = _ridge_fixed_point(params, alphas, lam, weights["plus"], intercept)
        minus = _ridge_fixed_point(params, alphas, lam, weights["minus"], intercept)
    return _curve(params, alphas.copy(), plus, minus, "square", lam, training, intercept)


# ----- internals -------------------------------------------------------------------------------


def _ridge_fixed_point(params: TMParams, alpha: np.ndarray, lam: np.ndarray, p: tuple, intercept: bool) -> TMState:
    """Solve the three steps of :func:`ridge_theory` for group weights ``p = (p_+, p_-)``."""
    t_plus, t_minus, mu = fixed_coordinates(params)
    groups = [(1.0, p[0], float(params.delta_plus), float(params.E_plus), float(params.G_plus), t_plus),
              (-1.0, p[1], float(params.delta_minus), float(params.E_minus), float(params.G_minus), t_minus)]
    chi = _susceptibility(alpha, lam, [(pc, d) for _, pc, d, *_ in groups])
    k = [alpha * pc / (1 + d * chi) for _, pc, d, *_ in groups]
    # Linear system for theta = (w_1, w_2, w_3[, b]): the stationarity of W in the span and of b.
    dim = 3 + intercept
    A = np.zeros(alpha.shape + (dim, dim))
    rhs = np.zeros(alpha.shape + (dim,))
    A[..., :3, :3] = (lam + sum(kc * d for kc, (_, _, d, *_) in zip(k, groups)))[..., None, None] * np.eye(3)
    A[..., :3, :3] += sum(k)[..., None, None] * np.outer(mu, mu)
    for kc, (c, _, d, E, G, t) in zip(k, groups):
        rhs[..., :3] += kc[..., None] * (c * E * mu + np.sqrt(d) * G * t)
        if intercept:
            A[..., :3, 3] += (c * kc)[..., None] * mu
            A[..., 3, :3] += (c * kc)[..., None] * mu
            A[..., 3, 3] += kc
            rhs[..., 3] += kc * E
    theta = np.linalg.solve(A, rhs[..., None])[..., 0]
    w = theta[..., :3]
    b = theta[..., 3] if intercept else np.zeros(alpha.shape)
    R_plus, R_minus, M, Q_par = w @ t_plus, w @ t_minus, w @ mu, np.sum(w**2, axis=-1)
    eps_at_q_par = group_mse(params, R_plus, R_minus, M, Q_par, b)  # A_c / 2: the MSE without Q_perp
    source = sum(kc * d * 2 * e / (1 + d * chi) for kc, (_, _, d, *_), e in zip(k, groups, eps_at_q_par))
    gain = sum(kc * d**2 / (1 + d * chi) for kc, (_, _, d, *_) in zip(k, groups))
    Q_perp = chi**2 * source / (1 - chi**2 * gain)
    return TMState(R_plus=R_plus, R_minus=R_minus, M=M, Q=Q_par + Q_perp, b=b)


def _susceptibility(alpha: np.ndarray, lam: np.ndarray, groups: list) -> np.ndarray:
    """Root ``chi`` of ``f(chi) = chi lam + alpha sum_c p_c Delta_c chi / (1 + Delta_c chi) = 1``.

    ``f`` increases from 0 to infinity, and ``1 / (lam + alpha sum p Delta) <= chi <= 1 / lam``:
    bisection in ``log chi`` on that bracket, then two Newton steps to polish.
    """
    f = lambda chi: chi * lam + alpha * sum(pc * d * chi / (1 + d * chi) for pc, d in groups)  # noqa: E731
    df = lambda chi: lam + alpha * sum(pc * d / (1 + d * chi) ** 2 for pc, d in groups)  # noqa: E731
    lo = np.log(1 / (lam + alpha * sum(pc * d for pc, d in groups)))
    hi = np.log(1 / lam)
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        below = f(np.exp(mid)) < 1
        lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
    chi = np.exp(0.5 * (lo + hi))
    for _ in range(2):
        chi = chi - (f(chi) - 1) / df(chi)
    return chi


def _reduce(x: np.ndarray) -> tuple[np.ndarray, Optional[np.ndarray]]:
    """Coordinates ``Z`` (S, n, r) of scaled inputs ``x`` (S, n, N) in an orthonormal basis of their span.

    For ``n < N``, ``x^T = basis R`` (QR), so ``x = Z basis^T`` with ``Z = R^T``; weights ``W = basis u``
    have ``|W| = |u|`` and the same fields. For ``n >= N`` nothing is reduced (``basis`` is None).
    """
    n, N = x.shape[-2:]
    if n >= N:
        return x, None
    basis, r = np.linalg.qr(np.swapaxes(x, -1, -2))
    return np.swapaxes(r, -1, -2), basis


def _solve(Z, y, w, lam, loss, intercept, tol, max_iter) -> tuple[np.ndarray, np.ndarray, int]:
    """Minimise the ERM objective in the reduced coordinates; returns ``(u, b, n_iter)``."""
    if loss == "square":
        return (*_ridge(Z, y, w, lam, intercept), 0)
    return _logistic_newton(Z, y, w, lam, intercept, tol, max_iter)


def _ridge(Z, y, w, lam, intercept) -> tuple[np.ndarray, np.ndarray]:
    """Closed-form ridge regression with sample weights; an intercept is removed by weighted centring."""
    if intercept:
        total = w.sum(-1)
        z_bar = np.einsum("sn,snr->sr", w, Z) / total[:, None]
        y_bar = np.sum(w * y, axis=-1) / total
        Z, y = Z - z_bar[:, None, :], y - y_bar[:, None]
    root = np.sqrt(w)
    A, t = Z * root[..., None], y * root
    if lam > 0:
        gram = np.swapaxes(A, -1, -2) @ A + lam * np.eye(A.shape[-1])
        u = np.linalg.solve(gram, np.einsum("snr,sn->sr", A, t)[..., None])[..., 0]
    else:  # minimum-norm least squares
        u = np.einsum("srn,sn->sr", np.linalg.pinv(A), t)
    b = y_bar - np.einsum("sr,sr->s", z_bar, u) if intercept else np.zeros(Z.shape[0])
    return u, b


def _logistic_newton(Z, y, w, lam, intercept, tol, max_iter) -> tuple[np.ndarray, np.ndarray, int]:
    """Damped Newton's method for the weighted, ridge-penalised logistic loss, all problems at once."""
    S, n, r = Z.shape
    A = np.concatenate([Z, np.ones((S, n, 1))], axis=-1) if intercept else Z
    penalty = np.full(A.shape[-1], float(lam))
    if intercept:
        penalty[-1] = 0.0  # the intercept is not regularised
    theta = np.zeros((S, A.shape[-1]))

    def objective(th):
        margin = y * np.einsum("snk,sk->sn", A, th)
        return np.sum(w * np.logaddexp(0.0, -margin), axis=-1) + 0.5 * np.sum(penalty * th**2, axis=-1)

    value = objective(theta)
    for it in range(1, max_iter + 1):
        margin = y * np.einsum("snk,sk->sn", A, theta)
        wrong = expit(-margin)  # -dl/dmargin
        grad = -np.einsum("snk,sn->sk", A, w * y * wrong) + penalty * theta
        curvature = w * wrong * (1 - wrong)
        hess = np.swapaxes(A * curvature[..., None], -1, -2) @ A + np.diag(penalty)
        step = -np.linalg.solve(hess, grad[..., None])[..., 0]
        slope = np.sum(grad * step, axis=-1)  # < 0: a descent direction; -slope / 2 is the predicted decrease
        # converged: a small step, or a predicted decrease below the rounding error of the objective
        # (near the minimum of a large problem the computed step stalls at ~1e-8 relative, from rounding)
        small = ((np.linalg.norm(step, axis=-1) <= tol * (1 + np.linalg.norm(theta, axis=-1)))
                 | (-0.5 * slope <= 64 * np.finfo(float).eps * np.abs(value)))
        if np.all(small):
            theta = theta + step
            return (theta[:, :r], theta[:, r] if intercept else np.zeros(S), it)
        t = np.ones(S)
        for _ in range(60):  # backtracking until the Armijo condition holds for every problem
            trial = objective(theta + t[:, None] * step)
            ok = small | (trial <= value + 1e-4 * t * slope)
            if np.all(ok):
                break
            t = np.where(ok, t, 0.5 * t)
        theta = theta + t[:, None] * step
        value = objective(theta)
    raise RuntimeError(
        f"Newton's method for the logistic loss did not converge in max_iter={max_iter} iterations "
        f"(tol={tol:g}); raise max_iter or lam. With an intercept, a training set whose labels are all "
        "equal has no minimiser."
    )


def _curve(params, alpha, plus: TMState, minus: TMState, loss, lam, training, intercept, N=None, seeds=None) -> ERMCurve:
    """Evaluate the https://biascourse.github.io/biascourse/book/derivations/tm_model.html#deriv-tm-errors errors of the group-+ student on group + and of the group-- student on group -."""
    args = lambda s: (s.R_plus, s.R_minus, s.M, s.Q, s.b)  # noqa: E731
    eps_plus, err_plus = group_mse(params, *args(plus))[0], group_error_rate(params, *args(plus))[0]
    eps_minus, err_minus = group_mse(params, *args(minus))[1], group_error_rate(params, *args(minus))[1]
    return ERMCurve(alpha=alpha, model_plus=plus, model_minus=minus, eps_plus=eps_plus, eps_minus=eps_minus,
                    err_plus=err_plus, err_minus=err_minus, params=params, loss=loss, lam=lam, training=training,
                    intercept=intercept, N=N, seeds=seeds)


def _check_single(params: TMParams) -> None:
    check_params(params, single=True)


def _check_lam(lam: float, loss: str) -> None:
    lam = real("lam", lam)
    if loss == "logistic" and lam <= 0:
        raise ValueError(f"lam must be in (0, inf) for the logistic loss (without it separable data have no minimiser); got {lam:g}")
    if lam < 0:
        raise ValueError(f"lam must be in [0, inf) for the square loss; got {lam:g}")

