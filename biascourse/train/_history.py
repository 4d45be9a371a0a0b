"""The record of a training run: one array (seeds x evaluations) per metric."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .._checks import instance


def group_name(value) -> str:
    """Name of a sub-population label: +1 -> ``"+"``, -1 -> ``"-"``, others ``str(int(value))``."""
    value = int(value)
    return {1: "+", -1: "-"}.get(value, str(value))


def class_name(value, signed: bool) -> str:
    """Name of a class label: ``"+1"``/``"-1"`` for ±1 labels, else ``str(int(value))``."""
    return f"{int(value):+d}" if signed else str(int(value))


#: Metrics whose group gap :meth:`History.gap` measures: the loss and the error (1 - accuracy).
GAP_METRICS = ("loss", "error")


def metric_key(metric: str, split: str = "test", group=None, cls=None) -> str:
    """Key of a metric in :attr:`History.metrics`, e.g. ``"test/loss/group=+/class=-1"``.

    Parameters
    ----------
    metric : ``"loss"`` or ``"accuracy"``.
    split : name of the evaluation set.
    group : a sub-population (``"+"``, ``"-"``, +1, -1, or another label) or None for all.
    cls : a class (``"+1"``, 3, ...) or None for all.

    Raises
    ------
    ArgumentTypeError
        (a ``ValueError``) If ``metric`` or ``split`` is not a string.
    """
    instance("metric", metric, str)
    instance("split", split, str)
    key = f"{split}/{metric}"
    if group is not None:
        key += f"/group={group if isinstance(group, str) else group_name(group)}"
    if cls is not None:
        key += f"/class={cls}"
    return key


@dataclass(frozen=True)
class History:
    """Metrics of K networks (one per seed) evaluated during training.

    Attributes
    ----------
    steps : optimisation steps at which the networks were evaluated, shape (T,).
    metrics : ``key -> array (K, T)``, keys built by :func:`metric_key`: for every evaluation
        set ``s``, ``s/loss`` and ``s/accuracy``, per sub-population ``s/loss/group=+``, per class
        ``s/accuracy/class=3`` and per group and class ``s/accuracy/group=+/class=3``; also
        ``batch/loss``, the mean training loss of the minibatches since the previous evaluation
        (NaN at step 0).
    seeds : the seed of each network (row k of every array).
    batch_size : samples per step.
    n_train : size of the training set in multi-epoch mode (None when training online).
    probes : ``name -> array (K, T, ...)``, the values of the probes passed to
        :func:`~biascourse.train.train` at the evaluation steps (empty without probes).

    Examples
    --------
    >>> plotting.mean_std_band(ax, hist.steps, hist.get("loss", group="+"), plotting.COLORS["+"])
    """

    steps: np.ndarray
    metrics: dict = field(repr=False)
    seeds: tuple
    batch_size: int
    n_train: int | None = None
    probes: dict = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        expected = (len(self.seeds), len(self.steps))
        for key, value in self.metrics.items():
            if value.shape != expected:
                raise ValueError(f"metric {key!r} has shape {value.shape}; expected {expected}")
        for key, value in self.probes.items():
            if value.shape[:2] != expected:
                raise ValueError(f"probe {key!r} has shape {value.shape}; expected {expected} + the probe's shape")

    @property
    def n_models(self) -> int:
        return len(self.seeds)

    @property
    def samples(self) -> np.ndarray:
        """Training samples seen by each network at each evaluation, shape (T,)."""
        return self.steps * self.batch_size

    @property
    def epochs(self) -> np.ndarray:
        """Epochs completed at each evaluation (multi-epoch mode), shape (T,)."""
        if self.n_train is None:
            raise ValueError("epochs are defined only for multi-epoch training (n_train is None); use samples")
        return self.samples / self.n_train

    def keys(self) -> list[str]:
        return sorted(self.metrics)

    def __getitem__(self, key: str) -> np.ndarray:
        if key not in self.metrics:
            raise KeyError(f"no metric {key!r}; available: {self.keys()}")
        return self.metrics[key]

    def get(self, metric: str, split: str = "test", group=None, cls=None) -> np.ndarray:
        """The (K, T) array of one metric; see :func:`metric_key` for the arguments."""
        return self[metric_key(metric, split, group, cls)]

    def cell_accuracy(self, split: str, group, cls) -> np.ndarray:
        """The (K, T) accuracy on the samples of ``split`` in one group and one class, given as labels.

        ``group`` and ``cls`` are the labels as they are in the data (0, 1, -1, ...), not key names.
        When every group of the split holds a single class, :func:`~biascourse.train.train` records no
        group x class cells, and the group's accuracy (that of its only class) is returned.
        """
        signed = any(metric_key("accuracy", split, cls=c) in self.metrics for c in ("+1", "-1"))
        key = metric_key("accuracy", split, group=group, cls=class_name(cls, signed))
        cells = f"{split}/accuracy/group="
        if key not in self.metrics and not any(k.startswith(cells) and "/class=" in k for k in self.metrics):
            key = metric_key("accuracy", split, group=group)
        return self[key]

    def gap(self, metric: str = "loss", split: str = "test") -> np.ndarray:
        """Per-seed bias gap between the groups, group ``+`` minus group ``-``, shape (K, T)
        (https://biascourse.github.io/biascourse/book/derivations/deep_networks.html#deriv-deep-synthetic).

        The measured counterpart of the theory's :attr:`biascourse.tm.Trajectory.eps_gap`:
        ``"loss"`` gives ``eps_+ - eps_-``, ``"error"`` the difference of the misclassification
        rates, ``(1 - acc_+) - (1 - acc_-)``. Negative where group ``+`` is ahead. Its sign changes
        are found by :func:`biascourse.tm.gap_crossings` (:func:`~biascourse.train.measured_crossings`
        for the seed mean).
        """
        if metric not in GAP_METRICS:
            raise ValueError(f"metric must be one of {GAP_METRICS}; got {metric!r}")
        key = "loss" if metric == "loss" else "accuracy"
        plus, minus = self.get(key, split=split, group="+"), self.get(key, split=split, group="-")
        return plus - minus if metric == "loss" else minus - plus

    def groups(self, split: str = "test") -> list[str]:
        """Names of the sub-populations evaluated on a split."""
        prefix = f"{split}/loss/group="
        return sorted({k[len(prefix):].split("/")[0] for k in self.metrics if k.startswith(prefix)})

    def save(self, path: str | os.PathLike) -> Path:
        """Save to a ``.npz`` file (e.g. to keep a long GPU run); read it back with :meth:`load`."""
        path = Path(path)
        meta = {"seeds": list(self.seeds), "batch_size": self.batch_size, "n_train": self.n_train,
                "keys": list(self.metrics), "probe_keys": list(self.probes)}
        arrays = {f"m{i}": v for i, v in enumerate(self.metrics.values())}
        arrays.update({f"p{i}": v for i, v in enumerate(self.probes.values())})
        np.savez_compressed(path, steps=self.steps, meta=np.array(json.dumps(meta)), **arrays)
        return path

    @classmethod
    def load(cls, path: str | os.PathLike) -> "History":
        """Read a history written by :meth:`save`."""
        with np.load(path, allow_pickle=False) as f:
            meta = json.loads(str(f["meta"]))
            metrics = {k: f[f"m{i}"] for i, k in enumerate(meta["keys"])}
            probes = {k: f[f"p{i}"] for i, k in enumerate(meta.get("probe_keys", []))}
            return cls(f["steps"], metrics, tuple(meta["seeds"]), meta["batch_size"], meta["n_train"], probes)
