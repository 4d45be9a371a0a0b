"""One seeding helper for Python, numpy and torch."""
from __future__ import annotations

import random

import numpy as np
import torch

from ._checks import ArgumentTypeError

MAX_SEED = 2**32 - 1


def check_seed(seed: int, name: str = "seed") -> int:
    """Validate a seed: an integer in [0, 2**32 - 1]. Returns it as a Python int."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ArgumentTypeError(f"{name} must be an integer in [0, {MAX_SEED}]; got {seed!r}")
    if not 0 <= int(seed) <= MAX_SEED:
        raise ValueError(f"{name} must be in [0, {MAX_SEED}]; got {seed}")
    return int(seed)


def seed_list(seeds) -> list[int]:
    """A number of runs (seeds ``0 .. seeds - 1``) or a non-empty sequence of seeds, as a list of seeds."""
    if isinstance(seeds, (int, np.integer)) and not isinstance(seeds, bool):
        if seeds < 1:
            raise ValueError(f"seeds must be a number of runs in [1, inf) or a list of seeds; got {seeds}")
        return list(range(int(seeds)))
    if isinstance(seeds, (str, bytes)) or not hasattr(seeds, "__iter__"):
        raise ArgumentTypeError(f"seeds must be a number of runs in [1, inf) or a list of seeds; got {seeds!r}")
    seeds = [check_seed(s, "each seed in seeds") for s in seeds]
    if not seeds:
        raise ValueError("seeds must be a number of runs in [1, inf) or a non-empty list of seeds; got []")
    return seeds


def seed_everything(seed: int) -> np.random.Generator:
    """Seed Python's ``random``, numpy's global state and torch (CPU and every GPU).

    Parameters
    ----------
    seed : integer in [0, 2**32 - 1].

    Returns
    -------
    numpy.random.Generator
        A fresh generator seeded with ``seed``; prefer it to numpy's global state.
    """
    seed = check_seed(seed)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device
    return np.random.default_rng(seed)
