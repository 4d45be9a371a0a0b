"""Benchmark of the initial-guessing-bias measurements, printed side by side.

Measuring IGB means evaluating thousands of freshly initialised networks on the same data set.
This script times, in one run,

- ``igb.init_statistics`` (batched: K initialisations per matrix product, chunked), end to end:
  drawing the weights, the forward passes, guess fractions and gamma of every layer;
- the literal approach: a Python loop that builds one ``torch.nn.Sequential`` per initialisation
  (Kaiming-normal weights), evaluates it and counts its guesses;

for a small MLP (d = 20, width 32, n = 200 points), a one-hidden-layer ReLU MLP (d = 100, width 100,
n = 1000), a deeper one and a Fashion-MNIST-sized one, and reports the initialisations per second of
both and their ratio. Target: thousands of initialisations in seconds on a CPU. Batching pays where
each network is small (the loop is then dominated by Python and module overhead); once one
network's forward pass is a large matrix product, both approaches are bound by the same
floating-point work on a CPU, and batching pays on a GPU.
The two are timed in turn (interleaved repeats); rates come from the median time, and each time is
printed as median [min, max].

Usage: ``OMP_NUM_THREADS=1 python benchmarks/bench_igb.py [--quick] [--device cuda]``
"""
from __future__ import annotations

import argparse

import numpy as np
import torch
from _timing import header, interleaved
from torch import nn

from biascourse import igb


def literal_loop(spec: igb.MLPSpec, x: torch.Tensor, n_init: int) -> np.ndarray:
    """One network at a time, as a first implementation would do it."""
    fractions = np.empty((n_init, spec.n_out))
    for k in range(n_init):
        torch.manual_seed(k)
        layers, fan_in = [], spec.input_dim
        for _ in range(spec.depth):
            layers += [nn.Linear(fan_in, spec.width, bias=False), nn.ReLU()]
            fan_in = spec.width
        layers.append(nn.Linear(fan_in, spec.n_out, bias=False))
        net = nn.Sequential(*layers).to(x.device)
        for layer in net:
            if isinstance(layer, nn.Linear):
                nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
        with torch.no_grad():
            fractions[k] = igb.guess_fractions(net, x)
    return fractions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller sizes (a smoke run)")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    device = torch.device(args.device)
    repeats = 1 if args.quick else 3
    n_batched = 500 if args.quick else 5000
    n_loop = 100 if args.quick else 1000
    rng = np.random.default_rng(0)
    print(header(device))

    cases = [
        ("small ReLU MLP d=20, width 32, 1 hidden layer, n=200", igb.MLPSpec(20, 32, 1), 200),
        ("ReLU MLP d=100, width 100, 1 hidden layer, n=1000", igb.MLPSpec(100, 100, 1), 1000),
        ("ReLU MLP d=100, width 100, 5 hidden layers, n=1000", igb.MLPSpec(100, 100, 5), 1000),
        ("ReLU MLP d=784, width 100, 1 hidden layer, n=1000 (Fashion-MNIST size)", igb.MLPSpec(784, 100, 1), 1000),
    ]
    print(f"\n{'case':74s} {'batched init/s':>15s} {'loop init/s':>12s} {'ratio':>7s}  times")
    for name, spec, n in cases:
        x = torch.as_tensor(rng.standard_normal((n, spec.input_dim)), dtype=torch.float32, device=device)
        # both return numpy arrays, so every timing includes the device synchronisation
        def batched():
            igb.init_statistics(spec, x, n_batched, seed=0, device=device)

        times = interleaved({"batched": batched, "loop": lambda: literal_loop(spec, x, n_loop)}, repeats, device)
        rate_b, rate_l = n_batched / times["batched"].median, n_loop / times["loop"].median
        print(f"{name:74s} {rate_b:15.0f} {rate_l:12.0f} {rate_b / rate_l:6.1f}x  "
              f"{n_batched} batched: {times['batched'].text()}; {n_loop} in the loop: {times['loop'].text()}")


if __name__ == "__main__":
    main()
