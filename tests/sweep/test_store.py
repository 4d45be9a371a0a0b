"""The result store (biascourse/sweep/_store.py): atomic writes, and bad files recognised, never loaded."""
from __future__ import annotations

import numpy as np
import pytest

from biascourse.sweep import ResultStore, StoreError, task_key


@pytest.fixture
def store(tmp_path):
    return ResultStore(tmp_path / "store")


def _results():
    return {"accuracy": np.array([0.5, 0.75]), "curve": np.arange(6.0).reshape(2, 3), "ok": np.array([True, False])}


def test_key_depends_on_task_configuration_seeds_and_version():
    base = task_key("t", {"a": 1, "b": 2}, np.array([0, 1]), "1.0")
    assert base == task_key("t", {"b": 2, "a": 1}, np.array([0, 1]), "1.0")  # the order of the names does not
    assert len({base, task_key("u", {"a": 1, "b": 2}, np.array([0, 1]), "1.0"),
                task_key("t", {"a": 1, "b": 3}, np.array([0, 1]), "1.0"),
                task_key("t", {"a": 1, "b": 2}, np.array([0, 2]), "1.0"),
                task_key("t", {"a": 1, "b": 2}, np.array([0, 1]), "1.1")}) == 5


def test_write_then_read_gives_the_same_arrays_and_leaves_no_temporary_file(store):
    key = task_key("t", {"a": 1}, np.array([0, 1]), "1.0")
    assert store.read(key) is None
    path = store.write(key, {"task": "t"}, _results())
    back = store.read(key)
    for name, value in _results().items():
        np.testing.assert_array_equal(back[name], value)
        assert back[name].dtype == value.dtype
    assert [p for p in store.path.rglob("*") if p.is_file()] == [path]


@pytest.mark.parametrize("damage", ["flip", "truncate", "foreign", "garbage", "empty"])
def test_a_damaged_or_foreign_file_raises_instead_of_loading(store, damage):
    key, other = (task_key("t", {"a": a}, np.array([0, 1]), "1.0") for a in (1, 2))
    path = store.write(key, {}, _results())
    if damage == "foreign":  # another task's whole, valid file under this key's name
        path.write_bytes(store.write(other, {}, _results()).read_bytes())
    else:
        data = path.read_bytes()
        path.write_bytes({"flip": data[:-20] + bytes([data[-20] ^ 1]) + data[-19:], "truncate": data[:len(data) // 2],
                          "garbage": b"not a result", "empty": b""}[damage])
    with pytest.raises(StoreError):
        store.read(key)
    store.discard(key)
    assert store.read(key) is None


def test_store_needs_a_path():
    with pytest.raises(ValueError, match="store must be a folder path"):
        ResultStore(3)
