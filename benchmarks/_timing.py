"""Timing helpers shared by the benchmark scripts (run them as ``python benchmarks/<script>.py``)."""
from __future__ import annotations

import time
from typing import Callable, Optional

import torch


def sync(device: Optional[torch.device] = None) -> None:
    """Wait for queued GPU work (a no-op on the CPU), so that a timer sees the work done."""
    if (device is None or device.type == "cuda") and torch.cuda.is_available():
        torch.cuda.synchronize()


def timed(fn: Callable, device: Optional[torch.device] = None) -> tuple[float, object]:
    """Seconds one call of ``fn`` takes, and its result."""
    sync(device)
    start = time.perf_counter()
    result = fn()
    sync(device)
    return time.perf_counter() - start, result


def best_time(fn: Callable, repeats: int, device: Optional[torch.device] = None) -> float:
    """The shortest of ``repeats`` timings: robust to other processes on a shared machine."""
    return min(timed(fn, device)[0] for _ in range(repeats))
