"""Benchmark of the sweep runner (:mod:`biascourse.sweep`), printed side by side with its targets.

- Scaling: a CPU-bound sweep (a pure-Python busy loop, so no library threads blur the count) on a
  ``distributed.LocalCluster`` of 1 worker against one of 2 workers (target: >= 1.7x on a 2-core
  machine). The clusters are started before the timing: their start-up (about a second) is paid once
  per sweep, not per task.
- Overhead: the same tasks of about 1 s, run by the sweep with a result store against a bare ``for``
  loop calling the task, in the same kind of process: in this process (timed before any cluster
  starts, since a scheduler's threads in this process slow a pure-Python loop), and on a 1-worker
  LocalCluster, where the bare loop is submitted to the worker as one call (target: <= 5 % at tasks
  of 1 s; the overhead per task is printed in ms).
- The store: loading the table of a 10,000-row sweep (625 files of 16 seeds, four per-group numbers
  per seed) with ``Sweep.load`` (target: under 1 s).

The alternatives are timed in turn (interleaved repeats); each time is printed as median [min, max]
and each ratio is a ratio of medians. A shared machine (other jobs running) lowers the scaling ratio:
run it on a quiet one.

Usage: ``python benchmarks/bench_sweep.py [--quick]``
"""
from __future__ import annotations

import argparse
import tempfile
import time

import numpy as np
from _timing import header, interleaved, single

from biascourse import sweep


def busy(config, seeds):
    """A CPU-bound task: a pure-Python loop of ``config["work"]`` iterations per seed batch."""
    total = 0
    for i in range(config["work"]):
        total += i * i % 7
    return {"value": np.full(len(seeds), float(total + config["k"]))}


def group_metrics(config, seeds):
    """A cheap task with four per-group numbers per seed (for the store's load time)."""
    rng = np.random.default_rng([round(config["lr"] * 1000), config["width"]])
    return {f"{m}_{g}": rng.random(len(seeds)) for m in ("loss", "accuracy") for g in ("plus", "minus")}


def calibrate(seconds: float) -> int:
    """Iterations of :func:`busy` that take about ``seconds`` here."""
    work = 200_000
    start = time.perf_counter()
    busy({"work": work, "k": 0}, [0])
    return int(work * seconds / (time.perf_counter() - start))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="short runs (a smoke test of the script)")
    args = parser.parse_args()
    from distributed import Client, LocalCluster

    repeats = 2 if args.quick else 3
    print(header() + "\n")
    seconds = 0.2 if args.quick else 1.0
    work = calibrate(seconds)
    n_tasks = 4 if args.quick else 8
    configs = sweep.grid(work=[work], k=list(range(n_tasks)))

    # overhead first, with no cluster alive: a scheduler's threads in this process would slow a bare loop here
    n_over = 3 if args.quick else 6
    over = sweep.grid(work=[work], k=list(range(n_over)))
    stores = []

    def bare_loop():
        for c in over:
            busy(c, np.arange(1))

    def swept(cluster):
        stores.append(tempfile.TemporaryDirectory())
        sweep.run(busy, over, seeds=1, store=stores[-1].name, cluster=cluster, progress=False)

    overheads = {"in-process": interleaved({"loop": bare_loop, "sweep": lambda: swept(None)}, repeats)}

    clusters = {n: LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None)
                for n in (1, 2)}
    clients = {n: Client(c) for n, c in clusters.items()}
    try:
        for client in clients.values():  # workers import numpy and biascourse once, untimed
            sweep.run(busy, sweep.grid(work=[10], k=[0, 1]), seeds=1, cluster=client, progress=False)
        times = interleaved({n: (lambda n=n: sweep.run(busy, configs, seeds=1, cluster=clients[n], progress=False))
                             for n in (1, 2)}, repeats)
        ratio = times[1].median / times[2].median
        print(f"scaling: {n_tasks} CPU-bound tasks of about {seconds:g} s, LocalCluster of 1 and of 2 worker processes")
        print(f"  1 worker                 : {times[1].text()}")
        print(f"  2 workers                : {times[2].text()}")
        print(f"  speed-up                 : {ratio:6.2f}x   (target >= 1.7x on 2 cores: "
              f"{'met' if ratio >= 1.7 else 'NOT met'})\n")
        # on the cluster, the bare loop runs on the worker too (one call of it, submitted)
        overheads["1-worker cluster"] = interleaved(
            {"loop": lambda: clients[1].submit(bare_loop, pure=False).result(), "sweep": lambda: swept(clients[1])},
            repeats)
    finally:
        for n in clients:
            clients[n].close()
            clusters[n].close()
    print(f"overhead: {n_over} tasks of about {seconds:g} s each, the sweep with a result store against a bare loop "
          "of the same calls in the same kind of process")
    for name, t in overheads.items():
        extra = t["sweep"].median / t["loop"].median - 1
        per_task = 1000 * (t["sweep"].median - t["loop"].median) / n_over
        print(f"  {name:<17} bare loop : {t['loop'].text()}")
        print(f"  {name:<17} sweep     : {t['sweep'].text()}   overhead {100 * extra:+5.1f} % "
              f"({per_task:+.1f} ms per task; target <= 5 %: {'met' if extra <= 0.05 else 'NOT met'})")
    for s in stores:
        s.cleanup()
    print()

    rows = 2_000 if args.quick else 10_000
    n_seeds = 400
    configs = sweep.grid(lr=[0.01 * (k + 1) for k in range(rows // n_seeds // 5)], width=[16, 32, 64, 128, 256])
    plan = sweep.Sweep(group_metrics, configs, seeds=n_seeds, seeds_per_task=16)
    with tempfile.TemporaryDirectory() as store:
        plan.run(store=store, progress=False)
        timing = single(lambda: plan.load(store), repeats, warmup=True)
        table = plan.load(store)
        print(f"store: loading a sweep of {len(table)} rows x {table.shape[1]} columns from {len(plan)} files")
        print(f"  Sweep.load               : {timing.text()}   (target < 1 s: {'met' if timing.median < 1 else 'NOT met'})")




if __name__ == "__main__":
    main()
