"""The sweep runner: tasks over a grid of configurations and batches of seeds, in-process or on Dask."""
from __future__ import annotations

import os
import traceback
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

from .._checks import ArgumentTypeError, instance, integer
from ._grid import _plain, canonical, configuration as check_configuration
from ._grid import configurations as check_configurations
from ._grid import seed_batches, seed_list
from ._store import ResultStore, StoreError, task_key

#: Where a sweep runs when ``cluster`` is not given: in the notebook's own process.
IN_PROCESS = None
#: ``cluster="local"``: a ``distributed.LocalCluster`` started for the sweep and closed after it.
LOCAL = "local"


def package_version() -> str:
    """The installed version of biascourse (part of every store key: a new version recomputes)."""
    try:
        return metadata.version("biascourse")
    except metadata.PackageNotFoundError:
        return "0.0.0+unknown"


@dataclass(frozen=True)
class Failure:
    """A task that did not finish: its configuration, seeds, and what went wrong (with the traceback)."""

    configuration: dict
    seeds: tuple[int, ...]
    error: str
    traceback: str

    def __str__(self) -> str:
        return f"{self.configuration}, seeds {self.seeds[0]}-{self.seeds[-1]}: {self.error}"


@dataclass
class SweepResult:
    """What a sweep returns.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per configuration x seed of every finished task: the configuration's names, ``seed``,
        then one column per result the task returned (a number per seed, or an array per seed).
    ran, skipped, recomputed : int
        Tasks computed now; tasks found finished in the store; of those computed, how many replaced a
        partial, corrupt or foreign file.
    failures : list of Failure
        Tasks that raised, or whose worker died more often than the cluster allows.
    configurations : list of dict
        The sweep's configurations, in order; :meth:`rows` gives the rows of one.
    """

    table: pd.DataFrame
    ran: int
    skipped: int
    recomputed: int = 0
    failures: list[Failure] = field(default_factory=list)
    configurations: list[dict] = field(default_factory=list)
    configuration_index: np.ndarray = field(default=None, repr=False)

    def rows(self, i: int) -> pd.DataFrame:
        """The rows of configuration ``i`` (of :attr:`configurations`): all its finished seeds, in order."""
        i = integer("i", i, 0, len(self.configurations) - 1)
        return self.table[self.configuration_index == i]

    def rows_per_configuration(self) -> list[pd.DataFrame]:
        """The rows of every configuration, in order (:meth:`rows` of each).

        Raises
        ------
        ValueError
            If a configuration has no row (its task failed): ``print(result.summary())`` says why.
        """
        out = []
        for i, config in enumerate(self.configurations):
            rows = self.rows(i)
            if rows.empty:
                raise ValueError(f"result: configuration {config} has no row (its task failed; see result.summary())")
            out.append(rows)
        return out

    @property
    def failed_configurations(self) -> list[dict]:
        """The configurations of the failed tasks, once each, to rerun only those."""
        out: list[dict] = []
        for f in self.failures:
            if f.configuration not in out:
                out.append(f.configuration)
        return out

    def summary(self) -> str:
        """A few lines: what ran, what was skipped, what failed and how to rerun only that."""
        lines = [f"{self.ran} task(s) ran, {self.skipped} skipped (already in the store)"
                 + (f", {self.recomputed} recomputed over a bad file" if self.recomputed else "")
                 + f"; {len(self.table)} rows"]
        if self.failures:
            lines.append(f"{len(self.failures)} task(s) failed:")
            lines += [f"  {f}" for f in self.failures[:10]]
            if len(self.failures) > 10:
                lines.append(f"  ... and {len(self.failures) - 10} more (result.failures lists them all)")
            lines.append("To rerun only these: call the sweep again with the same store (finished tasks are "
                         "skipped), or pass result.failed_configurations as the configurations. "
                         "Each failure's traceback is in result.failures[i].traceback.")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"SweepResult({self.summary()})"


def _check_results(results, n_seeds: int) -> dict[str, np.ndarray]:
    if not isinstance(results, Mapping):
        raise TypeError(f"a task must return a dict of named results; it returned {type(results).__name__}")
    out = {}
    for name, value in results.items():
        if not isinstance(name, str) or not name or name == "seed":
            raise ValueError(f"a task's result names must be non-empty text other than 'seed'; got {name!r}")
        if hasattr(value, "detach"):
            value = value.detach().cpu().numpy()
        arr = np.asarray(value)
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"result {name!r} must hold numbers or booleans; got dtype {arr.dtype}")
        if arr.ndim == 0 or arr.shape[0] != n_seeds:
            raise ValueError(f"result {name!r} must have one entry per seed along its first axis ({n_seeds}); "
                             f"got shape {arr.shape}")
        out[name] = arr
    if not out:
        raise ValueError("a task must return at least one named result; it returned an empty dict")
    return out


def execute(task: Callable, config: dict, seeds: np.ndarray, key: str, store_path: str | None, meta: dict,
            pin_gpu: bool = False):
    """Run one task (in the driver or on a worker) and store its results.

    Returns ``("done", results)``, or ``("failed", error, traceback)`` when the task raised or returned
    something else than one array per name with one entry per seed. Writing to the store is outside
    the ``try``: an error there (a full disk) is the cluster's to retry.
    """
    if pin_gpu:  # embedded cluster on a GPU machine: worker i uses GPU i
        from distributed import get_worker

        import torch
        os.environ.setdefault("BIASCOURSE_DEVICE", f"cuda:{int(get_worker().name) % torch.cuda.device_count()}")
    try:
        results = _check_results(task(dict(config), seeds.copy()), len(seeds))
    except Exception as error:  # noqa: BLE001 - every failure of user code is reported, none stops the sweep
        return ("failed", f"{type(error).__name__}: {error}", traceback.format_exc())
    if store_path is not None:
        ResultStore(store_path).write(key, meta, results)
    return ("done", results)


def _table(configs: list[dict], done: list[tuple[int, np.ndarray, dict]]) -> pd.DataFrame:
    """The tidy table, rows in the order of the configurations and seeds (never in finishing order)."""
    done = sorted(done, key=lambda d: (d[0], int(d[1][0])))
    names = list(dict.fromkeys(k for c in configs for k in c))
    metrics = list(dict.fromkeys(m for _, _, r in done for m in r))
    sizes = [len(s) for _, s, _ in done]
    columns: dict[str, object] = {}
    for name in names:
        values = [configs[i].get(name) for i, _, _ in done]
        column = [v for v, n in zip(values, sizes) for _ in range(n)]
        mixed = any(v is None or isinstance(v, (list, dict)) for v in column)  # keep None and ints as they are
        columns[name] = pd.Series(column, dtype=object) if mixed else column
    columns["seed"] = np.concatenate([s for _, s, _ in done]) if done else np.zeros(0, np.int64)
    for m in metrics:
        parts = [r.get(m) for _, _, r in done]
        if all(p is not None and p.ndim == 1 for p in parts) and len({p.dtype.kind for p in parts}) == 1:
            columns[m] = np.concatenate(parts)
        else:  # an array per seed (a curve, a table), or missing in some tasks
            columns[m] = [None if p is None else row for p, n in zip(parts, sizes)
                          for row in (p if p is not None else [None] * n)]
    return pd.DataFrame(columns)


@dataclass(frozen=True)
class Sweep:
    """A task over a grid of configurations and a set of seeds, ready to run.

    Parameters
    ----------
    task : callable
        ``task(configuration, seeds) -> dict``: a plain function of one configuration (a dict) and a
        batch of seeds (an int64 array) returning named results with one entry per seed along the
        first axis, e.g. ``{"accuracy_plus": array of shape (len(seeds),), "loss_curve": (len(seeds), 30)}``.
        On a cluster it must be importable or picklable (a function defined in a notebook is).
    configurations : list of dict
        From :func:`grid` or written out; values are numbers, text, booleans, None, or lists or dicts of these.
    seeds : int or sequence of int
        The seeds of every configuration (an int n means 0, ..., n-1).
    seeds_per_task : int
        Seeds given to one task (the package trains many networks at once: a GPU stays busy with 16
        or more). Default 16.
    name : str, optional
        The task's name in the store keys; default ``module.qualname`` of ``task``.
    """

    task: Callable
    configurations: list
    seeds: object
    seeds_per_task: int = 16
    name: str | None = None

    def __post_init__(self):
        if not callable(self.task):
            raise ArgumentTypeError(f"task must be a function of (configuration, seeds); got {type(self.task).__name__}")
        object.__setattr__(self, "configurations", check_configurations(self.configurations))
        object.__setattr__(self, "seeds", seed_list(self.seeds))
        object.__setattr__(self, "seeds_per_task", integer("seeds_per_task", self.seeds_per_task, 1))
        if self.name is None:
            object.__setattr__(self, "name", f"{getattr(self.task, '__module__', '?')}."
                                             f"{getattr(self.task, '__qualname__', type(self.task).__name__)}")
        instance("name", self.name, str)

    @property
    def tasks(self) -> list[tuple[int, np.ndarray, str]]:
        """(configuration index, seed batch, store key) of every task, in order."""
        version = package_version()
        return [(i, batch, task_key(self.name, c, batch, version))
                for i, c in enumerate(self.configurations) for batch in seed_batches(self.seeds, self.seeds_per_task)]

    def __len__(self) -> int:
        return len(self.tasks)

    def run(self, store=None, cluster=IN_PROCESS, *, progress: bool = True, retries: int = 2,
            n_workers: int | None = None) -> SweepResult:
        """Run the tasks not yet in the store; return the table of all of them.

        Parameters
        ----------
        store : str or Path, optional
            Folder of the result store. With one, each finished task is written there at once
            (atomically) and a rerun skips it; without one, nothing is kept after the call.
        cluster : None, "local", str, distributed.Client or a Dask cluster object
            ``None`` (default): one task after the other in this process, no Dask.
            ``"local"``: a ``distributed.LocalCluster`` started for the sweep and closed after it: one
            worker process per CPU core, one thread each, or one worker per GPU (with a ``GPU``
            resource) on a CUDA machine. A scheduler address (``"tcp://host:8786"``), a
            ``distributed.Client``, or a cluster object (``SLURMCluster(...)`` from dask-jobqueue): an
            existing cluster, left running.
        progress : bool
            Show a progress bar over the tasks (``tqdm.auto``: in a notebook and in a terminal).
        retries : int
            Times Dask resubmits a task whose run raised outside the task itself (e.g. its worker's
            disk); a task whose worker died is rescheduled by the scheduler as well.
        n_workers : int, optional
            Workers of the embedded cluster (``cluster="local"``); default one per core or per GPU.

        Returns
        -------
        SweepResult
            ``.table`` (one row per configuration x seed), counts of what ran and was skipped, and
            the failures; ``print(result.summary())`` says what failed and how to rerun only that.
        """
        retries = integer("retries", retries, 0)
        if n_workers is not None:
            n_workers = integer("n_workers", n_workers, 1)
        store = None if store is None else ResultStore(store)
        done, todo, recomputed = [], [], 0
        for i, batch, key in self.tasks:
            try:
                results = store.read(key) if store is not None else None
            except (StoreError, OSError, ValueError):  # partial, corrupt, foreign: recompute, never load
                store.discard(key)
                results, recomputed = None, recomputed + 1
            if results is None:
                todo.append((i, batch, key))
            else:
                done.append((i, batch, results))
        skipped = len(done)
        failures = self._run_tasks(todo, store, cluster, progress, retries, n_workers, done)
        done.sort(key=lambda d: (d[0], int(d[1][0])))
        result = SweepResult(_table(self.configurations, done), ran=len(todo) - len(failures), skipped=skipped,
                             recomputed=recomputed, failures=failures, configurations=self.configurations,
                             configuration_index=np.repeat([i for i, _, _ in done], [len(b) for _, b, _ in done]))
        if failures:
            print(result.summary())
        return result

    def load(self, store) -> pd.DataFrame:
        """The table of the tasks already finished in ``store`` (bad files are left out), computing nothing."""
        store = ResultStore(store)
        done = []
        for i, batch, key in self.tasks:
            try:
                results = store.read(key)
            except (StoreError, OSError, ValueError):
                results = None
            if results is not None:
                done.append((i, batch, results))
        return _table(self.configurations, done)

    def _meta(self, i: int, batch: np.ndarray) -> dict:
        return {"task": self.name, "config": self.configurations[i], "seeds": [int(s) for s in batch],
                "version": package_version()}

    def _run_tasks(self, todo, store, cluster, progress, retries, n_workers, done) -> list[Failure]:
        from tqdm.auto import tqdm

        failures: list[Failure] = []
        store_path = None if store is None else str(store.path)
        bar = tqdm(total=len(todo), desc=self.name.rsplit(".", 1)[-1], disable=not progress or not todo)

        def record(i, batch, outcome):
            if outcome[0] == "done":
                done.append((i, batch, outcome[1]))
            else:
                failures.append(Failure(self.configurations[i], tuple(int(s) for s in batch), *outcome[1:]))
            bar.update()

        try:
            if cluster is IN_PROCESS:
                for i, batch, key in todo:
                    record(i, batch, execute(self.task, self.configurations[i], batch, key, store_path,
                                             self._meta(i, batch)))
            elif todo:
                self._run_on_dask(todo, store_path, cluster, retries, n_workers, record)
        finally:
            bar.close()
        return failures

    def _run_on_dask(self, todo, store_path, cluster, retries, n_workers, record) -> None:
        from distributed import as_completed

        with _connect(cluster, n_workers) as (client, gpu):
            futures = {}
            for i, batch, key in todo:
                future = client.submit(execute, self.task, self.configurations[i], batch, key, store_path,
                                       self._meta(i, batch), pin_gpu=gpu == "pin", key=f"sweep-{key}",
                                       retries=retries, resources={"GPU": 1} if gpu else None)
                futures[future] = (i, batch)
            try:
                for future in as_completed(futures):
                    i, batch = futures[future]
                    try:
                        outcome = future.result()
                    except Exception as error:  # noqa: BLE001 - e.g. KilledWorker: the worker died too often
                        outcome = ("failed", f"{type(error).__name__}: {error}", traceback.format_exc())
                    future.release()
                    record(i, batch, outcome)
            finally:
                client.cancel([f for f in futures if not f.done()])


class _connect:
    """The client of ``cluster``, and whether tasks need a GPU resource; closes only what it started."""

    def __init__(self, cluster, n_workers):
        self.cluster, self.n_workers, self._close = cluster, n_workers, []

    def __enter__(self):
        from distributed import Client
        from distributed.deploy import Cluster

        cluster = self.cluster
        if isinstance(cluster, Client):
            return cluster, None
        if isinstance(cluster, Cluster):
            client = Client(cluster)
            self._close.append(client)
            return client, None
        if cluster == LOCAL:
            from distributed import LocalCluster

            import torch
            gpus = torch.cuda.device_count() if torch.cuda.is_available() else 0
            options = dict(n_workers=self.n_workers or gpus, resources={"GPU": 1}) if gpus else \
                dict(n_workers=self.n_workers or os.cpu_count() or 1)
            with warnings.catch_warnings():  # the scheduler's status server moves to a free port: harmless
                warnings.filterwarnings("ignore", message="Port .* is already in use")
                local = LocalCluster(threads_per_worker=1, processes=True, dashboard_address=None, **options)
            client = Client(local)
            self._close += [client, local]
            return client, "pin" if gpus else None
        if isinstance(cluster, str):
            client = Client(cluster)
            self._close.append(client)
            return client, None
        raise ArgumentTypeError("cluster must be None (in this process), 'local' (an embedded LocalCluster), a "
                                "scheduler address such as 'tcp://host:8786', a distributed.Client or a Dask "
                                f"cluster object; got {type(cluster).__name__} ({cluster!r:.60})")

    def __exit__(self, *exc):
        for thing in self._close:
            thing.close()
        return False


def select(table: pd.DataFrame, configuration: dict) -> pd.DataFrame:
    """The rows of one configuration in a sweep's table (all its seeds, in order).

    Parameters
    ----------
    table : pandas.DataFrame
        ``result.table`` of a sweep.
    configuration : dict
        One of the sweep's configurations; a name it lacks matches rows where that name is None.
    """
    instance("table", table, pd.DataFrame)
    configuration = check_configuration(configuration)
    unknown = set(configuration) - set(table.columns)
    if unknown:
        raise ValueError(f"configuration names {sorted(unknown)} are not columns of the table")
    mask = np.ones(len(table), dtype=bool)
    for name in configuration:
        want = canonical(configuration[name])
        mask &= np.array([canonical(_plain(name, v)) == want for v in table[name]], dtype=bool)
    return table[mask]


def run(task: Callable, configurations, seeds, *, seeds_per_task: int = 16, store=None, cluster=IN_PROCESS,
        progress: bool = True, retries: int = 2, n_workers: int | None = None, name: str | None = None
        ) -> SweepResult:
    """Run ``task`` over ``configurations`` x ``seeds``: ``Sweep(task, ...).run(store, cluster, ...)``.

    See :class:`Sweep` for the task, configurations and seeds, and :meth:`Sweep.run` for where it runs.

    Examples
    --------
    >>> import numpy as np
    >>> from biascourse import sweep
    >>> def noisy_mean(config, seeds):
    ...     return {"mean": np.array([np.random.default_rng(s).normal(config["mu"], 1, 100).mean() for s in seeds])}
    >>> result = sweep.run(noisy_mean, sweep.grid(mu=[0.0, 1.0]), seeds=4, progress=False)
    >>> result.table.shape
    (8, 3)
    """
    return Sweep(task, configurations, seeds, seeds_per_task, name).run(
        store, cluster, progress=progress, retries=retries, n_workers=n_workers)
