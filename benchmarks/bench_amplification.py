"""Benchmark of chapter 6's workload: one bias-amplification configuration, K seeds at once.

Each point of the chapter's figures trains K small CNNs on the inverted Fashion-MNIST construction and
measures them (BiasAmp, ECE, cell accuracies) on the test set. This script times, in one run:

* the K networks trained together as a :class:`~biascourse.models.ModelStack` against a Python loop
  that trains them one after the other with the same :func:`~biascourse.train.train`;
* the final measurement (:func:`~biascourse.amplification.evaluate_amplification` on the whole test set)
  and the tracking of amplification during training (about 25 evaluations through the History and
  :func:`~biascourse.amplification.predicted_counts_from_history`), as fractions of the training time.

Target: the whole chapter affordable, i.e. the stack as fast as the loop on a CPU and
faster on a GPU, and the measurements a small fraction of the training.

Run: ``python benchmarks/bench_amplification.py`` (``--device cuda`` on a GPU; ``--help`` for options).

Measured on the course's 2-core development CPU with nothing else running (2026-12-05, 2 torch
threads), K = 4, 3000 training images, 8 epochs (192 steps of 128), 10 000 test images:

    stack s   loop s  speed-up | final measurement s (% of training) | tracking s (% of training)
        4.8      5.7      1.2x  |                 0.6 (12%)           |          6.6 (136%)

On a CPU the stack runs the K convolutional networks one after the other on stacked weights (as the
loop does), so it gains little there and the chapter's default sizes are set by the CPU's rate; on a
GPU it vectorises them with ``torch.func.vmap``. The final measurement is cheap; tracking on the whole
test set (25 evaluations of 10 000 images) costs more than the training itself, which is why the
chapter tracks training on a 2000-image subset of the test set and only where it plots curves over
training. Not yet measured on a GPU.
"""
from __future__ import annotations

import argparse

import numpy as np
import torch
from _timing import timed

from biascourse import amplification as amp
from biascourse import models
from biascourse.datasets import load_fashion_mnist
from biascourse.train import log_spaced_steps, train


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--per-class", type=int, default=300, help="training images per class")
    parser.add_argument("--epochs", type=float, default=8)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    device = torch.device(args.device)

    images, labels = load_fashion_mnist("train")
    test_images, test_labels = load_fashion_mnist("test")
    assignment = amp.balanced_assignments(1, seed=0)[0]
    train_set = amp.inverted_superclasses(images, labels, assignment=assignment, epsilon=0.3, seed=1,
                                          n_per_class=args.per_class)
    test_set = amp.inverted_superclasses(test_images, test_labels, assignment=assignment, epsilon=0.3, seed=2,
                                         mean=train_set.pixel_mean, std=train_set.pixel_std)
    tracked = amp.inverted_superclasses(test_images, test_labels, assignment=assignment, epsilon=0.3, seed=2,
                                        n_per_class=200, mean=train_set.pixel_mean, std=train_set.pixel_std)
    seeds = list(range(args.seeds))
    factory = lambda s: models.SmallCNN(1, 2, channels=(8, 16), seed=s)  # noqa: E731
    options = dict(epochs=args.epochs, batch_size=128, loss="cross_entropy", lr=0.05, momentum=0.9,
                   weight_decay=1e-4, device=device, progress=False)
    steps = int(np.ceil(args.epochs * -(-len(train_set) // 128)))

    train(models.ModelStack(factory, seeds[:1]), train_set, **{**options, "epochs": 0.1})  # warm-up
    stack = models.ModelStack(factory, seeds)
    stack_s, _ = timed(lambda: train(stack, train_set, eval_at=[steps], **options), device)
    loop_s, _ = timed(lambda: [train(factory(s), train_set, data_seeds=[s], eval_at=[steps], **options)
                               for s in seeds], device)
    measure_s, _ = timed(lambda: amp.evaluate_amplification(stack, test_set), device)

    def tracked_run():
        history = train(models.ModelStack(factory, seeds), train_set, eval_sets={"test": tracked},
                        eval_at=log_spaced_steps(steps, 25), **options)
        return amp.predicted_counts_from_history(history, tracked)

    tracked_s, _ = timed(tracked_run, device)
    print(f"K = {args.seeds}, {len(train_set)} training images, {args.epochs:g} epochs ({steps} steps), "
          f"{len(test_set)} test images, device {device}, {torch.get_num_threads()} torch threads")
    print("  stack s   loop s  speed-up | final measurement s (% of training) | tracking s (% of training)")
    print(f"  {stack_s:7.1f}  {loop_s:7.1f}  {loop_s / stack_s:7.1f}x  | {measure_s:19.1f} ({100 * measure_s / stack_s:.0f}%)"
          f"          | {tracked_s - stack_s:12.1f} ({100 * (tracked_s - stack_s) / stack_s:.0f}%)")


if __name__ == "__main__":
    main()
