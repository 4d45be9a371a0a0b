"""Sweeps: a task over seeds x configurations, in this process or on a Dask cluster, resumable.

A *task* is a plain function ``task(configuration, seeds) -> {name: array}`` that trains (or
simulates) one configuration for a batch of seeds and returns its results, one entry per seed. A
sweep runs it over a grid of configurations and cuts the seeds into batches (``seeds_per_task``), so
that each task trains many networks at once. Where it runs:

- in this process (``cluster=None``, the default): small notebook runs and debugging;
- on an embedded ``distributed.LocalCluster`` (``cluster="local"``): one worker per core, or per GPU;
- on an existing Dask cluster: a scheduler address, a ``distributed.Client`` or a cluster object
  (dask-jobqueue's ``SLURMCluster``, Kubernetes, a cloud service).

With a ``store`` folder each finished task is written there atomically, so a crashed kernel or a
killed worker loses at most the tasks in flight, and running the sweep again computes only the rest.
The results come back as one tidy pandas table, one row per configuration x seed. See the course page
*Running a sweep on a cluster* (``book/sweeps.md``).
"""
from ._grid import grid
from ._grid import canonical
from ._run import IN_PROCESS, LOCAL, Failure, Sweep, SweepResult, run, select
from ._store import ResultStore, StoreError, task_key

__all__ = ["IN_PROCESS", "LOCAL", "Failure", "ResultStore", "StoreError", "Sweep", "SweepResult", "canonical", "grid", "run",
           "select", "task_key"]
