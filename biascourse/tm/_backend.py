"""A thin numpy/torch adapter, so that each simulator is written once for both array libraries."""
from __future__ import annotations

import math
from typing import Literal, Optional, Sequence, Union

import numpy as np
import torch

from .._checks import choice
from .._device import resolve_device

Backend = Literal["numpy", "torch"]
_SMALL = 4096  # below this many draws, numpy's own samplers (one call each) beat the vectorised ones
_DTYPES = {"float32": (np.float32, torch.float32), "float64": (np.float64, torch.float64)}


class ArrayBackend:
    """Random draws, array creation and a batched unit-lower-triangular solve for one library.

    Parameters
    ----------
    backend : ``"numpy"`` or ``"torch"``.
    seed_entropy : integers seeding one random stream (``numpy.random.SeedSequence`` entropy).
    device : torch device (``None``: the CPU); must be None or ``"cpu"`` for numpy.
    dtype : ``"float32"`` or ``"float64"``.
    """

    def __init__(self, backend: Backend, seed_entropy: Union[int, Sequence[int]], device=None, dtype: str = "float64"):
        choice("backend", backend, ("numpy", "torch"))
        choice("dtype", dtype, _DTYPES)
        self.name = backend
        state = np.random.SeedSequence(seed_entropy).generate_state(4, np.uint32)
        if backend == "numpy":
            if device is not None and str(device) != "cpu":
                raise ValueError(f"backend='numpy' runs on the CPU only; got device={device!r} (use backend='torch')")
            self.xp, self.device, self.dtype = np, None, _DTYPES[dtype][0]
            self._rng = np.random.default_rng(state[:2])
            # float32 normals: torch's vectorised Box-Muller is about 3x faster than numpy's ziggurat
            self._fast_rng = torch.Generator().manual_seed(int(state[2]) << 32 | int(state[3]))
        else:
            self.xp, self.device, self.dtype = torch, resolve_device(device), _DTYPES[dtype][1]
            self._rng = torch.Generator(device=self.device).manual_seed(int(state[0]) << 32 | int(state[1]))
            self._fast_rng = self._rng

    def normal(self, shape: tuple) -> Union[np.ndarray, torch.Tensor]:
        if self.name == "numpy":
            return self._rng.standard_normal(shape, dtype=self.dtype)
        return torch.randn(shape, generator=self._rng, device=self.device, dtype=self.dtype)

    def normal_into(self, out) -> Union[np.ndarray, torch.Tensor]:
        """Fill a preallocated array with standard normals (saves allocating big blocks again)."""
        if self.name == "numpy":
            return self._rng.standard_normal(out=out, dtype=self.dtype)
        return out.normal_(generator=self._rng)

    def uniform(self, shape: tuple) -> Union[np.ndarray, torch.Tensor]:
        if self.name == "numpy":
            return self._rng.random(shape, dtype=self.dtype)
        return torch.rand(shape, generator=self._rng, device=self.device, dtype=self.dtype)

    def normal32(self, shape: tuple) -> Union[np.ndarray, torch.Tensor]:
        """Float32 standard normals, the cheapest exact draws on either backend.

        Arithmetic with float64 arrays promotes them to float64. The numpy backend takes them from a
        torch CPU generator (seeded from the same seed sequence): about 3.5 ns a number against 9.5 ns
        for numpy's own float64 ziggurat. Below 4096 numbers it uses numpy's float32 sampler (one call
        costs less than a torch call).
        """
        if self.name == "numpy" and math.prod(shape) < _SMALL:  # few numbers: one numpy call is cheaper
            return self._rng.standard_normal(shape, dtype=np.float32)
        out = torch.randn(shape, generator=self._fast_rng, device=self.device)
        return out.numpy() if self.name == "numpy" else out

    def uniform32(self, shape: tuple) -> Union[np.ndarray, torch.Tensor]:
        """Float32 uniforms on [0, 1)."""
        if self.name == "numpy":
            return self._rng.random(shape, dtype=np.float32)
        return torch.rand(shape, generator=self._rng, device=self.device)

    def chisquare(self, df, shape: tuple) -> Union[np.ndarray, torch.Tensor]:
        """Chi-square draws with ``df >= 1`` degrees of freedom (a number, or an array broadcast to ``shape``).

        Exact sampling by Marsaglia & Tsang's gamma method (ACM TOMS 26, 2000), ``chi2_k = 2 Gamma(k / 2)``,
        vectorised: one float32 normal and one float32 uniform per draw, and a redraw for the rare
        rejections (under 2% at k = 2, about 0.005% at k = 10^4). For ``k < 2``,
        ``Gamma(a) = Gamma(a + 1) U^(1/a)``. On a CPU core about 11 ns a draw against 14-19 ns for
        numpy's sampler and 40 ns for torch's; below 4096 draws the numpy backend calls numpy's sampler
        (one call costs less than the vectorised steps).
        """
        df = np.asarray(df, dtype=float)
        if df.size and not 1 <= df.min() <= df.max() < np.inf:
            raise ValueError(f"df must be in [1, inf); got {df.min() if df.min() < 1 else df.max()}")
        if self.name == "numpy" and math.prod(shape) < _SMALL:  # few numbers: numpy's sampler in one call
            return self._rng.chisquare(np.broadcast_to(df, shape))
        if df.ndim == 0 and df >= 2:  # one number of degrees of freedom: no per-element arrays
            return self._gamma_at_least_one(np.full(1, df / 2), shape, scale=2.0)
        a = np.broadcast_to(df / 2, shape)
        boost = a < 1
        gamma = self._gamma_at_least_one(np.where(boost, a + 1, a))  # not all equal: one value per draw
        if np.any(boost):
            gamma = gamma * self.uniform32(shape) ** self.asarray(np.where(boost, 1 / a, 0.0))
        return 2 * gamma

    def _gamma_at_least_one(self, a: np.ndarray, shape: Optional[tuple] = None, scale: float = 1.0):
        """``scale`` times Gamma(a) draws, a >= 1, in float64 (Marsaglia & Tsang: squeeze, exact test, redraw).

        ``a`` has the output's shape, or holds one value and ``shape`` gives the output's shape.
        """
        xp, flat = self.xp, a.reshape(-1)
        shape = a.shape if shape is None else shape
        size = math.prod(shape)
        if size == 0:
            return self._float64(np.zeros(shape))
        constant = flat.size == 1
        # float32 arithmetic up to v = (1 + c x)^3 (relative error 1e-7, far below the spread of the
        # draws), float64 from d v on
        d = np.float64(flat[0] - 1 / 3) if constant else self._float64(flat - 1 / 3)
        c = np.float32(1 / np.sqrt(9 * d)) if constant else self._float32(1 / np.sqrt(9 * (flat - 1 / 3)))
        out, todo = None, None  # todo: flat indices still to draw
        while todo is None or len(todo):
            n = size if todo is None else len(todo)
            d_t, c_t = (d, c) if constant or todo is None else (d[todo], c[todo])
            x, u = self.normal32((n,)), self.uniform32((n,))
            root = c_t * x + 1
            v = root * root * root
            x2 = x * x
            ok = u < 1 - 0.0331 * x2 * x2  # the squeeze accepts almost every draw ...
            if not (constant and float(x.min()) * c > -1):  # ... with v > 0 (always so for large a)
                ok &= root > 0
            bad = self._nonzero(~ok)
            if len(bad):  # the exact test for the draws the squeeze did not accept
                v_b, d_b = v[bad], d_t if constant else d_t[bad]
                with np.errstate(divide="ignore", invalid="ignore"):
                    ok[bad] = (v_b > 0) & (xp.log(u[bad]) < 0.5 * x2[bad] + d_b * (1 - v_b + xp.log(v_b)))
            value = (scale * d_t) * (v if self.name == "numpy" else v.double())
            if todo is None:
                out, todo = value, (bad[~ok[bad]] if len(bad) else bad)
            else:
                out[todo[ok]] = value[ok]
                todo = todo[~ok]
        return out.reshape(shape)

    def _float64(self, value):
        if self.name == "numpy":
            return np.asarray(value, dtype=np.float64)
        return torch.as_tensor(value, dtype=torch.float64, device=self.device)

    def _float32(self, value):
        if self.name == "numpy":
            return np.asarray(value, dtype=np.float32)
        return torch.as_tensor(value, dtype=torch.float32, device=self.device)

    def _nonzero(self, mask):
        return np.flatnonzero(mask) if self.name == "numpy" else torch.nonzero(mask)[:, 0]

    def zeros(self, shape: tuple) -> Union[np.ndarray, torch.Tensor]:
        if self.name == "numpy":
            return np.zeros(shape, dtype=self.dtype)
        return torch.zeros(shape, device=self.device, dtype=self.dtype)

    def asarray(self, value) -> Union[np.ndarray, torch.Tensor]:
        """Convert a number, numpy array or tensor (on any device) to this backend, device and dtype."""
        if self.name == "numpy":
            return np.asarray(self.to_numpy(value) if isinstance(value, torch.Tensor) else value, dtype=self.dtype)
        if isinstance(value, torch.Tensor):
            return value.to(device=self.device, dtype=self.dtype)
        return torch.as_tensor(np.asarray(value), dtype=self.dtype, device=self.device)

    def as_float(self, mask) -> Union[np.ndarray, torch.Tensor]:
        """A boolean mask as 0.0 / 1.0 in this backend's dtype."""
        return mask.astype(self.dtype) if self.name == "numpy" else mask.to(self.dtype)

    def select(self, condition, if_true, if_false) -> Union[np.ndarray, torch.Tensor]:
        """``where(condition, if_true, if_false)`` in this backend's dtype (numbers or arrays)."""
        if self.name == "numpy":
            return np.where(condition, if_true, if_false).astype(self.dtype, copy=False)
        return torch.where(condition, self.asarray(if_true), self.asarray(if_false))

    @staticmethod
    def to_numpy(value) -> np.ndarray:
        if isinstance(value, torch.Tensor):
            return value.detach().cpu().numpy().astype(np.float64)
        return np.asarray(value, dtype=np.float64)

    def solve_unit_lower(self, lower, rhs):
        """Solve ``(Id + lower) e = rhs`` for e, batched; ``lower`` is strictly lower triangular."""
        if self.name == "numpy":
            eye = np.eye(lower.shape[-1], dtype=self.dtype)
            return np.linalg.solve(eye + lower, rhs[..., None])[..., 0]
        return torch.linalg.solve_triangular(lower, rhs[..., None], upper=False, unitriangular=True)[..., 0]


def resolve_dtype(dtype: Optional[str], default: str) -> str:
    return default if dtype is None else str(dtype).replace("torch.", "")
