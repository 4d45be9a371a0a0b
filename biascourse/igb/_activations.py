"""Activation functions of chapter 7 and their Gaussian moments.

The mean-field theory of the chapter needs, for an activation :math:`\\phi`, the Gaussian integrals
:math:`\\mathbb E\\,\\phi(u)`, :math:`\\mathbb E\\,\\phi(u_a)\\phi(u_b)` and
:math:`\\mathbb E\\,\\phi'(u_a)\\phi'(u_b)` for jointly Gaussian pre-activations with variances
``q_a``, ``q_b`` and correlation ``c`` (https://biascourse.github.io/biascourse/book/derivations/initial_guessing_bias.html#deriv-igb-meanfield). ReLU and the identity have closed
forms (the arc-cosine kernel); tanh is integrated numerically (trapezoid rule in the Gaussian variable). The same object
also gives the torch function used by the ensembles of :mod:`biascourse.igb`, so theory and
simulation use one definition of each activation.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import real
import torch

#: The activations known to chapter 7.
ACTIVATIONS = ("relu", "tanh", "linear")

#: The constant subtracted by the official ``ShiftedReLU``: the mean of ReLU(z) for z ~ N(0, 2).
SHIFTED_RELU_SHIFT = 1.0 / np.sqrt(np.pi)

# Gaussian integrals of tanh by the trapezoid rule on a uniform grid of z: for integrands analytic
# in a strip (tanh(sqrt(q) z) has its poles at distance pi / (2 sqrt(q))) its error falls like
# exp(-pi^2 / (h sqrt(q))), far faster than Gauss-Hermite once q is a few units: below 1e-8 for
# q <= 5 and 1e-5 for q <= 10 with the 2-d step, below 1e-9 for q <= 50 with the 1-d step.
_STEP_1D, _STEP_2D, _HALF_WIDTH = 0.05, 0.2, 7.0


def _trapezoid(step: float) -> tuple[np.ndarray, np.ndarray]:
    z = np.arange(-_HALF_WIDTH, _HALF_WIDTH + step / 2, step)
    return z, step * np.exp(-(z**2) / 2.0) / np.sqrt(2.0 * np.pi)


_Z1, _W1 = _trapezoid(_STEP_1D)
_Z2, _W2 = _trapezoid(_STEP_2D)
_BLOCK = 256  # points per block in the 2-d sums (bounds memory to a few MB per temporary)


def _gauss1(f, q):
    """E f(u) for u ~ N(0, q), vectorised over q."""
    u = np.sqrt(np.asarray(q, dtype=float))[..., None] * _Z1
    return np.sum(_W1 * f(u), axis=-1)


def _gauss2(f, q_a, q_b, c):
    """E f(u_a, u_b) for (u_a, u_b) Gaussian with variances q_a, q_b and correlation c."""
    q_a, q_b, c = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (q_a, q_b, c)))
    shape = q_a.shape
    sa, sb = np.sqrt(q_a).ravel(), np.sqrt(q_b).ravel()
    cc = np.clip(c, -1.0, 1.0).ravel()
    z1, z2 = _Z2[:, None], _Z2[None, :]
    w = _W2[:, None] * _W2[None, :]
    out = np.empty(sa.size)
    for lo in range(0, sa.size, _BLOCK):
        blk = slice(lo, lo + _BLOCK)
        ccb = cc[blk, None, None]
        u_a = sa[blk, None, None] * z1
        u_b = sb[blk, None, None] * (ccb * z1 + np.sqrt(1.0 - ccb**2) * z2)
        out[blk] = np.sum(w * f(u_a, u_b), axis=(-2, -1))
    return out.reshape(shape)


@dataclass(frozen=True)
class Activation:
    """An activation :math:`\\phi(z) - s` (a base function shifted down by a constant).

    Parameters
    ----------
    name : ``"relu"``, ``"tanh"`` or ``"linear"``.
    shift : the constant :math:`s` subtracted after the base function; ``SHIFTED_RELU_SHIFT`` with
        ``name="relu"`` is the official ShiftedReLU (https://biascourse.github.io/biascourse/book/derivations/initial_guessing_bias.html#deriv-igb-activation).
    """

    name: str
    shift: float = 0.0

    def __post_init__(self) -> None:
        if self.name not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {ACTIVATIONS}; got {self.name!r}")
        real("shift", self.shift)

    # --- the function itself -------------------------------------------------------------------
    def torch(self, z: torch.Tensor) -> torch.Tensor:
        """Apply the activation to a torch tensor."""
        if self.name == "relu":
            out = torch.relu(z)
        elif self.name == "tanh":
            out = torch.tanh(z)
        else:
            out = z
        return out - self.shift if self.shift else out

    def numpy(self, z: np.ndarray) -> np.ndarray:
        """Apply the activation to a numpy array."""
        if self.name == "relu":
            out = np.maximum(z, 0.0)
        elif self.name == "tanh":
            out = np.tanh(z)
        else:
            out = np.asarray(z, dtype=float)
        return out - self.shift

    def derivative(self, z: np.ndarray) -> np.ndarray:
        """The derivative :math:`\\phi'(z)` (the shift does not change it)."""
        if self.name == "relu":
            return (np.asarray(z) > 0).astype(float)
        if self.name == "tanh":
            return 1.0 - np.tanh(z) ** 2
        return np.ones_like(np.asarray(z, dtype=float))

    # --- Gaussian moments ----------------------------------------------------------------------
    def mean(self, q: np.ndarray) -> np.ndarray:
        """:math:`\\mathbb E\\,\\phi(\\sqrt q z)`, z standard normal; vectorised over ``q``."""
        q = np.asarray(q, dtype=float)
        if self.name == "relu":
            base = np.sqrt(q / (2.0 * np.pi))
        else:  # tanh and the identity are odd
            base = np.zeros_like(q)
        return base - self.shift

    def kernel(self, q_a: np.ndarray, q_b: np.ndarray, c: np.ndarray) -> np.ndarray:
        """:math:`\\mathbb E\\,\\phi(u_a)\\phi(u_b)`, the post-activation kernel.

        ``(u_a, u_b)`` are jointly Gaussian with variances ``q_a``, ``q_b`` and correlation ``c``;
        arguments broadcast. For ReLU this is the arc-cosine kernel
        :math:`\\frac{\\sqrt{q_aq_b}}{2\\pi}\\big[\\sqrt{1-c^2}+(\\pi-\\arccos c)\\,c\\big]`.
        """
        q_a, q_b, c = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (q_a, q_b, c)))
        c = np.clip(c, -1.0, 1.0)
        root = np.sqrt(q_a * q_b)
        if self.name == "relu":
            base = root / (2.0 * np.pi) * (np.sqrt(1.0 - c**2) + (np.pi - np.arccos(c)) * c)
        elif self.name == "linear":
            base = root * c
        else:
            base = _gauss2(lambda u, v: np.tanh(u) * np.tanh(v), q_a, q_b, c)
        s = self.shift
        # E(phi_a - s)(phi_b - s) = E phi_a phi_b - s (E phi_a + E phi_b) + s^2
        return base - s * (self.mean(q_a) + self.mean(q_b) + 2.0 * s) + s**2

    def second_moment(self, q: np.ndarray) -> np.ndarray:
        """:math:`\\mathbb E\\,\\phi(\\sqrt q z)^2`, the kernel at ``c = 1`` (one-dimensional integral)."""
        if self.name == "tanh":
            q = np.asarray(q, dtype=float)
            s = self.shift
            return _gauss1(lambda u: np.tanh(u) ** 2, q) - 2.0 * s * (self.mean(q) + s) + s**2
        return self.kernel(q, q, 1.0)

    def derivative_kernel(self, q_a: np.ndarray, q_b: np.ndarray, c: np.ndarray) -> np.ndarray:
        """:math:`\\mathbb E\\,\\phi'(u_a)\\phi'(u_b)`; at ``c = 1``, ``q_a = q_b = q*`` times
        :math:`\\sigma_w^2` it is :math:`\\chi_1`."""
        q_a, q_b, c = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (q_a, q_b, c)))
        c = np.clip(c, -1.0, 1.0)
        if self.name == "relu":
            return (np.pi - np.arccos(c)) / (2.0 * np.pi)
        if self.name == "linear":
            return np.ones_like(c)
        return _gauss2(lambda u, v: (1.0 - np.tanh(u) ** 2) * (1.0 - np.tanh(v) ** 2), q_a, q_b, c)

    def derivative_second_moment(self, q: np.ndarray) -> np.ndarray:
        """:math:`\\mathbb E\\,\\phi'(\\sqrt q z)^2`, so that :math:`\\chi_1=\\sigma_w^2` times it at :math:`q^*`."""
        if self.name == "tanh":
            return _gauss1(lambda u: (1.0 - np.tanh(u) ** 2) ** 2, q)
        return self.derivative_kernel(q, q, 1.0)


def as_activation(activation: str | Activation, shift: float = 0.0) -> Activation:
    """Return an :class:`Activation` from a name (with ``shift``) or pass one through."""
    if isinstance(activation, Activation):
        return activation
    return Activation(activation, shift)
