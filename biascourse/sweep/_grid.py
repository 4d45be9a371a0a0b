"""Grids of configurations and batches of seeds."""
from __future__ import annotations

import itertools
import json
import numbers
from collections.abc import Mapping, Sequence

import numpy as np

from .._checks import ArgumentTypeError, array, integer


def _plain(name: str, value):
    """``value`` as a JSON-ready Python value (numbers, text, booleans, None, lists of these)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (numbers.Integral, np.integer)):
        return int(value)
    if isinstance(value, (numbers.Real, np.floating)):
        return float(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(f"{name}[{k!r}]", v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_plain(name, v) for v in (value.tolist() if isinstance(value, np.ndarray) else value)]
    raise ArgumentTypeError(f"{name} must be a number, text, a boolean, None, or a list or dict of these (the store keys "
                            f"configurations by their JSON text); got {type(value).__name__} ({value!r:.60})")


def configuration(value, name: str = "configuration") -> dict:
    """One configuration, checked: a mapping from text names to plain values, returned as a plain dict."""
    if not isinstance(value, Mapping):
        raise ArgumentTypeError(f"{name} must be a dict of named values; got {type(value).__name__} ({value!r:.60})")
    out = {}
    for key, v in value.items():
        if not isinstance(key, str) or not key:
            raise ArgumentTypeError(f"{name} must have non-empty text names; got the name {key!r}")
        if key == "seed":
            raise ValueError(f"{name} must not have a value named 'seed' (the sweep gives the seeds); got {value!r:.80}")
        out[key] = _plain(f"{name}[{key!r}]", v)
    return out


def grid(**axes: Sequence) -> list[dict]:
    """The product of named lists, as a list of configurations.

    Parameters
    ----------
    **axes : sequence
        One non-empty list of values per name, e.g. ``weight_decay=[1e-4, 1e-3], width=[32, 64]``.

    Returns
    -------
    list of dict
        Every combination, the last name varying fastest:
        ``[{"weight_decay": 1e-4, "width": 32}, {"weight_decay": 1e-4, "width": 64}, ...]``.
    """
    if not axes:
        raise ValueError("grid needs at least one named list, e.g. grid(weight_decay=[1e-4, 1e-3]); got none")
    for key, values in axes.items():
        if isinstance(values, (str, bytes)) or not isinstance(values, (Sequence, np.ndarray)):
            raise ArgumentTypeError(f"{key} must be a list of values; got {type(values).__name__} ({values!r:.60})")
        if len(values) == 0:
            raise ValueError(f"{key} must be a non-empty list of values; got an empty one")
    names = list(axes)
    return [configuration(dict(zip(names, combo)), "grid") for combo in itertools.product(*axes.values())]


def configurations(value) -> list[dict]:
    """A list of configurations (from :func:`grid`, or written out), checked; duplicates are an error."""
    if isinstance(value, Mapping) or isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise ArgumentTypeError("configurations must be a list of dicts (e.g. grid(width=[32, 64])); "
                                f"got {type(value).__name__} ({value!r:.60})")
    if len(value) == 0:
        raise ValueError("configurations must be a non-empty list of dicts; got an empty list")
    out = [configuration(c, f"configurations[{i}]") for i, c in enumerate(value)]
    seen = {}
    for i, c in enumerate(out):
        text = canonical(c)
        if text in seen:
            raise ValueError(f"configurations must be distinct; configurations[{seen[text]}] and "
                             f"configurations[{i}] are both {c}")
        seen[text] = i
    return out


def seed_list(seeds) -> np.ndarray:
    """The seeds, checked: distinct non-negative integers (an int n means ``range(n)``)."""
    if isinstance(seeds, (numbers.Integral, np.integer)) and not isinstance(seeds, (bool, np.bool_)):
        return np.arange(integer("seeds", seeds, 1), dtype=np.int64)
    arr = array("seeds", seeds, ndim=1, dtype=None)
    if not np.issubdtype(arr.dtype, np.integer):
        raise ArgumentTypeError(f"seeds must be an int or a list of integers in [0, 2**63); got dtype {arr.dtype}")
    if arr.min() < 0:
        raise ValueError(f"seeds must be integers in [0, 2**63); got {int(arr.min())}")
    if len(np.unique(arr)) != len(arr):
        raise ValueError("seeds must be distinct; got a repeated seed")
    return arr.astype(np.int64)


def seed_batches(seeds: np.ndarray, seeds_per_task: int) -> list[np.ndarray]:
    """The seeds cut into consecutive batches of ``seeds_per_task`` (the last may be shorter)."""
    return [seeds[i:i + seeds_per_task] for i in range(0, len(seeds), seeds_per_task)]


def canonical(value) -> str:
    """The JSON text of a plain value, with sorted names: the same configuration always gives the same text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=True)
