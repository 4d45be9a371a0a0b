"""Exact online SGD of the linear student on teacher-mixture data (https://biascourse.github.io/biascourse/book/derivations/tm_model.html#deriv-tm-protocol, https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-verification).

Three algorithms share one driver:

- ``"blocked"``: SGD in N dimensions, B consecutive one-sample steps at a time. Inside a block the
  errors solve a unit lower-triangular system (https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-verification), so a block costs a few matrix products instead of
  B Python iterations; it equals the literal loop up to rounding.
- ``"loop"``: the literal one-sample-per-step loop on the same random draws (for tests and teaching).
- ``"order_parameters"``: the exact finite-N Markov chain of the order parameters. For Gaussian
  inputs every quantity one SGD step needs is a function of the current overlaps, a few independent
  Gaussian numbers and one chi-square number for the part of the input orthogonal to the student and
  the teachers, so the chain has the same law as the N-dimensional simulation at a cost independent
  of N (see :class:`_OrderParameterChain`).

By rotation invariance the simulators put the teachers and the shift in the first three coordinates
(:func:`~biascourse.tm.fixed_coordinates`); :func:`~biascourse.tm.sample` uses a random frame.
"""
from __future__ import annotations

from typing import Literal, Optional, Sequence, Union

import numpy as np
import torch

from .._checks import choice, integer as check_integer, real
from .._random import seed_list as _as_seed_list
from ._backend import ArrayBackend, Backend, resolve_dtype
from ._data import fixed_coordinates
from ._errors import _group_error_rate as group_error_rate, _group_mse as group_mse
from ._params import TMParams, check_params
from ._trajectory import ORDER_PARAMETERS, Trajectory

SimulationMethod = Literal["blocked", "loop", "order_parameters"]
_DIVERGED_Q = 1e12


def simulate(
    params: TMParams,
    N: int,
    t_max: float,
    seeds: Union[int, Sequence[int]],
    *,
    method: SimulationMethod = "blocked",
    init_scale: float = 0.0,
    n_times: int = 51,
    n_test: int = 0,
    block: Optional[int] = None,
    backend: Optional[Backend] = None,
    device: Union[str, torch.device, None] = None,
    dtype: Optional[str] = None,
) -> Trajectory:
    """Run online SGD (one fresh sample per step, https://biascourse.github.io/biascourse/book/derivations/tm_model.html#deriv-tm-protocol) for many seeds at once and record its state.

    Parameters
    ----------
    params : a single model (``params.shape == ()``); ``eta_b > 0`` also trains the student bias.
    N : input dimension (>= 5).
    t_max : horizon in time units ``t = steps / N``; ``round(N * t_max)`` steps are run.
    seeds : a number of runs (seeds ``0 .. seeds - 1``) or a list of seeds. All runs share one
        random stream seeded by the whole list: the same list gives the same numbers.
    method : ``"blocked"`` (default), ``"loop"`` or ``"order_parameters"`` (see the module doc).
    init_scale : ``sigma_0`` of the initial student ``W_0 = sigma_0 g``, ``g ~ N(0, I_N)``
        (``Q_0 ~ sigma_0^2``); 0 starts from ``W_0 = 0``. The bias starts at 0.
    n_times : number of recording times, evenly spaced on ``[0, t_max]`` (rounded to whole steps).
    n_test : if > 0, also measure the per-group errors on ``n_test`` fresh test samples per group at
        every recording time (fields ``eps_plus_test`` ...). The fields ``eps_plus`` ... are the exact
        population errors of the current weights (https://biascourse.github.io/biascourse/book/derivations/tm_model.html#deriv-tm-errors applied to the measured overlaps).
    block : steps per block (``"blocked"``, ``"order_parameters"``; for ``"loop"`` only the size of the
        random draws). Default in N dimensions: ``sqrt(4e6 / (N n_seeds))`` clipped to [1, 64], which
        balances the Gram matrix (B multiply-adds per Gaussian draw) against the fixed cost of a block;
        for the chain: ``256 / n_seeds`` clipped to [1, 64] (blocks amortise Python overhead for few
        seeds; with many seeds single steps are cheapest). Results depend on it only through the
        random draws.
    backend : ``"torch"`` (CPU or GPU via ``device``) or ``"numpy"``. Default: torch in N dimensions;
        for the chain numpy on the CPU (faster for its small array operations), torch when a
        ``device`` is given.
    dtype : ``"float32"`` (default in N dimensions) or ``"float64"``; the chain always uses float64
        (its per-step increments are O(1/N)).

    Returns
    -------
    Trajectory
        Fields of shape ``(n_seeds, n_times)`` and the recording times ``t``. Compare with
        ``solve(params, sim.t, sim.initial_state())`` (https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-verification).

    Raises
    ------
    ArgumentTypeError
        If an argument is of the wrong kind (a float ``N``, a string ``t_max``, a float number of
        ``seeds``, ``params`` that is not a :class:`TMParams`).
    ValueError
        If ``params`` is a grid, an argument is out of range (``N < 5``, ``t_max <= 0``,
        ``n_times < 2``, ``seeds < 1``), or ``method``, ``backend``, ``dtype`` or ``device`` is
        unknown (a device this machine lacks raises ``DeviceUnavailableError``, also a ValueError).
    FloatingPointError
        If the weights diverge (non-finite, or ``Q > 1e12``); the message explains ``eta_max``.

    Warns
    -----
    RuntimeWarning
        When ``eta >= eta_max``.

    Examples
    --------
    >>> p = TMParams(rho=0.8, delta_plus=0.5, delta_minus=2.0, eta=0.1)
    >>> sim = simulate(p, N=500, t_max=10, seeds=8, n_times=11)
    >>> sim.Q.shape
    (8, 11)
    """
    check_params(params, single=True)
    check_integer("N", N, 5)
    t_max = real("t_max", t_max, 0, low_open=True)
    init_scale = real("init_scale", init_scale, 0)
    check_integer("n_times", n_times, 2)
    check_integer("n_test", n_test, 0)
    if block is not None:
        check_integer("block", block, 1)
    choice("method", method, ("blocked", "loop", "order_parameters"))
    seed_list = _as_seed_list(seeds)
    params.warn_if_unstable()
    block = block or _default_block(method, N, len(seed_list))
    if method == "order_parameters":
        if dtype not in (None, "float64", torch.float64, np.float64):
            raise ValueError(f"method='order_parameters' runs in float64; got dtype={dtype!r}")
        xb = ArrayBackend(backend or ("numpy" if device is None else "torch"), seed_list, device, "float64")
        runner = _OrderParameterChain(params, N, len(seed_list), xb, min(block, N - 4))
    else:
        xb = ArrayBackend(backend or "torch", seed_list, device, resolve_dtype(dtype, "float32"))
        runner = _NDimensionalSGD(params, N, len(seed_list), xb, block, literal=(method == "loop"))

    runner.initialise(init_scale)
    steps = np.unique(np.round(np.linspace(0, round(N * t_max), n_times)).astype(int))
    records, tests = [], []
    done = 0
    for step in steps:
        runner.advance(int(step - done))
        done = int(step)
        state = {name: xb.to_numpy(value) for name, value in runner.order_parameters().items()}
        _check_finite(params, state["Q"], done / N)
        records.append(state)
        if n_test:
            tests.append([xb.to_numpy(value) for value in runner.test_errors(n_test)])
    columns = {name: np.stack([r[name] for r in records], axis=1) for name in ORDER_PARAMETERS}
    values = [columns[name] for name in ORDER_PARAMETERS]
    eps_plus, eps_minus = group_mse(params, *values)
    err_plus, err_minus = group_error_rate(params, *values)
    measured = {}
    if n_test:
        names = ("eps_plus_test", "eps_minus_test", "err_plus_test", "err_minus_test")
        measured = {name: np.stack([row[i] for row in tests], axis=1) for i, name in enumerate(names)}
    return Trajectory(t=steps / N, **columns, eps_plus=eps_plus, eps_minus=eps_minus, err_plus=err_plus,
                      err_minus=err_minus, params=params, seeds=np.array(seed_list), **measured)


def _default_block(method: str, N: int, n_seeds: int) -> int:
    """Steps per block, tuned on a CPU (see the ``block`` parameter of :func:`simulate`)."""
    if method == "order_parameters":
        return int(np.clip(round(256 / n_seeds), 1, 64))
    return int(np.clip(round(np.sqrt(4e6 / (N * n_seeds))), 1, 64))


def _check_finite(params: TMParams, Q: np.ndarray, t: float) -> None:
    if np.all(np.isfinite(Q)) and np.all(Q < _DIVERGED_Q):
        return
    raise FloatingPointError(
        f"online SGD diverged by t = {t:.4g}: the weights became non-finite or Q = W.W/N exceeded "
        f"{_DIVERGED_Q:.0e}. The learning rate eta = {params.eta:g} must stay below the stability bound "
        f"eta_max = 2 Delta^mix / Delta^2mix = {params.eta_max:.4g} (https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-stability): above it the "
        "student norm Q grows exponentially. Use a smaller eta."
    )


class _Runner:
    """Shared state of both simulators: the model in fixed coordinates and the group draws."""

    def __init__(self, params: TMParams, N: int, n_seeds: int, xb: ArrayBackend, block: int):
        self.p, self.N, self.S, self.xb, self.block = params, N, n_seeds, xb, block
        t_plus, t_minus, mu = fixed_coordinates(params)
        self.t_plus, self.t_minus, self.mu = (xb.asarray(u) for u in (t_plus, t_minus, mu))
        self.eta, self.eta_b = float(params.eta), float(params.eta_b)

    def advance(self, steps: int) -> None:
        while steps > 0:
            size = min(self.block, steps)
            self._block(size)
            steps -= size

    def _draw_groups(self, shape: tuple):
        """True where a new sample belongs to group + (probability rho)."""
        return self.xb.uniform(shape) < self.p.rho

    def _test_groups(self, n_test: int):
        """n_test samples of group + then n_test of group -, for every seed."""
        plus = np.broadcast_to(np.repeat([True, False], n_test), (self.S, 2 * n_test))
        return plus if self.xb.name == "numpy" else torch.as_tensor(plus.copy(), device=self.xb.device)

    def _group_constants(self, plus):
        """Group signs c, input scales sqrt(Delta_c) and teacher offsets alpha_c."""
        p, one = self.p, self.xb.as_float(plus)  # arithmetic on the mask: no per-call scalar tensors
        sd_plus, sd_minus = float(np.sqrt(p.delta_plus)), float(np.sqrt(p.delta_minus))
        return (2 * one - 1, sd_minus + (sd_plus - sd_minus) * one,
                p.alpha_minus + (p.alpha_plus - p.alpha_minus) * one)

    def _labels(self, plus, alpha, field_plus, field_minus):
        """Labels ``sign(W_T^c . x / sqrt(N) + alpha_c)`` from the two teacher fields."""
        return 2 * self.xb.as_float(self.xb.xp.where(plus, field_plus, field_minus) + alpha >= 0) - 1

    def _errors_of(self, y, y_hat, n_test: int):
        loss, wrong = 0.5 * (y - y_hat) ** 2, self.xb.select(self.xb.xp.sign(y_hat) != y, 1.0, 0.0)
        return (loss[:, :n_test].mean(-1), loss[:, n_test:].mean(-1), wrong[:, :n_test].mean(-1),
                wrong[:, n_test:].mean(-1))


class _NDimensionalSGD(_Runner):
    """Online SGD with explicit weights ``W`` of shape (seeds, N) (https://biascourse.github.io/biascourse/book/derivations/tm_model.html#deriv-tm-protocol, https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-verification)."""

    def __init__(self, params, N, n_seeds, xb, block, literal: bool):
        super().__init__(params, N, n_seeds, xb, block)
        self.literal = literal
        self._buffer = None  # reused Gaussian block (seeds, B, N)

    def initialise(self, init_scale: float) -> None:
        self.W = init_scale * self.xb.normal((self.S, self.N)) if init_scale else self.xb.zeros((self.S, self.N))
        self.b = self.xb.zeros((self.S,))

    def order_parameters(self) -> dict:
        W3, N = self.W[:, :3], self.N
        return dict(R_plus=W3 @ self.t_plus / np.sqrt(N), R_minus=W3 @ self.t_minus / np.sqrt(N),
                    M=W3 @ self.mu / np.sqrt(N), Q=(self.W * self.W).sum(-1) / N, b=self.b)

    def _block(self, size: int) -> None:
        plus = self._draw_groups((self.S, size))
        c, sd, alpha = self._group_constants(plus)
        if self._buffer is None or self._buffer.shape[1] != size:
            self._buffer = self.xb.zeros((self.S, size, self.N))
        Z = self.xb.normal_into(self._buffer)
        if self.literal:
            self._literal_steps(plus, c, sd, alpha, Z)
        else:
            self._blocked_steps(plus, c, sd, alpha, Z)

    def _literal_steps(self, plus, c, sd, alpha, Z) -> None:
        """The textbook algorithm: for each sample, x, y, e = y - y_hat, W += eta e x / sqrt(N)."""
        N, xb = self.N, self.xb
        shift = xb.zeros((self.N,))
        shift[:3] = self.mu  # v / sqrt(N)
        teacher_plus, teacher_minus = xb.zeros((N,)), xb.zeros((N,))
        teacher_plus[:3], teacher_minus[:3] = np.sqrt(N) * self.t_plus, np.sqrt(N) * self.t_minus
        for k in range(Z.shape[1]):
            x = c[:, k, None] * shift + sd[:, k, None] * Z[:, k]
            y = self._labels(plus[:, k], alpha[:, k], x @ teacher_plus / np.sqrt(N), x @ teacher_minus / np.sqrt(N))
            e = y - (x * self.W).sum(-1) / np.sqrt(N) - self.b
            self.W = self.W + self.eta / np.sqrt(N) * e[:, None] * x
            self.b = self.b + self.eta_b / N * e

    def _fields(self, c, sd, Z):
        """Input coordinates along the teacher/shift frame and student fields ``W . x / sqrt(N)``."""
        x3 = c[..., None] * self.mu + sd[..., None] * Z[..., :3]
        # W[:, None, :] @ Z^T is far faster than Z @ W[:, :, None] in torch's batched kernels
        w_dot_z = (self.W[:, None, :] @ self.xb.xp.swapaxes(Z, -1, -2))[:, 0, :]
        return x3, (c * (self.W[:, None, :3] @ self.mu) + sd * w_dot_z) / np.sqrt(self.N)

    def _blocked_steps(self, plus, c, sd, alpha, Z) -> None:
        """B steps at once (https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-verification): errors from (Id + L) e = y - X W0 / sqrt(N) - b0, then one update."""
        N, xb, xp = self.N, self.xb, self.xb.xp
        x3, student = self._fields(c, sd, Z)
        y = self._labels(plus, alpha, x3 @ self.t_plus, x3 @ self.t_minus)
        r = y - student - self.b[:, None]
        if Z.shape[1] == 1:
            e = r
        else:
            shift_field = sd * (Z[..., :3] @ self.mu)  # sqrt(Delta_k) z_k . v / sqrt(N)
            gram = (c[:, :, None] * c[:, None, :] * float(self.p.V)
                    + c[:, :, None] * shift_field[:, None, :] + shift_field[:, :, None] * c[:, None, :]
                    + sd[:, :, None] * sd[:, None, :] * (Z @ xp.swapaxes(Z, -1, -2)))  # x_j . x_k
            e = xb.solve_unit_lower(xp.tril(self.eta / N * gram + self.eta_b / N, -1), r)
        update = ((e * sd)[:, None, :] @ Z)[:, 0, :]
        update[:, :3] += (e * c).sum(-1)[:, None] * self.mu
        self.W += self.eta / np.sqrt(N) * update
        self.b = self.b + self.eta_b / N * e.sum(-1)

    def test_errors(self, n_test: int, chunk: int = 256):
        plus_all = self._test_groups(n_test)
        y, y_hat = [], []
        for start in range(0, 2 * n_test, chunk):  # bounded memory: chunk x N inputs per seed
            plus = plus_all[:, start:start + chunk]
            c, sd, alpha = self._group_constants(plus)
            x3, student = self._fields(c, sd, self.xb.normal((self.S, plus.shape[1], self.N)))
            y.append(self._labels(plus, alpha, x3 @ self.t_plus, x3 @ self.t_minus))
            y_hat.append(student + self.b[:, None])
        cat = np.concatenate if self.xb.name == "numpy" else torch.cat
        return self._errors_of(cat(y, 1), cat(y_hat, 1), n_test)


class _OrderParameterChain(_Runner):
    """The exact finite-N Markov chain of the order parameters (https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-chain).

    Write ``W / sqrt(N) = w_1 e1 + w_2 e2 + w_3 e3 + w_4 e4`` where e1..e3 span the teachers and the
    shift and e4 is the direction of the rest of W (``w_4 >= 0``). A fresh input has independent
    standard normal coordinates ``g_1..g_4`` along e1..e4 and a part orthogonal to all of them whose
    squared norm is chi-square with ``N - 4`` degrees of freedom. The student, teacher and shift fields
    and ``|x|^2`` follow, hence the exact SGD update of ``(w, b)``; after the step the new rest of W
    defines the new e4. For a block of B steps the inner products of the B orthogonal parts form a
    Wishart(N - 4, I_B) matrix, drawn exactly by Bartlett's decomposition ``A A^T``; the errors then
    solve the same triangular system as in N dimensions. The cost per step is O(B), independent of N.
    """

    def initialise(self, init_scale: float) -> None:
        xb, S, N = self.xb, self.S, self.N
        # coordinates along e1..e3 as rows (3, seeds), so that every operation is one contiguous array op
        if init_scale:
            self.w3 = init_scale / np.sqrt(N) * xb.normal((3, S))
            self.w4 = init_scale / np.sqrt(N) * xb.xp.sqrt(xb.chisquare(N - 3, (S,)))
        else:
            self.w3, self.w4 = xb.zeros((3, S)), xb.zeros((S,))
        self.b = xb.zeros((S,))
        # constants of _step as 0-d (or column) backend arrays: their products with the boolean group
        # mask come out in float64 on both backends
        p, a = self.p, xb.asarray
        self._k = dict(sd_step=a(np.sqrt(p.delta_plus) - np.sqrt(p.delta_minus)), sd_minus=a(np.sqrt(p.delta_minus)),
                       mu=self.mu[:, None], shifted=p.V > 0, teachers=xb.xp.stack([self.t_plus, self.t_minus]),
                       minus_alpha_plus=a(-p.alpha_plus), minus_alpha_minus=a(-p.alpha_minus),
                       two_eta_over_N=a(2 * self.eta / N))

    def order_parameters(self) -> dict:
        dot = self.xb.xp.tensordot
        return dict(R_plus=dot(self.t_plus, self.w3, 1), R_minus=dot(self.t_minus, self.w3, 1),
                    M=dot(self.mu, self.w3, 1), Q=(self.w3 * self.w3).sum(0) + self.w4**2, b=self.b)

    def _inputs(self, plus):
        """Labels, input scales and input coordinates (3, seeds, B) along e1..e3 and (seeds, B) along e4."""
        xb, xp = self.xb, self.xb.xp
        c, sd, alpha = self._group_constants(plus)
        g = xb.normal32((4,) + tuple(plus.shape))
        x3 = c * self.mu[:, None, None] + sd * g[:3]
        y = self._labels(plus, alpha, xp.tensordot(self.t_plus, x3, 1), xp.tensordot(self.t_minus, x3, 1))
        return y, sd, x3, sd * g[3]

    def _block(self, size: int) -> None:
        if size == 1:
            return self._step()
        xb, xp, N, S, eta = self.xb, self.xb.xp, self.N, self.S, self.eta
        y, sd, x3, x4 = self._inputs(self._draw_groups((S, size)))
        r = y - (self.w3[:, :, None] * x3).sum(0) - x4 * self.w4[:, None] - self.b[:, None]
        chi2 = xb.chisquare(N - 4 - np.arange(size), (S, size))  # Bartlett diagonal
        A = xp.tril(xb.normal32((S, size, size)), -1) + xp.sqrt(chi2)[:, :, None] * xb.asarray(np.eye(size))
        gram = (xp.einsum("isj,isk->sjk", x3, x3) + x4[:, :, None] * x4[:, None, :]
                + sd[:, :, None] * sd[:, None, :] * (A @ xp.swapaxes(A, -1, -2)))
        e = xb.solve_unit_lower(xp.tril(eta / N * gram + self.eta_b / N, -1), r)
        rest2 = (((e * sd)[:, None, :] @ A)[:, 0, :] ** 2).sum(-1)
        self.w3 = self.w3 + eta / N * (e * x3).sum(-1)
        self.w4 = xp.sqrt((self.w4 + eta / N * (e * x4).sum(-1)) ** 2 + (eta / N) ** 2 * rest2)
        self.b = self.b + self.eta_b / N * e.sum(-1)

    def _step(self) -> None:
        """One SGD step for every seed: the update of a block of one, in fewer array operations.

        With many seeds the chain is bound by its draws (a uniform, four normals and a chi-square per
        seed) and by memory traffic, so this path works on (seeds,) arrays, in place where it can.
        """
        xb, xp, k = self.xb, self.xb.xp, self._k
        # arithmetic on the group mask rather than ``where``: about 3x cheaper per element in numpy
        plus = xb.uniform32((self.S,)) < self.p.rho
        g = xb.normal32((4, self.S))
        sd = plus * k["sd_step"] + k["sd_minus"]  # sqrt(Delta_c)
        x3 = g[:3] * sd
        if k["shifted"]:
            x3 += (plus * 2.0 - 1.0) * k["mu"]  # + c v / sqrt(N)
        teachers = k["teachers"] @ x3  # both teachers' fields, (2, seeds)
        label_plus = (plus & (teachers[0] >= k["minus_alpha_plus"])) | (~plus & (teachers[1] >= k["minus_alpha_minus"]))
        x4 = g[3] * sd
        student = xp.einsum("ij,ij->j", self.w3, x3)
        student += self.w4 * x4
        if self.eta_b:
            student += self.b
        student += 1.0  # with y = 2 label_plus - 1: y - y_hat = 2 label_plus - (1 + y_hat)
        step = label_plus * k["two_eta_over_N"] - (self.eta / self.N) * student  # eta (y - y_hat) / N
        self.w3 += step * x3  # the coordinates of W / sqrt(N) move by step * x
        sd *= step
        self.w4 = xp.sqrt((self.w4 + step * x4) ** 2 + sd * sd * xb.chisquare(self.N - 4, (self.S,)))
        if self.eta_b:
            self.b = self.b + (self.eta_b / self.eta) * step

    def test_errors(self, n_test: int):
        y, sd, x3, x4 = self._inputs(self._test_groups(n_test))
        y_hat = (self.w3[:, :, None] * x3).sum(0) + x4 * self.w4[:, None] + self.b[:, None]
        return self._errors_of(y, y_hat, n_test)
