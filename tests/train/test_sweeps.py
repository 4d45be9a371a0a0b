"""Chapter 5's sweep tasks (biascourse/train/_sweeps.py): a sweep gives the History a direct call gives."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from biascourse import sweep, tm
from biascourse.train import (History, histories_from_sweep, history_from_rows, history_results, learning_rate_sweep,
                              teacher_mixture_task, train_teacher_mixture)

PARAMS = tm.EXAMPLES["centred_crossing"].params
SMALL = dict(hidden=[8], eta=0.1, t_max=1.0, N=20, n_test=100, n_evals=5)


def _same(a: History, b: History):
    assert a.keys() == b.keys() and a.seeds == b.seeds and (a.batch_size, a.n_train) == (b.batch_size, b.n_train)
    np.testing.assert_array_equal(a.steps, b.steps)
    for key in a.keys():
        np.testing.assert_array_equal(a[key], b[key])


def test_teacher_mixture_task_gives_the_direct_history():
    result = sweep.run(teacher_mixture_task, [dict(SMALL, params=dataclasses.asdict(PARAMS))], seeds=3,
                       seeds_per_task=3, progress=False)
    options = {k: v for k, v in SMALL.items() if k != "hidden"}
    _same(histories_from_sweep(result)[0], train_teacher_mixture(PARAMS, [8], n_seeds=3, progress=False, **options))


def test_history_round_trip_with_probes_and_epochs():
    history = History(np.array([0, 5]), {"test/loss": np.arange(6.0).reshape(3, 2)}, (4, 5, 6), 10, 100,
                      {"norm": np.ones((3, 2, 4))})
    import pandas as pd
    results = history_results(history)
    rows = pd.DataFrame({"seed": [4, 5, 6], **{k: list(v) if v.ndim > 1 else v for k, v in results.items()}})
    back = history_from_rows(rows)
    _same(back, history)
    np.testing.assert_array_equal(back.probes["norm"], history.probes["norm"])


def test_teacher_mixture_task_checks_its_input():
    with pytest.raises(ValueError, match="consecutive"):
        teacher_mixture_task(dict(SMALL, params=dataclasses.asdict(PARAMS)), np.array([0, 2]))
    with pytest.raises(ValueError, match="must not give"):
        teacher_mixture_task(dict(SMALL, params=dataclasses.asdict(PARAMS), n_seeds=2), np.array([0, 1]))
    with pytest.raises(ValueError, match="rows must be"):
        history_from_rows(__import__("pandas").DataFrame({"seed": [0]}))


def test_learning_rate_preset_is_the_chapter_grid_at_100_seeds():
    preset = learning_rate_sweep()
    assert len(preset.configurations) == 8 and len(preset.seeds) == 100 and len(preset) == 8
    assert {c["eta"] for c in preset.configurations} == {0.03, 0.1, 0.3, 1.0}


def test_rotated_task_gives_the_direct_run():
    from biascourse import datasets, models
    from biascourse.train import log_spaced_steps, rotated_task, train

    try:
        (images, labels), (test_images, test_labels) = (datasets.load_fashion_mnist(s, download=False)
                                                        for s in ("train", "test"))
    except datasets.DatasetUnavailableError as error:
        pytest.skip(f"Fashion-MNIST is not on this machine: {error}")
    config = dict(dataset="Fashion-MNIST", download=False, n_train=64, n_test=40, epochs=1, batch_size=16, width=8,
                  n_evals=4, positive_fraction=[0.75, 0.45])
    result = sweep.run(rotated_task, [config], seeds=2, progress=False)
    train_set = datasets.rotated_mixture(images, labels, 64, seed=0, rho=0.7, delta_plus=0.25, delta_minus=4.0,
                                         positive_fraction=(0.75, 0.45))
    test_set = datasets.rotated_mixture(test_images, test_labels, 40, rho=0.5, seed=1, mean=train_set.pixel_mean,
                                        std=train_set.pixel_std, delta_plus=0.25, delta_minus=4.0,
                                        positive_fraction=(0.75, 0.45))
    net = models.BatchedMLP(2, train_set.x.shape[1], [8], 1, bias=False, init_std=np.sqrt(2), readout_std=0.0,
                            seeds=range(2))
    direct = train(net, train_set, epochs=1, batch_size=16, loss="mse", lr=0.01 * 16 / 8, eval_sets={"test": test_set},
                   eval_at=log_spaced_steps(4, 4), device="cpu", progress=False)
    _same(histories_from_sweep(result)[0], direct)
