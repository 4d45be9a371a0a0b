"""Training K networks at once, online or over epochs, with per-group evaluation (chapter 5).

:func:`train` takes a stack of networks from :mod:`biascourse.models` (or one ordinary network)
and returns a :class:`History`: one (seeds x evaluations) array per metric, which
:func:`biascourse.plotting.mean_std_band` draws as mean ± std over seeds, the values of any
``probes`` (measurements of the networks at the evaluation steps), and the group gap
:meth:`History.gap` whose sign changes :func:`measured_crossings` finds.

Examples
--------
>>> net = models.BatchedMLP(16, N, [64], 1, seeds=range(16))
>>> hist = train(net, OnlineData(sampler), steps=20 * N, lr=0.1 / N, eval_sets={"test": test})
>>> plotting.mean_std_band(ax, hist.samples / N, hist.get("loss", group="+"), plotting.COLORS["+"])
"""
from ._data import ORDERS, OnlineData, TrainingSet, derived_seed
from ._history import GAP_METRICS, History, class_name, group_name, metric_key
from ._loop import LOSSES, OPTIMIZERS, DivergenceError, Probe, log_spaced_steps, make_optimizer, per_sample_loss, predictions, train
from ._schedules import (constant, cosine, inverse_time, linear_warmup, milestones_at, multistep, warmup_decays,
                         weight_decay_shrinkage)
from ._sweeps import (LECTURE_PARAMS, ROTATED_DEFAULTS, histories_from_sweep, history_from_rows, history_results,
                      learning_rate_sweep, rotated_task, teacher_mixture_task)
from ._teacher_mixture import measured_crossings, train_teacher_mixture

__all__ = [
    "LECTURE_PARAMS",
    "ROTATED_DEFAULTS",
    "rotated_task",
    "histories_from_sweep",
    "history_from_rows",
    "history_results",
    "learning_rate_sweep",
    "teacher_mixture_task",
    "DivergenceError",
    "GAP_METRICS",
    "LOSSES",
    "OPTIMIZERS",
    "ORDERS",
    "Probe",
    "TrainingSet",
    "make_optimizer",
    "measured_crossings",
    "History",
    "OnlineData",
    "class_name",
    "constant",
    "cosine",
    "derived_seed",
    "group_name",
    "inverse_time",
    "linear_warmup",
    "log_spaced_steps",
    "metric_key",
    "milestones_at",
    "multistep",
    "per_sample_loss",
    "predictions",
    "train",
    "train_teacher_mixture",
    "warmup_decays",
    "weight_decay_shrinkage",
]
