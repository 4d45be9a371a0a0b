"""The sweep runner (biascourse/sweep/_run.py), in this process and on a real ``distributed.LocalCluster``.

Same table whatever the workers and the finishing order; a worker killed mid-sweep and a driver
interrupted mid-sweep lose nothing finished; bad store files are recomputed; a raising task is
reported and the others complete.
"""
from __future__ import annotations

import functools
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import cloudpickle
import numpy as np
import pandas as pd
import pytest

from biascourse import sweep

# the tasks below are defined in this test module, which the workers cannot import: ship them by value
cloudpickle.register_pickle_by_value(sys.modules[__name__])
ROOT = Path(__file__).resolve().parents[2]


def noisy_task(config, seeds, delay=0.0):
    """A random result per seed from its own generator, a per-seed curve, and per-group numbers."""
    if delay:
        time.sleep(delay)
    rng = [np.random.default_rng([int(s), config["width"]]) for s in seeds]
    loss = np.array([r.normal(config["lr"], 1.0, 50).mean() for r in rng])
    return {"loss_plus": loss, "loss_minus": 2 * loss, "curve": np.outer(loss, np.arange(4.0)),
            "count": np.asarray(seeds) % 3}


GRID = sweep.grid(lr=[0.1, 0.3], width=[8, 16, 32])


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as c:
        yield c


def serial_table():
    return sweep.run(noisy_task, GRID, seeds=6, seeds_per_task=4, progress=False).table


def test_the_table_is_tidy_one_row_per_configuration_and_seed():
    table = serial_table()
    assert list(table.columns) == ["lr", "width", "seed", "loss_plus", "loss_minus", "curve", "count"]
    assert len(table) == len(GRID) * 6
    assert table[["lr", "width"]].drop_duplicates().to_dict("records") == GRID
    assert table.groupby(["lr", "width"])["seed"].apply(list).tolist() == [list(range(6))] * len(GRID)
    assert table["curve"].iloc[0].shape == (4,) and table["count"].dtype.kind == "i"
    # the same seed gives the same result in a batch of 4, of 1, or alone in a sweep
    alone = sweep.run(noisy_task, GRID[:1], seeds=[5], seeds_per_task=1, progress=False).table
    assert alone["loss_plus"].iloc[0] == table["loss_plus"].iloc[5]


def test_local_cluster_gives_the_serial_table_bitwise(client, tmp_path):
    result = sweep.run(noisy_task, GRID, seeds=6, seeds_per_task=4, cluster=client, store=tmp_path, progress=False)
    pd.testing.assert_frame_equal(result.table, serial_table(), check_exact=True)
    assert (result.ran, result.skipped, result.failures) == (12, 0, [])


def test_tasks_finishing_in_reverse_order_give_the_same_table(client):
    slow_first = [dict(c, delay=0.3 * (len(GRID) - i)) for i, c in enumerate(GRID)]

    def task(config, seeds):
        return noisy_task({k: v for k, v in config.items() if k != "delay"}, seeds, config["delay"])

    table = sweep.run(task, slow_first, seeds=6, seeds_per_task=6, cluster=client, progress=False).table
    pd.testing.assert_frame_equal(table.drop(columns="delay"), serial_table(), check_exact=True)


def test_embedded_local_cluster_starts_and_closes():
    result = sweep.run(noisy_task, GRID[:2], seeds=4, seeds_per_task=2, cluster="local", n_workers=2,
                       progress=False)
    serial = sweep.run(noisy_task, GRID[:2], seeds=4, seeds_per_task=2, progress=False)
    pd.testing.assert_frame_equal(result.table, serial.table, check_exact=True)


def test_rerun_skips_what_is_in_the_store(tmp_path):
    first = sweep.run(noisy_task, GRID, seeds=6, seeds_per_task=4, store=tmp_path, progress=False)
    more = sweep.run(noisy_task, GRID + [{"lr": 1.0, "width": 8}], seeds=6, seeds_per_task=4, store=tmp_path,
                     progress=False)
    assert (first.ran, first.skipped) == (12, 0)
    assert (more.ran, more.skipped) == (2, 12)
    pd.testing.assert_frame_equal(more.table.iloc[:36], first.table, check_exact=True)


def test_corrupt_and_foreign_files_are_recomputed_not_loaded(tmp_path):
    s = sweep.Sweep(noisy_task, GRID, seeds=6, seeds_per_task=4)
    s.run(store=tmp_path, progress=False)
    store = sweep.ResultStore(tmp_path)
    keys = [key for _, _, key in s.tasks]
    corrupt, foreign = store.file(keys[0]), store.file(keys[1])
    data = corrupt.read_bytes()
    corrupt.write_bytes(data[:-8] + bytes(8))               # same length, payload changed
    foreign.write_bytes(store.file(keys[5]).read_bytes())    # a valid file of another task
    assert len(s.load(tmp_path)) == len(GRID) * 6 - 4 - 2     # load leaves both out
    again = s.run(store=tmp_path, progress=False)
    assert (again.ran, again.skipped, again.recomputed) == (2, 10, 2)
    pd.testing.assert_frame_equal(again.table, serial_table(), check_exact=True)


def failing_task(config, seeds):
    if config["width"] == 16:
        raise RuntimeError(f"width {config['width']} is broken")
    return noisy_task(config, seeds)


@pytest.mark.parametrize("where", ["in-process", "cluster"])
def test_a_raising_task_is_reported_and_the_others_complete(where, request, tmp_path, capsys):
    cluster = request.getfixturevalue("client") if where == "cluster" else None
    result = sweep.run(failing_task, GRID, seeds=6, seeds_per_task=4, cluster=cluster, store=tmp_path,
                       progress=False)
    assert result.ran == 8 and len(result.failures) == 4
    assert result.failed_configurations == [{"lr": 0.1, "width": 16}, {"lr": 0.3, "width": 16}]
    failure = result.failures[0]
    assert "RuntimeError: width 16 is broken" in failure.error and "failing_task" in failure.traceback
    printed = capsys.readouterr().out
    assert "4 task(s) failed" in printed and "rerun only these" in printed and "{'lr': 0.1, 'width': 16}" in printed
    expected = serial_table()
    pd.testing.assert_frame_equal(result.table, expected[expected.width != 16].reset_index(drop=True),
                                  check_exact=True)
    fixed = sweep.run(noisy_task, GRID, seeds=6, seeds_per_task=4, store=tmp_path, progress=False,
                      name=sweep.Sweep(failing_task, GRID, 6).name)      # the fixed task under the same name
    assert (fixed.ran, fixed.skipped) == (4, 8)


def test_a_task_returning_the_wrong_shape_is_a_failure_naming_the_result():
    result = sweep.run(lambda c, s: {"x": np.zeros(len(s) + 1)}, GRID[:1], seeds=2, progress=False)
    assert len(result.failures) == 1 and "result 'x' must have one entry per seed" in result.failures[0].error


def dying_task(config, seeds, marker):
    """Kills its own worker process the first time it runs (the marker file says it did)."""
    if not os.path.exists(marker):
        Path(marker).touch()
        os._exit(1)
    return noisy_task(config, seeds, delay=0.1)


def test_a_worker_killed_mid_sweep_loses_nothing(client, tmp_path):
    task = functools.partial(dying_task, marker=str(tmp_path / "killed"))
    result = sweep.run(task, GRID, seeds=6, seeds_per_task=4, cluster=client, store=tmp_path / "store",
                       progress=False, name="dying")
    assert (tmp_path / "killed").exists(), "no worker was killed"
    assert (result.ran, result.failures) == (12, [])
    pd.testing.assert_frame_equal(result.table, serial_table(), check_exact=True)
    files = [p for p in (tmp_path / "store").rglob("*") if p.is_file()]
    assert len(files) == 12 and all(p.suffix == ".result" for p in files)   # no partial or temporary file
    client.wait_for_workers(2, timeout=30)


DRIVER = textwrap.dedent("""
    import sys, time
    import numpy as np
    from biascourse import sweep

    def task(config, seeds):
        time.sleep(0.4)
        return {"value": np.asarray(seeds) * config["x"] * 1.0}

    sweep.run(task, sweep.grid(x=list(range(12))), seeds=4, seeds_per_task=2, store=sys.argv[1],
              cluster=None if sys.argv[2] == "none" else "local", n_workers=2, progress=False, name="interrupted")
""")


@pytest.mark.parametrize("where, how", [("none", signal.SIGKILL),
                                        pytest.param("local", signal.SIGINT, marks=pytest.mark.slow)])
def test_an_interrupted_driver_resumes_with_only_the_missing_tasks(where, how, tmp_path):
    store = tmp_path / "store"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    driver = subprocess.Popen([sys.executable, "-c", DRIVER, str(store), where], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while len(list(store.rglob("*.result"))) < 4 and time.monotonic() < deadline and driver.poll() is None:
        time.sleep(0.05)
    driver.send_signal(how)
    driver.wait(timeout=60)
    finished = len(list(store.rglob("*.result")))
    assert 4 <= finished < 24, f"{finished} of 24 tasks were finished when the driver stopped"

    def task(config, seeds):
        return {"value": np.asarray(seeds) * config["x"] * 1.0}

    resumed = sweep.run(task, sweep.grid(x=list(range(12))), seeds=4, seeds_per_task=2, store=store,
                        progress=False, name="interrupted")
    assert (resumed.skipped, resumed.ran) == (finished, 24 - finished)
    assert resumed.table["value"].tolist() == [s * x * 1.0 for x in range(12) for s in range(4)]


@pytest.mark.parametrize("kwargs, match", [({"seeds_per_task": 0}, r"seeds_per_task must be an integer in \[1"),
                                           ({"seeds": 2.5}, "seeds"), ({"cluster": 3}, "cluster must be None"),
                                           ({"retries": -1}, "retries"), ({"task": 3}, "task must be a function")])
def test_bad_input_is_named(kwargs, match):
    args = dict(task=noisy_task, configurations=GRID, seeds=2, progress=False) | kwargs
    with pytest.raises(ValueError, match=match):
        sweep.run(args.pop("task"), args.pop("configurations"), **args)


def test_rows_and_select_give_one_configuration():
    result = sweep.run(noisy_task, GRID, seeds=6, seeds_per_task=4, progress=False)
    rows = result.rows(4)
    assert rows[["lr", "width"]].drop_duplicates().to_dict("records") == [GRID[4]] and rows["seed"].tolist() == list(range(6))
    pd.testing.assert_frame_equal(sweep.select(result.table, GRID[4]), rows)
    assert len(sweep.select(result.table, {"width": 8})) == 12
    with pytest.raises(ValueError, match="not columns"):
        sweep.select(result.table, {"depth": 2})


def test_rows_per_configuration_in_order_and_a_failed_configuration_named():
    result = sweep.run(noisy_task, GRID, seeds=6, seeds_per_task=4, progress=False)
    per = result.rows_per_configuration()
    assert len(per) == len(GRID)
    for i, rows in enumerate(per):
        pd.testing.assert_frame_equal(rows, result.rows(i))

    def fails_for_width_16(config, seeds):
        if config["width"] == 16:
            raise RuntimeError("no memory")
        return noisy_task(config, seeds)

    broken = sweep.run(fails_for_width_16, GRID, seeds=2, progress=False)
    with pytest.raises(ValueError, match="'width': 16.*has no row"):
        broken.rows_per_configuration()
