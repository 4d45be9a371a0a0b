"""Argument checks at the package's public boundary, in one place.

Every public function validates what a user passes with these helpers, so that a bad argument gets
one kind of message everywhere: the parameter's name, what is allowed, and what was given, e.g.
``steps must be an integer in [1, inf); got 0.5``.

Exceptions: a value of the wrong kind raises :class:`ArgumentTypeError` (a ``TypeError`` that is also
a ``ValueError``, so code that catches either keeps working); a value of the right kind outside its
allowed range raises ``ValueError``.
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence

import numpy as np

__all__ = ["ArgumentTypeError", "integer", "real", "choice", "array", "same_length", "instance", "interval_text"]


class ArgumentTypeError(TypeError, ValueError):
    """An argument of the wrong kind (a float where an integer is needed, a string for a number, ...)."""


def interval_text(low=None, high=None, *, low_open: bool = False, high_open: bool = False) -> str:
    """The allowed range as a reader writes it: ``[1, inf)``, ``(0, 1]``, ``(-inf, inf)``."""
    left = "(" if low is None or low_open else "["
    right = ")" if high is None or high_open else "]"
    lo = "-inf" if low is None else f"{low:g}" if isinstance(low, float) else str(low)
    hi = "inf" if high is None else f"{high:g}" if isinstance(high, float) else str(high)
    return f"{left}{lo}, {hi}{right}"


def _is_integer(value) -> bool:
    return isinstance(value, (numbers.Integral, np.integer)) and not isinstance(value, (bool, np.bool_))


def integer(name: str, value, low: int | None = None, high: int | None = None) -> int:
    """``value`` as a Python int, checked to be an integer in ``[low, high]`` (either bound may be None)."""
    allowed = interval_text(low, high)
    if not _is_integer(value):
        raise ArgumentTypeError(f"{name} must be an integer in {allowed}; got {value!r}")
    value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"{name} must be an integer in {allowed}; got {value}")
    return value


def real(name: str, value, low: float | None = None, high: float | None = None, *,
         low_open: bool = False, high_open: bool = False) -> float:
    """``value`` as a finite Python float in the interval given (open or closed at each end)."""
    allowed = interval_text(low, high, low_open=low_open, high_open=high_open)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.integer, np.floating)):
        if isinstance(value, np.ndarray) and value.ndim == 0 and np.issubdtype(value.dtype, np.number):
            value = value.item()
        else:
            raise ArgumentTypeError(f"{name} must be a real number in {allowed}; got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number in {allowed}; got {value}")
    below = low is not None and (value <= low if low_open else value < low)
    above = high is not None and (value >= high if high_open else value > high)
    if below or above:
        raise ValueError(f"{name} must be in {allowed}; got {value:g}")
    return value


def choice(name: str, value, choices: Iterable):
    """``value``, checked to be one of ``choices``; the message lists them."""
    choices = tuple(choices)
    try:
        ok = value in choices
    except TypeError:  # unhashable or incomparable values
        ok = False
    if not ok:
        listed = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {listed}; got {value!r}")
    return value


def _is_text(value) -> bool:
    if isinstance(value, (str, bytes, np.str_, np.bytes_)):
        return True
    try:
        return np.asarray(value).dtype.kind in "SU"
    except (TypeError, ValueError):  # ragged or odd objects: the conversion below reports them
        return False


def array(name: str, value, *, ndim: int | Sequence[int] | None = None,
          shape: Sequence[int | None] | None = None, finite: bool = True,
          low: float | None = None, high: float | None = None, nonempty: bool = True,
          dtype=float, allow_inf: bool = False) -> np.ndarray:
    """``value`` as a numpy array, checked for dimension, shape (None = any size), emptiness,
    finiteness and a closed range ``[low, high]``. Torch tensors are accepted (moved to the CPU).
    ``allow_inf=True`` (with ``finite=True``) rejects NaN only, for arguments where an infinite
    bound is meaningful."""
    if hasattr(value, "detach") and hasattr(value, "cpu"):
        value = value.detach().cpu().numpy()
    if _is_text(value):  # numpy would read "0.5" as a number
        raise ArgumentTypeError(f"{name} must be an array of numbers; got text {value!r:.60}")
    try:
        arr = np.asarray(value, dtype=dtype) if dtype is not None else np.asarray(value)
    except (TypeError, ValueError) as error:
        raise ArgumentTypeError(f"{name} must be an array of numbers; got {type(value).__name__} ({error})") from None
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(str(n) for n in allowed)
            raise ValueError(f"{name} must have {want} dimension(s); got shape {arr.shape}")
    if shape is not None:
        if arr.ndim != len(shape) or any(s is not None and s != a for s, a in zip(shape, arr.shape)):
            want = "(" + ", ".join("any" if s is None else str(s) for s in shape) + ")"
            raise ValueError(f"{name} must have shape {want}; got {arr.shape}")
    if nonempty and arr.size == 0:
        raise ValueError(f"{name} must not be empty; got shape {arr.shape}")
    if np.issubdtype(arr.dtype, np.number) and arr.size:
        if finite and allow_inf and np.any(np.isnan(arr)):
            raise ValueError(f"{name} must not hold NaN; got {int(np.count_nonzero(np.isnan(arr)))} NaN value(s)")
        if finite and not allow_inf and not np.all(np.isfinite(arr)):
            bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
            raise ValueError(f"{name} must hold finite numbers; got {bad} NaN or infinite value(s)")
        if low is not None or high is not None:
            values = arr[~np.isnan(arr)] if allow_inf else arr[np.isfinite(arr)] if not finite else arr
            if values.size and ((low is not None and values.min() < low) or (high is not None and values.max() > high)):
                raise ValueError(f"{name} must hold values in {interval_text(low, high)}; "
                                 f"got values from {values.min():g} to {values.max():g}")
    return arr


def same_length(**arrays) -> int:
    """Check that the arrays given by keyword have the same first dimension; return it."""
    lengths = {name: len(a) for name, a in arrays.items()}
    if len(set(lengths.values())) > 1:
        described = ", ".join(f"{name} has {n}" for name, n in lengths.items())
        raise ValueError(f"{' and '.join(lengths)} must have the same length; {described}")
    return next(iter(lengths.values()), 0)


def instance(name: str, value, kind: type | tuple[type, ...]):
    """``value``, checked to be an instance of ``kind``; else :class:`ArgumentTypeError` naming it."""
    if not isinstance(value, kind):
        kinds = kind if isinstance(kind, tuple) else (kind,)
        wanted = " or ".join(k.__name__ for k in kinds)
        raise ArgumentTypeError(f"{name} must be a {wanted}; got {type(value).__name__} ({value!r:.60})")
    return value
