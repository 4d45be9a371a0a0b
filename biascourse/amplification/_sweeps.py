"""Chapter 6's grids as sweeps: one task trains a stack of networks on the inversion data set and measures it.

The task (:func:`inversion_task`) is a plain function of a configuration and a batch of seeds, for
:mod:`biascourse.sweep`; :func:`reports_from_sweep` turns the sweep's table back into one
:class:`AmplificationReport` per configuration; :func:`weight_decay_sweep` and :func:`capacity_sweep`
are the paper's full-scale grids, ready to run.
"""
from __future__ import annotations

import functools

import numpy as np

from .. import _checks, sweep
from .._device import get_device
from ..datasets import load_fashion_mnist
from ._datasets import balanced_assignments, inverted_train_test, pixel_statistics
from ._evaluate import AmplificationReport, evaluate_amplification
from ._training import fit, network_stack

#: The recipe of a configuration, as the chapter runs it; a configuration gives any of these to change it.
INVERSION_DEFAULTS = dict(epsilon=0.3, n_per_class=300, test_per_class=1000, flatten=False, kind="cnn", width=8,
                          depth=1, epochs=8, steps=None, batch_size=128, lr=0.05, momentum=0.9, weight_decay=1e-4,
                          assignment_seed=0, data_seed=1)
#: The per-seed fields of a report, and the training accuracy, in the table of an :func:`inversion_task` sweep.
REPORT_FIELDS = ("bias_amplification", "accuracy", "ece", "mce", "cell_accuracy", "counts", "predicted_counts")


@functools.lru_cache(maxsize=1)
def _fashion_mnist():
    """Fashion-MNIST's two splits, the course's super-class split and the pixel statistics, once per process."""
    images, labels = load_fashion_mnist("train")
    test_images, test_labels = load_fashion_mnist("test")
    return (images, labels), (test_images, test_labels), pixel_statistics(images)


def inversion_task(config: dict, seeds: np.ndarray) -> dict[str, np.ndarray]:
    """Train one stack of networks (one per seed) on the inverted Fashion-MNIST and measure it.

    Parameters
    ----------
    config : dict
        Any of :data:`INVERSION_DEFAULTS`: the dataset bias ``epsilon``, the sizes ``n_per_class``
        and ``test_per_class``, ``flatten`` (for ``kind="mlp"``), the network (``kind``, ``width``,
        ``depth``, see :func:`network_stack`), the recipe (``epochs`` or ``steps``, ``batch_size``,
        ``lr``, ``momentum``, ``weight_decay``, see :func:`fit`), the super-class split (the first of
        ``balanced_assignments(1, seed=assignment_seed)``) and the data draw ``data_seed`` (the test
        split uses ``data_seed + 1``).
    seeds : array of int
        The networks' seeds; each network's result depends on its own seed only.

    Returns
    -------
    dict
        The fields of the :class:`AmplificationReport` on the test split (per seed) and
        ``train_accuracy``, each network's accuracy on its own training set.
    """
    unknown = set(config) - set(INVERSION_DEFAULTS)
    if unknown:
        raise ValueError(f"config has unknown names {sorted(unknown)}; allowed: {sorted(INVERSION_DEFAULTS)}")
    c = {**INVERSION_DEFAULTS, **config}
    train_images, test_images, (mean, std) = _fashion_mnist()
    assignment = balanced_assignments(1, seed=c["assignment_seed"])[0]
    train_set, test_set = inverted_train_test(train_images, test_images, assignment=assignment, epsilon=c["epsilon"],
                                              seed=c["data_seed"], n_per_class=c["n_per_class"],
                                              test_per_class=c["test_per_class"], mean=mean, std=std,
                                              flatten=c["flatten"])
    net = network_stack(c["kind"], seeds=[int(s) for s in seeds], width=c["width"], depth=c["depth"])
    report = fit(net, train_set, test_set, epochs=c["epochs"], steps=c["steps"], batch_size=c["batch_size"], lr=c["lr"],
                 momentum=c["momentum"], weight_decay=c["weight_decay"], device=get_device(verbose=False)).report
    k = len(seeds)
    out = {name: np.asarray(getattr(report, name)) for name in REPORT_FIELDS}
    out["counts"] = np.broadcast_to(report.counts, (k, *report.counts.shape)).copy()
    out["train_accuracy"] = np.asarray(evaluate_amplification(net, train_set).accuracy)
    return out


def reports_from_sweep(result: sweep.SweepResult) -> list[tuple[AmplificationReport, np.ndarray]]:
    """One ``(report, training accuracy)`` per configuration of a finished :func:`inversion_task` sweep, in order.

    Parameters
    ----------
    result : the :class:`~biascourse.sweep.SweepResult` of a sweep of :func:`inversion_task`.

    Raises
    ------
    ValueError
        If a configuration has no row (its task failed): ``print(result.summary())`` says why.
    """
    _checks.instance("result", result, sweep.SweepResult)
    out = []
    for rows in result.rows_per_configuration():
        fields = {f: np.stack(rows[f].to_list()) if rows[f].dtype == object else rows[f].to_numpy()
                  for f in REPORT_FIELDS}
        fields["counts"] = fields["counts"][0]
        out.append((AmplificationReport(**fields), rows["train_accuracy"].to_numpy()))
    return out


def weight_decay_sweep(seeds=100, weight_decays=tuple(np.logspace(-5, -2, 8)), **recipe) -> sweep.Sweep:
    """Hall et al.'s weight-decay sweep (RQ2), ready to run: ``weight_decay_sweep().run(store=..., cluster=...)``.

    The paper's weight-decay sweep trains CIFAR-100 ResNet-110s (16 initial channels) for 500
    epochs with SGD (momentum 0.9, base rate 0.1, batch 128) at eight weight decays from 1e-5 to
    1e-2 (log-spaced). This preset keeps the eight weight decays and 100 seeds per point and departs as the
    chapter does: Fashion-MNIST inversion at epsilon = 0.3 only, the ResNet-8 of width 16 (the
    chapter's GPU network), 2000 training images per class, 20 epochs with the chapter's warm-up and
    two tenfold decays at base rate 0.05 (see :func:`fit`). Any of :data:`INVERSION_DEFAULTS` in
    ``recipe`` changes it.

    Parameters
    ----------
    seeds : int or list of int
        Networks per weight decay (default 100).
    weight_decays : sequence of float
        The weight decays (default: the paper's eight).
    **recipe
        Names of :data:`INVERSION_DEFAULTS` to change.

    Returns
    -------
    biascourse.sweep.Sweep
        Its table has one row per weight decay x seed (``reports_from_sweep`` gives the reports).
    """
    base = {**dict(kind="resnet", width=16, n_per_class=2000, epochs=20), **recipe}
    configs = [dict(base, weight_decay=float(wd)) for wd in weight_decays]
    return sweep.Sweep(inversion_task, configs, seeds, seeds_per_task=16)


def capacity_sweep(seeds=100, widths=(4, 8, 16, 32, 64), depths=(1, 2, 3, 5), **recipe) -> sweep.Sweep:
    """Hall et al.'s capacity sweeps (RQ2, width and depth), ready to run: ``capacity_sweep().run(...)``.

    The paper varies, on CIFAR-100 for 500 epochs each, the depth of CIFAR ResNets (ResNet-8 to
    ResNet-110, 16 initial channels) and the width of ResNet-110 (4 to 64 initial channels). This preset runs the chapter's GPU grid with 100
    seeds per point: ResNet widths 4 to 64 at depth 1 (ResNet-8), and depths 1, 2, 3 and 5 (ResNet-8,
    -14, -20, -32) at width 16, on the Fashion-MNIST inversion at epsilon = 0.3 with 2000 training
    images per class and 20 epochs of the chapter's recipe (see :func:`weight_decay_sweep` for the
    departures from the paper's training). The point (width 16, depth 1) appears once.

    Parameters
    ----------
    seeds : int or list of int
        Networks per configuration (default 100).
    widths, depths : sequence of int
        The widths (at depth 1) and the depths (at width 16).
    **recipe
        Names of :data:`INVERSION_DEFAULTS` to change.
    """
    base = {**dict(kind="resnet", n_per_class=2000, epochs=20), **recipe}
    configs = [dict(base, width=int(w), depth=1) for w in widths]
    configs += [dict(base, width=16, depth=int(d)) for d in depths if not (d == 1 and 16 in widths)]
    return sweep.Sweep(inversion_task, configs, seeds, seeds_per_task=16)
