"""Device choice: CUDA, then MPS, then CPU, with clear errors."""
import pytest
import torch

import biascourse as bc
from biascourse import _device


@pytest.fixture
def no_accelerator(monkeypatch):
    monkeypatch.delenv("BIASCOURSE_DEVICE", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(_device, "_mps_available", lambda: False)


def test_falls_back_to_cpu_and_explains_colab(no_accelerator, capsys):
    assert bc.get_device() == torch.device("cpu")
    assert "Runtime > Change runtime type > GPU" in " ".join(capsys.readouterr().out.split())


def test_quiet_fallback(no_accelerator, capsys):
    assert bc.get_device(verbose=False) == torch.device("cpu")
    assert capsys.readouterr().out == ""


def test_prefers_cuda_then_mps(monkeypatch):
    monkeypatch.delenv("BIASCOURSE_DEVICE", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert bc.get_device() == torch.device("cuda")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(_device, "_mps_available", lambda: True)
    assert bc.get_device() == torch.device("mps")


def test_environment_variable_overrides_auto(no_accelerator, monkeypatch):
    monkeypatch.setenv("BIASCOURSE_DEVICE", "cpu")
    assert bc.get_device() == torch.device("cpu")


@pytest.mark.parametrize("name", ["gpu", "cuda0", "tpu", "CPU"])
def test_unknown_device_name(name):
    with pytest.raises(ValueError, match="device must be 'auto', 'cpu', 'cuda', 'cuda:N' or 'mps'"):
        bc.get_device(name)


def test_unknown_device_from_environment(monkeypatch):
    monkeypatch.setenv("BIASCOURSE_DEVICE", "gpu")
    with pytest.raises(ValueError, match="BIASCOURSE_DEVICE"):
        bc.get_device()


def test_requested_cuda_without_gpu(no_accelerator):
    with pytest.raises(RuntimeError, match="no CUDA GPU"):
        bc.get_device("cuda")


def test_requested_mps_without_mps(no_accelerator):
    with pytest.raises(RuntimeError, match="MPS"):
        bc.get_device("mps")


def test_explicit_cpu():
    assert bc.get_device("cpu") == torch.device("cpu")


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_real_gpu_is_chosen():
    assert bc.get_device().type == "cuda"
    with pytest.raises(RuntimeError, match="device"):
        bc.get_device(f"cuda:{torch.cuda.device_count()}")
