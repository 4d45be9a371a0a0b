"""Benchmark of the many-seeds trainer (chapter 5): K networks in one batched pass, against its peers.

For a 2-layer MLP on 784-dimensional inputs (widths 16, 64, 512), K = 100 seeds, cross-entropy,
SGD with momentum 0.9, it times in one run, interleaved:

* ``loop``: a plain PyTorch loop that trains the K networks one after the other (one
  ``torch.optim.SGD`` each, its own shuffled order of the data set) -- what one writes without
  the course's code;
* ``vmap``: PyTorch's own recipe for many small models, ``torch.func.stack_module_state`` +
  ``functional_call`` + ``vmap``, trained with the same optimiser on the stacked weights;
* ``trainer``: the course's ``BatchedMLP`` + ``biascourse.train.train``;

with independent data (each network its own minibatches, as in independent runs) and, for
``vmap`` and ``trainer``, with shared minibatches (one data order for all networks, which saves
the per-network gather of the inputs). It prints each time as median [min, max] over interleaved
repeats, the trainer's ratio against the loop and against vmap (ratios of medians), the share of
the machine's matrix-multiply rate the trainer reaches, and which to use at each width.

Targets: on a CPU at least 2x the loop at width 64 and at least 50% of the matmul rate at
width 512; on a GPU at least 20x the loop.

Run: ``python benchmarks/bench_train.py`` (``--device cuda`` on a GPU; ``--help`` for options).
A smoke run: ``python benchmarks/bench_train.py --seeds 4 --widths 16 --steps 3 --repeats 1``.
"""
from __future__ import annotations

import argparse
import copy
import time

import numpy as np
import torch
import torch.nn.functional as F
from _timing import header, interleaved, sync
from torch.func import functional_call, stack_module_state, vmap

import biascourse as bc
from biascourse import models
from biascourse.train import train

LR, MOMENTUM = 0.01, 0.9


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


def data_orders(n: int, seeds, device) -> torch.Tensor:
    """One shuffled order of the n samples per seed, (len(seeds), n)."""
    return torch.stack([torch.randperm(n, generator=torch.Generator().manual_seed(s)) for s in seeds]).to(device)


class PlainLoop:
    """K ordinary networks trained one after the other with their own optimiser and data order."""

    def __init__(self, x, y, width, K, steps, batch, device):
        self.x, self.y, self.width, self.K, self.steps, self.batch, self.device = x, y, width, K, steps, batch, device
        self.orders = data_orders(len(x), range(K), device)

    def prepare(self):
        self.nets = [models.MLP(self.x.shape[1], [self.width], 10, seed=k).to(self.device) for k in range(self.K)]

    def run(self):
        for k, net in enumerate(self.nets):
            opt = torch.optim.SGD(net.parameters(), lr=LR, momentum=MOMENTUM)
            for s in range(self.steps):
                idx = self.orders[k, s * self.batch:(s + 1) * self.batch]
                loss = F.cross_entropy(net(self.x[idx]), self.y[idx])
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()


class VmapStack:
    """PyTorch's recipe for many small models: stacked weights, functional_call, vmap."""

    def __init__(self, x, y, width, K, steps, batch, device, shared: bool):
        self.x, self.y, self.width, self.K, self.steps, self.batch, self.device = x, y, width, K, steps, batch, device
        self.shared = shared
        self.orders = data_orders(len(x), [0] if shared else range(K), device)

    def prepare(self):
        nets = [models.MLP(self.x.shape[1], [self.width], 10, seed=k).to(self.device) for k in range(self.K)]
        self.params, self.buffers = stack_module_state(nets)
        base = copy.deepcopy(nets[0]).to("meta")
        forward = lambda p, b, xb: functional_call(base, (p, b), (xb,))
        self.forward = vmap(forward, in_dims=(0, 0, None) if self.shared else (0, 0, 0))
        self.opt = torch.optim.SGD(self.params.values(), lr=LR, momentum=MOMENTUM)

    def run(self):
        K, B = self.K, self.batch
        for s in range(self.steps):
            idx = self.orders[:, s * B:(s + 1) * B]
            if self.shared:
                xb, yb = self.x[idx[0]], self.y[idx[0]].expand(K, B)
            else:
                xb, yb = self.x[idx], self.y[idx]
            out = self.forward(self.params, self.buffers, xb)  # (K, B, 10)
            # the sum over networks of each one's mean loss: each network gets its own gradient
            loss = F.cross_entropy(out.reshape(K * B, -1), yb.reshape(-1), reduction="none").view(K, B).mean(1).sum()
            self.opt.zero_grad(set_to_none=True)
            loss.backward()
            self.opt.step()


class Trainer:
    """The course's trainer: BatchedMLP + train."""

    def __init__(self, x, y, width, K, steps, batch, device, shared: bool):
        self.data, self.width, self.K, self.device = (x, y), width, K, device
        self.kwargs = dict(steps=steps, batch_size=batch, loss="cross_entropy", lr=LR, momentum=MOMENTUM,
                           eval_at=[steps], progress=False, device=device, data_seeds=0 if shared else list(range(K)))

    def prepare(self):
        self.model = models.BatchedMLP(self.K, self.data[0].shape[1], [self.width], 10, seeds=range(self.K)).to(self.device)

    def run(self):
        train(self.model, self.data, **self.kwargs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=100)
    parser.add_argument("--widths", type=int, nargs="+", default=[16, 64, 512])
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=3, help="interleaved timed rounds per width")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    device = bc.get_device(args.device)
    K, d, n_out = args.seeds, 784, 10
    rng = np.random.default_rng(0)
    x = torch.as_tensor(rng.standard_normal((8192, d)), dtype=torch.float32, device=device)
    y = torch.as_tensor(rng.integers(0, n_out, 8192), device=device)
    peak = matmul_rate(device)
    print(header(device))
    print(f"K = {K} seeds, batch {args.batch}, {args.steps} steps, inputs {d}, outputs {n_out}, "
          f"SGD lr {LR} momentum {MOMENTUM}, {args.repeats} repeats")
    print(f"matrix-multiply rate (2048^3 float32): {peak / 1e9:.1f} GFLOP/s\n")

    verdicts, loop_wins = [], []
    for width in args.widths:
        sides = {
            "loop (own data)": PlainLoop(x, y, width, K, args.steps, args.batch, device),
            "vmap (own data)": VmapStack(x, y, width, K, args.steps, args.batch, device, shared=False),
            "trainer (own data)": Trainer(x, y, width, K, args.steps, args.batch, device, shared=False),
            "vmap (shared minibatches)": VmapStack(x, y, width, K, args.steps, args.batch, device, shared=True),
            "trainer (shared minibatches)": Trainer(x, y, width, K, args.steps, args.batch, device, shared=True),
        }
        times = interleaved({n: s.run for n, s in sides.items()}, args.repeats, device,
                            prepare={n: s.prepare for n, s in sides.items()}, warmup=True)
        # the loop and vmap did the same work: from the same initial weights and data orders, the same networks
        loop_side, vmap_side = sides["loop (own data)"], sides["vmap (own data)"]
        same = all(torch.allclose(vmap_side.params[f"layers.{i}.weight"][k], net.layers[i].weight, atol=1e-4)
                   for k, net in enumerate(loop_side.nets) for i in range(len(net.layers)))
        flops = 3 * 2 * args.batch * (d * width + width * n_out) * K * args.steps  # forward + backward
        loop = times["loop (own data)"].median
        print(f"width {width} (loop and vmap trained the same networks: {same})")
        for name, t in times.items():
            extra = ""
            if name.startswith("trainer"):
                peer = times[name.replace("trainer", "vmap")].median
                extra = (f"  {loop / t.median:5.2f}x the loop, {peer / t.median:5.2f}x vmap, "
                         f"{100 * flops / t.median / peak:3.0f}% of matmul")
            print(f"  {name:<29} {t.text():<28}{extra}")
        own = times["trainer (own data)"].median
        if own > loop:
            loop_wins.append(str(width))
        fastest = min(times, key=lambda n: times[n].median if "own data" in n else float("inf"))
        verdicts.append(f"  width {width:>4}: trainer {loop / own:.2f}x the loop, "
                        f"{times['vmap (own data)'].median / own:.2f}x vmap; fastest with own data: {fastest}")
    print("\nSummary (own data per network, ratios of medians; above 1x the trainer is faster):")
    print("\n".join(verdicts))
    if loop_wins:
        print(f"Which to use: at width {', '.join(loop_wins)} a plain loop over the seeds beat the batched trainer "
              "here (each network's products are already large): train such networks one after the other. "
              "The batched trainer pays for many small networks, and on a GPU.")
    else:
        print("Which to use: the batched trainer beat a plain loop over the seeds at every width measured here.")


if __name__ == "__main__":
    main()
