"""Benchmark of the chapter-8 training code, printed side by side.

Two design choices of :mod:`biascourse.simplicity` are about speed; this script measures both.

- ``fit_spectral`` trains the K networks of a heat map (one per phase draw) as one stacked
  :class:`~biascourse.models.BatchedMLP`. Measured: steps per second of K = 4 networks trained
  together against the same four networks trained one after the other (target: >= 1.2x on one CPU
  thread, where the gain comes from fewer, larger kernels and optimiser calls; the gain is larger
  on a GPU, which one small network leaves mostly idle).
- ``train_linear_network`` runs full-batch gradient descent through the sufficient statistics
  :math:`\\Sigma=X^\\top X/n` and :math:`X^\\top Y/n`, so a step costs :math:`O(d^2o)` whatever n. Measured:
  steps per second against the same gradient descent on the n x d data matrix (target: >= 3x for
  n = 10,000 Fashion-MNIST-sized inputs, d = 784, o = 10).

The alternatives are timed in turn (interleaved repeats); each time is printed as median [min, max]
and each speed-up is a ratio of medians.

Usage: ``OMP_NUM_THREADS=1 python benchmarks/bench_simplicity.py [--quick] [--device cuda]``
"""
from __future__ import annotations

import argparse

import numpy as np
import torch
from _timing import header, interleaved

from biascourse import simplicity as sb


def data_matrix_gd(x: np.ndarray, y: np.ndarray, lr: float, steps: int) -> np.ndarray:
    """The reference: gradient descent on (1/2n)|X_c W - Y|^2 computed from the n x d data matrix."""
    xc = torch.from_numpy(x - x.mean(axis=0))
    yt = torch.from_numpy(y)
    w = torch.zeros(x.shape[1], y.shape[1], dtype=torch.float64)
    for _ in range(steps):
        w -= lr * xc.T @ (xc @ w - yt) / len(x)
    return w.numpy()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="short runs (a smoke test of the script)")
    parser.add_argument("--device", default="cpu", help="torch device of the spectral fits (cpu, cuda)")
    args = parser.parse_args()
    repeats = 2 if args.quick else 3
    steps = 50 if args.quick else 300
    print(header(args.device) + "\n")

    targets = [sb.SpectralTarget.sample(seed) for seed in range(4)]
    hidden = [128] * 6

    def stacked():
        sb.fit_spectral(targets, hidden, steps=steps, record_at=[steps], device=args.device)

    def one_by_one():
        for k, target in enumerate(targets):
            sb.fit_spectral([target], hidden, steps=steps, record_at=[steps], seeds=[k], device=args.device)

    times = interleaved({"stacked": stacked, "single": one_by_one}, repeats, args.device, warmup=True)
    t_stack, t_single = times["stacked"].median, times["single"].median
    print("1-D spectral fits, 4 networks of 6 x 128, full batch of 200 points")
    print(f"  stacked (one BatchedMLP) : {4 * steps / t_stack:9.0f} network-steps/s   {times['stacked'].text()}")
    print(f"  one network at a time    : {4 * steps / t_single:9.0f} network-steps/s   {times['single'].text()}")
    verdict = "met" if t_single / t_stack >= 1.2 else "NOT met"
    print(f"  speed-up                 : {t_single / t_stack:9.2f}x   (target >= 1.2x on one CPU thread: {verdict})\n")

    rng = np.random.default_rng(0)
    n, d, o = (2000 if args.quick else 10_000), 784, 10
    x = rng.standard_normal((n, d)) * np.sqrt(rng.uniform(0.01, 1.0, d))
    y = np.eye(o)[rng.integers(o, size=n)]
    lr, gd_steps = 0.5, (20 if args.quick else 100)
    times = interleaved({"stats": lambda: sb.train_linear_network(x, y, lr, [gd_steps], init_scale=0.0),
                         "data": lambda: data_matrix_gd(x, y, lr, gd_steps)}, repeats)
    t_stats, t_data = times["stats"].median, times["data"].median
    same = np.allclose(sb.train_linear_network(x, y, lr, [gd_steps], init_scale=0.0)[0],
                       data_matrix_gd(x, y, lr, gd_steps), atol=1e-10)
    print(f"linear gradient descent, n = {n}, d = {d}, o = {o} (same result: {same})")
    print(f"  sufficient statistics    : {gd_steps / t_stats:9.0f} steps/s   {times['stats'].text()} "
          "(including the O(n d^2) set-up)")
    print(f"  n x d data matrix        : {gd_steps / t_data:9.0f} steps/s   {times['data'].text()}")
    verdict = "met" if t_data / t_stats >= 3 else "NOT met"
    print(f"  speed-up                 : {t_data / t_stats:9.2f}x   (target >= 3x: {verdict})")


if __name__ == "__main__":
    main()
