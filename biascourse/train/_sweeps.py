"""Chapter 5's grids as sweeps: tasks that return a training History's arrays, and the History back from the table.

A History's metrics are (seeds x evaluations) arrays, so a sweep's table holds one curve per seed
and metric (:func:`history_results`); :func:`histories_from_sweep` rebuilds one :class:`History`
per configuration. :func:`teacher_mixture_task` is the task of chapter 5's synthetic grids and
:func:`learning_rate_sweep` its full-scale grid, ready to run.
"""
from __future__ import annotations

import dataclasses
import functools

import numpy as np
import pandas as pd

from .. import _checks, datasets, models, sweep
from .._device import get_device
from ..tm import TMParams
from ._history import History
from ._loop import log_spaced_steps, train
from ._teacher_mixture import train_teacher_mixture

_META = ("history/steps", "history/batch_size", "history/n_train")


def history_results(history: History) -> dict[str, np.ndarray]:
    """A History as a sweep task's results: one row per seed for every metric and probe, and its steps."""
    _checks.instance("history", history, History)
    k = history.n_models
    out = {"history/steps": np.tile(history.steps, (k, 1)),
           "history/batch_size": np.full(k, history.batch_size),
           "history/n_train": np.full(k, -1 if history.n_train is None else history.n_train)}
    out.update(history.metrics)
    out.update({f"probe/{name}": value for name, value in history.probes.items()})
    return out


def history_from_rows(rows: pd.DataFrame) -> History:
    """The History of the rows of one configuration (``result.rows(i)``) of a :func:`history_results` sweep."""
    _checks.instance("rows", rows, pd.DataFrame)
    missing = [m for m in _META if m not in rows.columns]
    if missing or rows.empty:
        raise ValueError(f"rows must be the non-empty rows of one configuration of a sweep whose task returns "
                         f"history_results(...); missing columns {missing}, {len(rows)} rows")
    stack = lambda name: np.stack(rows[name].to_list())  # noqa: E731
    n_train = int(rows["history/n_train"].iloc[0])
    metrics = {name: stack(name) for name in rows.columns if "/" in name and not name.startswith(("history/", "probe/"))}
    probes = {name[len("probe/"):]: stack(name) for name in rows.columns if name.startswith("probe/")}
    return History(stack("history/steps")[0], metrics, tuple(int(s) for s in rows["seed"]),
                   int(rows["history/batch_size"].iloc[0]), None if n_train < 0 else n_train, probes)


def histories_from_sweep(result: sweep.SweepResult) -> list[History]:
    """One History per configuration of a finished sweep whose task returns :func:`history_results`, in order.

    Raises
    ------
    ValueError
        If a configuration has no row (its task failed): ``print(result.summary())`` says why.
    """
    _checks.instance("result", result, sweep.SweepResult)
    return [history_from_rows(rows) for rows in result.rows_per_configuration()]


def teacher_mixture_task(config: dict, seeds: np.ndarray) -> dict[str, np.ndarray]:
    """Train networks online on the teacher mixture (:func:`train_teacher_mixture`) for a sweep.

    Parameters
    ----------
    config : dict
        ``params``: the fields of a :class:`~biascourse.tm.TMParams` (``dataclasses.asdict(p)``);
        ``hidden``: the hidden widths; any other keyword of :func:`train_teacher_mixture` but
        ``n_seeds``, ``seed``, ``device`` and ``progress`` (``N``, ``t_max``, ``eta``, ...).
    seeds : array of int
        Consecutive seeds ``s, s + 1, ...``: network k has seed ``s + k`` and the teachers and the
        test set are drawn from ``s``, as in :func:`train_teacher_mixture` with ``seed=s``. Give a
        configuration's seeds in one task (``seeds_per_task`` at least the number of seeds) for one
        teacher per configuration, as the chapter does.

    Returns
    -------
    dict
        :func:`history_results` of the run; :func:`histories_from_sweep` gives the History back.
    """
    seeds = np.asarray(seeds)
    if np.any(np.diff(seeds) != 1):
        raise ValueError(f"seeds must be consecutive (network k has seed s + k); got {seeds.tolist()}")
    options = {k: v for k, v in config.items() if k not in ("params", "hidden")}
    reserved = {"n_seeds", "seed", "device", "progress"} & set(options)
    if reserved or "params" not in config or "hidden" not in config:
        raise ValueError("config must give 'params' and 'hidden' and must not give "
                         f"n_seeds, seed, device or progress; got {sorted(config)}")
    history = train_teacher_mixture(TMParams(**config["params"]), config["hidden"], n_seeds=len(seeds),
                                    seed=int(seeds[0]), device=get_device(verbose=False), progress=False, **options)
    return history_results(history)


#: The lecture's synthetic parameters in the course's reading (chapter 5, section 4).
LECTURE_PARAMS = TMParams(rho=0.7, delta_plus=0.1, delta_minus=1.0, v=4.0, T=0.9, eta=0.01,
                          alpha_plus=0.471, alpha_minus=-0.188)


def learning_rate_sweep(seeds: int = 100, etas=(0.03, 0.1, 0.3, 1.0), sets: dict | None = None,
                        N: int = 100, n_test: int = 10000) -> sweep.Sweep:
    """Chapter 5's learning-rate ablation at full scale, ready to run: ``learning_rate_sweep().run(...)``.

    The lecture behind chapter 5 (Sarao Mannelli, after Jain et al.) varies the learning rate of a
    one-hidden-layer ReLU network on the teacher mixture: larger rates can be unstable, and where
    training is stable the crossing appears at other timescales (how many seeds it averages is not
    stated; its protocol figure averages 10). This
    preset runs the chapter's grid (its section 6) with 100 seeds per point: the centred-crossing set
    and the lecture's set (:data:`LECTURE_PARAMS`, the course's reading of its parameters), a hidden
    layer of 256, rates 0.03 to 1 with horizons ``t = 8 / eta``, batches of 10, 10,000 test samples
    and divergence recorded, not raised. Departures: the course's readings of the lecture's
    parameters and initialisation (chapter 5, section 1), and one teacher per configuration (all
    seeds in one task).

    Parameters
    ----------
    seeds : int
        Networks per configuration (default 100), trained together in one task.
    etas : sequence of float
        The learning rates.
    sets : dict, optional
        ``name -> TMParams``; default the centred crossing and the lecture's set.
    N, n_test : int
        Input dimension and test samples.
    """
    from ..tm import EXAMPLES

    seeds = _checks.integer("seeds", seeds, 1)
    sets = sets or {"centred crossing": EXAMPLES["centred_crossing"].params, "the lecture's set": LECTURE_PARAMS}
    configs = [dict(set=name, params=dataclasses.asdict(p), hidden=[256], eta=float(eta), t_max=8 / float(eta),
                    N=N, n_test=n_test, on_divergence="record")
               for name, p in sets.items() for eta in etas]
    return sweep.Sweep(_named_task, configs, seeds, seeds_per_task=seeds, name="teacher_mixture_task")


def _named_task(config: dict, seeds: np.ndarray) -> dict[str, np.ndarray]:
    """:func:`teacher_mixture_task` of a configuration that also carries the name of its parameter set."""
    return teacher_mixture_task({k: v for k, v in config.items() if k != "set"}, seeds)


#: Chapter 5b's rotated experiment as the chapter runs it; a configuration gives any of these to change it.
ROTATED_DEFAULTS = dict(dataset="MNIST", download=True, n_train=6000, n_test=4000, epochs=10, batch_size=32, eta=0.01,
                        width=256, n_evals=30, data_seed=0, rho=0.7, delta_plus=0.25, delta_minus=4.0,
                        positive_fraction=None)


@functools.lru_cache(maxsize=4)
def _images(name: str, download: bool):
    return datasets.load_or_fashion_mnist(name, download=download)


def rotated_task(config: dict, seeds: np.ndarray) -> dict[str, np.ndarray]:
    """Train two-layer networks (one per seed) on a rotated mixture of images, for a sweep (chapter 5b).

    The construction :func:`biascourse.datasets.rotated_mixture` of ``n_train`` training images
    (seed ``data_seed``) and ``n_test`` balanced test images (``rho = 0.5``, seed ``data_seed + 1``,
    standardised with the training statistics); a :class:`~biascourse.models.BatchedMLP` with one
    hidden layer of ``width`` ReLU units, He-scaled first layer, zero readout and no biases; ``epochs``
    passes of SGD with the mean squared error at the rate ``eta * batch_size / width``, evaluated at
    ``n_evals`` log-spaced steps.

    Parameters
    ----------
    config : dict
        Any of :data:`ROTATED_DEFAULTS`: the image source (``dataset``, ``"MNIST"`` or ``"CIFAR-10"``,
        replaced by Fashion-MNIST when it cannot be obtained; ``download``), the sizes and the
        recipe, and the construction (``rho``, ``delta_plus``, ``delta_minus``, ``positive_fraction``).
    seeds : array of int
        The networks' seeds.

    Returns
    -------
    dict
        :func:`history_results` of the run; :func:`histories_from_sweep` gives the History back.
    """
    unknown = set(config) - set(ROTATED_DEFAULTS)
    if unknown:
        raise ValueError(f"config has unknown names {sorted(unknown)}; allowed: {sorted(ROTATED_DEFAULTS)}")
    c = {**ROTATED_DEFAULTS, **config}
    (images, labels), (test_images, test_labels) = (lambda d: (d.train, d.test))(_images(c["dataset"], c["download"]))
    construction = {k: c[k] for k in ("rho", "delta_plus", "delta_minus")}
    if c["positive_fraction"] is not None:
        construction["positive_fraction"] = tuple(c["positive_fraction"])
    train_set = datasets.rotated_mixture(images, labels, c["n_train"], seed=c["data_seed"], **construction)
    test_options = {k: v for k, v in construction.items() if k != "rho"}  # each group keeps its label balance
    test_set = datasets.rotated_mixture(test_images, test_labels, c["n_test"], rho=0.5, seed=c["data_seed"] + 1,
                                        mean=train_set.pixel_mean, std=train_set.pixel_std, **test_options)
    net = models.BatchedMLP(len(seeds), train_set.x.shape[1], [c["width"]], 1, bias=False, init_std=np.sqrt(2),
                            readout_std=0.0, seeds=[int(s) for s in seeds])
    steps = c["epochs"] * -(-c["n_train"] // c["batch_size"])
    history = train(net, train_set, epochs=c["epochs"], batch_size=c["batch_size"], loss="mse",
                    lr=c["eta"] * c["batch_size"] / c["width"], eval_sets={"test": test_set},
                    eval_at=log_spaced_steps(steps, c["n_evals"]), device=get_device(verbose=False), progress=False)
    return history_results(history)
