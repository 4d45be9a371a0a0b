"""Benchmark of the many-seeds trainer (chapter 5): K networks in one batched pass.

For a 2-layer MLP on 784-dimensional inputs (widths 16, 64, 512) and K = 100 seeds, it measures
in one run:

* the batched trainer (``BatchedMLP`` + ``train``) against a Python loop that trains the K
  networks one after the other with the same ``train`` function, both with independent data
  (each seed its own minibatches, as in independent runs) and with shared minibatches (one data
  seed for all networks, which saves the per-network gather of the inputs);
* the floating-point rate the batched trainer achieves against the machine's matrix-multiply rate
  (one large float32 matrix product timed in the same run).

Targets: on a CPU at least 2x the loop at width 64 and at least 50% of the matmul rate at
width 512; on a GPU at least 20x the loop.

Run: ``python benchmarks/bench_train.py`` (``--device cuda`` on a GPU; ``--help`` for options).

Measured on the course's 2-core development CPU (2 torch threads, matmul 189 GFLOP/s), K = 100,
batch 128, 20 steps:

    width   loop s |  independent data: s  speed-up  % matmul |  shared minibatches: s  speed-up  % matmul
       16     1.24 |                0.316      3.9x       33% |                  0.174      7.1x       59%
       64     1.51 |                0.654      2.3x       63% |                  0.591      2.6x       70%
      512     4.23 |                4.133      1.0x       80% |                  5.839      0.7x       57%

At width 512 each network's products are already large, so the loop is as fast as the batch; the
batch's gain there is the matmul efficiency it keeps. Not yet measured on a GPU.
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from _timing import sync

import biascourse as bc
from biascourse import models
from biascourse.train import train


def matmul_rate(device: torch.device, size: int = 2048, repeats: int = 5, trials: int = 5) -> float:
    """Measured float32 matrix-multiply rate in FLOP/s: best of several timings of a size^3 product."""
    a = torch.randn(size, size, device=device)
    b = torch.randn(size, size, device=device)
    a @ b
    best = float("inf")
    for _ in range(trials):
        sync(device)
        start = time.perf_counter()
        for _ in range(repeats):
            a @ b
        sync(device)
        best = min(best, time.perf_counter() - start)
    return 2 * size**3 * repeats / best


def timed_training(model, data, steps: int, batch: int, device, data_seeds, trials: int = 1) -> float:
    """Seconds for ``steps`` training steps (best of ``trials``, after a short warm-up)."""
    kwargs = dict(steps=steps, batch_size=batch, loss="cross_entropy", lr=0.01, momentum=0.9,
                  eval_at=[steps], progress=False, device=device, data_seeds=data_seeds)
    train(model, data, **{**kwargs, "steps": 2, "eval_at": [2]})  # warm-up (allocations, kernels)
    best = float("inf")
    for _ in range(trials):
        sync(device)
        start = time.perf_counter()
        train(model, data, **kwargs)
        sync(device)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=100)
    parser.add_argument("--widths", type=int, nargs="+", default=[16, 64, 512])
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    device = bc.get_device(args.device)
    K, d, n_out = args.seeds, 784, 10
    rng = np.random.default_rng(0)
    data = (rng.standard_normal((8192, d)).astype(np.float32), rng.integers(0, n_out, 8192))
    peak = matmul_rate(device)
    print(f"device: {device}, torch threads: {torch.get_num_threads()}, K = {K} seeds, batch {args.batch}, "
          f"{args.steps} steps, inputs {d}, outputs {n_out}")
    print(f"matrix-multiply rate (2048^3 float32): {peak / 1e9:.1f} GFLOP/s")
    print(f"{'width':>6} {'loop s':>8} | {'independent data: s':>20} {'speed-up':>9} {'% matmul':>9} | "
          f"{'shared minibatches: s':>22} {'speed-up':>9} {'% matmul':>9}")
    for width in args.widths:
        t_loop = sum(timed_training(models.MLP(d, [width], n_out, seed=k), data, args.steps, args.batch, device, [k])
                     for k in range(K))
        flops = 3 * 2 * args.batch * (d * width + width * n_out) * K * args.steps  # forward + backward
        row = f"{width:>6} {t_loop:>8.2f} |"
        for data_seeds in (list(range(K)), 0):
            batched = models.BatchedMLP(K, d, [width], n_out, seeds=range(K))
            t = timed_training(batched, data, args.steps, args.batch, device, data_seeds, trials=3)
            row += f" {t:>20.3f} {t_loop / t:>8.1f}x {100 * flops / t / peak:>8.0f}% |"
        print(row.rstrip(" |"))

if __name__ == "__main__":
    main()
