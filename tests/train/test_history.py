import numpy as np
import pytest

from biascourse.train import History, metric_key


def _history():
    metrics = {"test/loss": np.arange(6.0).reshape(2, 3), "test/loss/group=+": np.ones((2, 3)),
               "test/loss/group=-": np.zeros((2, 3))}
    return History(np.array([0, 5, 10]), metrics, (3, 4), batch_size=4, n_train=20)


def test_access_and_time_axes():
    hist = _history()
    assert hist.n_models == 2 and hist.groups() == ["+", "-"]
    np.testing.assert_array_equal(hist.samples, [0, 20, 40])
    np.testing.assert_array_equal(hist.epochs, [0, 1, 2])
    np.testing.assert_array_equal(hist.get("loss", group=-1), np.zeros((2, 3)))
    with pytest.raises(KeyError, match="available"):
        hist.get("accuracy")
    online = History(np.array([0, 1]), {}, (0,), batch_size=1)
    with pytest.raises(ValueError, match="multi-epoch"):
        online.epochs


def test_metric_keys():
    assert metric_key("loss") == "test/loss"
    assert metric_key("accuracy", "train", group=1, cls="-1") == "train/accuracy/group=+/class=-1"
    assert metric_key("loss", group="-") == "test/loss/group=-"


def test_shape_check_and_round_trip(tmp_path):
    with pytest.raises(ValueError, match="expected"):
        History(np.array([0, 1]), {"test/loss": np.zeros((3, 2))}, (0, 1), batch_size=1)
    hist = _history()
    back = History.load(hist.save(tmp_path / "h.npz"))
    assert back.seeds == hist.seeds and back.n_train == 20 and back.keys() == hist.keys()
    np.testing.assert_array_equal(back["test/loss"], hist["test/loss"])


def test_cell_accuracy_by_labels():
    ones = np.ones((1, 2))
    unsigned = History(np.array([0, 1]), {"test/accuracy/class=0": ones, "test/accuracy/group=0/class=1": 0.25 * ones,
                                          "test/accuracy/group=-/class=0": 0.5 * ones}, (0,), batch_size=1)
    np.testing.assert_array_equal(unsigned.cell_accuracy("test", 0, 1), 0.25 * ones)
    np.testing.assert_array_equal(unsigned.cell_accuracy("test", np.int64(-1), 0), 0.5 * ones)
    signed = History(np.array([0, 1]), {"val/accuracy/class=+1": ones, "val/accuracy/group=+/class=+1": 0.75 * ones},
                     (0,), batch_size=1)
    np.testing.assert_array_equal(signed.cell_accuracy("val", 1, 1), 0.75 * ones)
    # every group holds one class: no cells are recorded, and a group's accuracy is that of its class
    single = History(np.array([0, 1]), {"test/accuracy/group=0": 0.125 * ones, "test/accuracy/class=0": ones},
                     (0,), batch_size=1)
    np.testing.assert_array_equal(single.cell_accuracy("test", 0, 0), 0.125 * ones)
    with pytest.raises(KeyError, match="available"):
        unsigned.cell_accuracy("test", 0, 0)          # recorded cells, but none for group 0 and class 0


def test_probes_round_trip_and_shape_check(tmp_path):
    probes = {"outputs": np.arange(24.0).reshape(2, 3, 4)}
    hist = History(np.array([0, 5, 10]), {"test/loss": np.zeros((2, 3))}, (3, 4), batch_size=4, probes=probes)
    back = History.load(hist.save(tmp_path / "p.npz"))
    assert list(back.probes) == ["outputs"]
    np.testing.assert_array_equal(back.probes["outputs"], probes["outputs"])
    with pytest.raises(ValueError, match=r"probe 'outputs' has shape \(2, 2, 4\); expected \(2, 3\)"):
        History(np.array([0, 5, 10]), {}, (3, 4), batch_size=4, probes={"outputs": np.zeros((2, 2, 4))})


def test_gap_in_loss_and_error():
    metrics = {"test/loss/group=+": np.array([[0.4, 0.1]]), "test/loss/group=-": np.array([[0.3, 0.3]]),
               "test/accuracy/group=+": np.array([[0.6, 0.9]]), "test/accuracy/group=-": np.array([[0.7, 0.8]]),
               "train/loss/group=+": np.array([[1.0, 1.0]]), "train/loss/group=-": np.array([[0.5, 2.0]])}
    hist = History(np.array([0, 1]), metrics, (0,), batch_size=1)
    np.testing.assert_allclose(hist.gap(), [[0.1, -0.2]])              # eps_+ - eps_-
    np.testing.assert_allclose(hist.gap("error"), [[0.1, -0.1]])       # (1 - acc_+) - (1 - acc_-)
    np.testing.assert_allclose(hist.gap(split="train"), [[0.5, -1.0]])
    with pytest.raises(ValueError, match=r"metric must be one of \('loss', 'error'\); got 'accuracy'"):
        hist.gap("accuracy")
