"""Settings: FAST mode, run sizes and the data directory."""
import os
import stat

import pytest
import torch

import biascourse as bc


@pytest.mark.parametrize("value", ["1", "true", "YES", "on"])
def test_fast_mode_on(monkeypatch, value):
    monkeypatch.setenv("BIASCOURSE_FAST", value)
    assert bc.is_fast()
    assert bc.sized(100, fast=3, gpu=1000) == 3


@pytest.mark.parametrize("value", ["", "0", "false", "off"])
def test_fast_mode_off(monkeypatch, value):
    monkeypatch.setenv("BIASCOURSE_FAST", value)
    assert not bc.is_fast()
    assert bc.sized(100, fast=3) == 100


def test_unset_fast_mode_is_off(monkeypatch):
    monkeypatch.delenv("BIASCOURSE_FAST", raising=False)
    assert not bc.is_fast()


def test_bad_fast_value_names_the_variable(monkeypatch):
    monkeypatch.setenv("BIASCOURSE_FAST", "maybe")
    with pytest.raises(ValueError, match="BIASCOURSE_FAST"):
        bc.is_fast()


def test_gpu_size_only_with_a_gpu(monkeypatch):
    monkeypatch.delenv("BIASCOURSE_FAST", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert bc.sized(100, fast=3, gpu=1000) == 1000
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert bc.sized(100, fast=3, gpu=1000) == 100


def test_data_dir_from_environment(monkeypatch, tmp_path):
    target = tmp_path / "nested" / "data"
    monkeypatch.setenv("BIASCOURSE_DATA", str(target))
    assert bc.data_dir() == target
    assert target.is_dir()


def test_data_dir_default_is_a_user_cache(monkeypatch, tmp_path):
    monkeypatch.delenv("BIASCOURSE_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert bc.data_dir() == tmp_path / "biascourse"


def test_data_dir_that_is_a_file(monkeypatch, tmp_path):
    path = tmp_path / "file"
    path.write_text("x")
    monkeypatch.setenv("BIASCOURSE_DATA", str(path))
    with pytest.raises(ValueError, match="not a folder.*BIASCOURSE_DATA"):
        bc.data_dir()


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write into read-only folders")
def test_unwritable_data_dir(monkeypatch, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(stat.S_IRUSR | stat.S_IXUSR)
    monkeypatch.setenv("BIASCOURSE_DATA", str(locked))
    try:
        with pytest.raises(ValueError, match="not writable.*BIASCOURSE_DATA"):
            bc.data_dir()
    finally:
        locked.chmod(stat.S_IRWXU)


def test_unwritable_data_dir_even_as_root(monkeypatch, tmp_path):
    # A folder below a regular file can never be created, whoever runs the tests.
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    monkeypatch.setenv("BIASCOURSE_DATA", str(blocker / "data"))
    with pytest.raises(ValueError, match="not writable.*BIASCOURSE_DATA"):
        bc.data_dir()
