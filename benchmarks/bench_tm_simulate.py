"""Benchmark of the teacher-mixture simulators and theory, printed side by side.

The N-dimensional simulator draws N Gaussian numbers per SGD step, so its ceiling is
(the machine's Gaussian-draw rate) / N steps per second. This script measures that rate and, in the
same run, the steps x seeds per second of

- ``simulate(method="blocked")`` (float32, many seeds at once) at N = 1,000 and 10,000, against the
  ceiling (target >= 70%) and against the literal one-sample loop (target >= 3x; a loop over many
  seeds at once is itself drawing-bound, within 2x of the ceiling, so the ratio is printed with
  that bound);
- ``simulate(method="order_parameters")`` (the exact finite-N Markov chain) at N = 10,000, against the
  blocked simulator (target >= 1000x), and one run at N = 10^6;
- ``solve`` on 10,000 time points and on a 200 x 200 parameter grid (target < 1 s each).

Alternatives are timed in turn (interleaved repeats); each time is printed as median [min, max] and
every ratio is a ratio of medians.

Usage: ``OMP_NUM_THREADS=1 python benchmarks/bench_tm_simulate.py [--quick] [--device cuda]``
"""
from __future__ import annotations

import argparse
import warnings

import numpy as np
import torch
from _timing import header, interleaved, single

from biascourse import tm


def gaussian_rate(device: torch.device, repeats: int) -> float:
    """Float32 standard normals per second, drawn in blocks of the simulator's size."""
    buffer = torch.empty((16, 16, 10_000), device=device)
    generator = torch.Generator(device=device).manual_seed(0)
    return buffer.numel() / single(lambda: buffer.normal_(generator=generator), repeats, device).median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="short runs (a smoke test of the script)")
    parser.add_argument("--device", default="cpu", help="torch device for the simulators (cpu, cuda)")
    args = parser.parse_args()
    device = torch.device(args.device)
    repeats = 2 if args.quick else 3
    scale = 0.2 if args.quick else 1.0
    params = tm.EXAMPLES["general"].params
    warnings.simplefilter("ignore", RuntimeWarning)

    rate = gaussian_rate(device, repeats)
    print(header(device))
    print(f"Gaussian draws (float32): {rate:.3g} per second\n")

    print(f"{'N':>7} {'seeds':>6} {'method':>17} {'steps*seeds/s':>14} {'ceiling':>10} {'of ceiling':>10} {'vs loop':>8}")
    blocked_rate, loop_share = {}, {}
    for N, seeds in ((1_000, 1), (1_000, 64), (10_000, 1), (10_000, 64)):
        steps = int(scale * (20_000 if N == 1_000 else 3_000) * (4 if seeds == 1 else 1))
        t_max = steps / N
        ceiling = rate / N
        runs = {method: (lambda m=method: tm.simulate(params, N, t_max, seeds, method=m, init_scale=0.5, n_times=2,
                                                     device=device))
                for method in ("blocked", "loop")}
        times = interleaved(runs, repeats, device)
        rates = {method: steps * seeds / t.median for method, t in times.items()}
        blocked_rate[N] = rates["blocked"]
        loop_share[N, seeds] = rates["loop"] / ceiling
        for method in ("blocked", "loop"):
            ratio = f"{rates['blocked'] / rates['loop']:.1f}x" if method == "blocked" else ""
            print(f"{N:>7} {seeds:>6} {method:>17} {rates[method]:>14.3g} {ceiling:>10.3g} "
                  f"{rates[method] / ceiling:>9.0%} {ratio:>8}")

    N, seeds, t_max = 10_000, 20_000, 0.5 * scale
    chain_device = None if device.type == "cpu" else device
    run = lambda: tm.simulate(params, N, t_max, seeds, method="order_parameters", init_scale=0.5, n_times=2,
                              device=chain_device)
    chain_rate = N * t_max * seeds / single(run, repeats, device).median
    print(f"{N:>7} {seeds:>6} {'order_parameters':>17} {chain_rate:>14.3g} {'':>10} {'':>10} {'':>8}")
    print(f"\nMarkov chain vs blocked N-dimensional SGD at N = {N:,}: {chain_rate / blocked_rate[N]:,.0f}x "
          "(target >= 1000x)")
    print("\nThe '>= 3x the literal loop' target can hold only where the loop is Python-bound (one seed).")
    for (n_dim, n_seeds), share in loop_share.items():
        if n_seeds > 1:
            print(f"  N = {n_dim:,}, {n_seeds} seeds: the loop itself runs at {share:.0%} of the ceiling, so no "
                  f"simulator can beat it by more than {1 / share:.1f}x")

    N, seeds, t_max = 10**6, 4, (0.2 if args.quick else 1.0)
    elapsed = single(lambda: tm.simulate(params, N, t_max, seeds, method="order_parameters", n_times=2,
                                         device=chain_device), 1, device)
    print(f"\nMarkov chain at N = 10^6, t_max = {t_max:g} ({N * t_max:,.0f} steps), {seeds} seeds: {elapsed.text()}")

    t = np.linspace(0, 100, 10_000)
    elapsed = single(lambda: tm.solve(params, t), repeats)
    print(f"\nsolve, 10,000 time points: {elapsed.text('ms', 1e3)} (target < 1 s)")
    grid = tm.TMParams(rho=np.linspace(0.02, 0.98, 200)[:, None], delta_plus=0.5,
                       delta_minus=np.linspace(0.1, 4.0, 200), eta=0.01)
    t = np.geomspace(0.1, 2000, 60)
    elapsed = single(lambda: tm.order_parameters(grid, t), repeats)
    print(f"order parameters (tm.order_parameters) on a 200 x 200 grid, {len(t)} times: {elapsed.text()} "
          "(target < 1 s)")
    elapsed = single(lambda: tm.solve(grid, t), repeats)
    print(f"solve (order parameters and both error measures) on a 200 x 200 grid, {len(t)} times: {elapsed.text()}")


if __name__ == "__main__":
    main()
