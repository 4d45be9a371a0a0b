"""A thin numpy/torch adapter, so that each simulator is written once for both array libraries."""
from __future__ import annotations

from typing import Literal, Optional, Sequence, Union

import numpy as np
import torch

Backend = Literal["numpy", "torch"]
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
        if backend not in ("numpy", "torch"):
            raise ValueError(f"backend must be 'numpy' or 'torch'; got {backend!r}")
        if dtype not in _DTYPES:
            raise ValueError(f"dtype must be 'float32' or 'float64'; got {dtype!r}")
        self.name = backend
        state = np.random.SeedSequence(seed_entropy).generate_state(2, np.uint32)
        if backend == "numpy":
            if device not in (None, "cpu") and str(device) != "cpu":
                raise ValueError(f"backend='numpy' runs on the CPU only; got device={device!r} (use backend='torch')")
            self.xp, self.device, self.dtype = np, None, _DTYPES[dtype][0]
            self._rng = np.random.default_rng(state)
        else:
            self.xp, self.device, self.dtype = torch, torch.device(device or "cpu"), _DTYPES[dtype][1]
            self._rng = torch.Generator(device=self.device).manual_seed(int(state[0]) << 32 | int(state[1]))

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

    def chisquare(self, df: np.ndarray, shape: tuple) -> Union[np.ndarray, torch.Tensor]:
        """Chi-square draws with degrees of freedom ``df`` broadcast to ``shape``."""
        df = np.broadcast_to(np.asarray(df, dtype=float), shape)
        if self.name == "numpy":
            return self._rng.chisquare(df).astype(self.dtype, copy=False)
        half = torch.as_tensor(df / 2, dtype=self.dtype, device=self.device)
        return 2 * torch._standard_gamma(half, generator=self._rng)

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
