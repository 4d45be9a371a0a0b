"""Timing helpers shared by the benchmark scripts (run them as ``python benchmarks/<script>.py``).

Every comparison in the benchmarks uses one statistic for both sides: :func:`interleaved` times the
alternatives in turn, several rounds, and reports each one's minimum, median and maximum; ratios are
ratios of medians. Interleaving makes a slow phase of a shared machine (another job starting, the
CPU clocking down) hit every alternative alike instead of the one that happened to run then.
"""
from __future__ import annotations

import datetime
import os
import platform
import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Optional

import torch


def sync(device: Optional[torch.device] = None) -> None:
    """Wait for queued GPU work (a no-op on the CPU), so that a timer sees the work done."""
    if (device is None or torch.device(device).type == "cuda") and torch.cuda.is_available():
        torch.cuda.synchronize()


def timed(fn: Callable, device: Optional[torch.device] = None) -> tuple[float, object]:
    """Seconds one call of ``fn`` takes, and its result."""
    sync(device)
    start = time.perf_counter()
    result = fn()
    sync(device)
    return time.perf_counter() - start, result


@dataclass(frozen=True)
class Timing:
    """The seconds of repeated calls of one alternative."""

    times: tuple[float, ...]

    @property
    def min(self) -> float:
        return min(self.times)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def max(self) -> float:
        return max(self.times)

    def text(self, unit: str = "s", scale: float = 1.0, digits: int = 3) -> str:
        """``median [min, max] unit``, e.g. ``0.316 [0.301, 0.352] s``."""
        m, lo, hi = (scale * v for v in (self.median, self.min, self.max))
        return f"{m:.{digits}g} [{lo:.{digits}g}, {hi:.{digits}g}] {unit}"


def interleaved(runs: Mapping[str, Callable], repeats: int, device: Optional[torch.device] = None,
                prepare: Optional[Mapping[str, Callable]] = None, warmup: bool = False) -> dict[str, Timing]:
    """Time the alternatives ``runs`` (name -> call) in turn, ``repeats`` rounds.

    Each round calls every alternative once, the order rotated from round to round. With
    ``warmup``, one untimed call of each comes first (allocations, kernel selection); without it,
    the median of three or more rounds already discounts a slow first call. ``prepare[name]()``, when
    given, runs untimed before each call of ``runs[name]`` (e.g. fresh networks to train).
    """
    if repeats < 1:
        raise ValueError(f"repeats must be an integer in [1, inf); got {repeats}")
    names = list(runs)
    prepare = prepare or {}

    def once(name: str) -> float:
        if name in prepare:
            prepare[name]()
        return timed(runs[name], device)[0]

    if warmup:
        for name in names:
            once(name)
    times: dict[str, list[float]] = {name: [] for name in names}
    for r in range(repeats):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            times[name].append(once(name))
    return {name: Timing(tuple(t)) for name, t in times.items()}


def single(fn: Callable, repeats: int, device: Optional[torch.device] = None, warmup: bool = False) -> Timing:
    """:func:`interleaved` for one alternative."""
    return interleaved({"run": fn}, repeats, device, warmup=warmup)["run"]


def header(device: Optional[torch.device] = None) -> str:
    """When and where the figures below were measured: UTC date, machine, torch threads, device."""
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    cores = os.cpu_count()
    limited = {k: os.environ[k] for k in ("OMP_NUM_THREADS", "MKL_NUM_THREADS") if k in os.environ}
    env = "".join(f", {k}={v}" for k, v in limited.items())
    return (f"measured {now} on {platform.machine()} ({cores} logical CPUs), torch {torch.__version__}, "
            f"torch threads: {torch.get_num_threads()}{env}, device: {device or 'cpu'}\n"
            "timings: median [min, max] over interleaved repeats; ratios are ratios of medians")
