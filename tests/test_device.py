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


@pytest.mark.parametrize("name", ["tpu", "gpu", "CUDA", "cuda:x"])
def test_resolve_device_rejects_unknown_names_like_the_environment_variable(name):
    with pytest.raises(ValueError, match=rf"device must be 'auto', 'cpu', 'cuda', 'cuda:N' or 'mps'; got '{name}'"):
        _device.resolve_device(name)


def test_resolve_device_types_and_defaults():
    assert _device.resolve_device(None) == torch.device("cpu")
    assert _device.resolve_device(torch.device("cpu")) == torch.device("cpu")
    with pytest.raises(TypeError, match="device must be"):
        _device.resolve_device(3)


def test_resolve_device_unavailable_is_a_value_error_and_a_runtime_error(no_accelerator):
    for name in ("cuda", "cuda:7", torch.device("cuda", 7), "mps"):
        with pytest.raises(_device.DeviceUnavailableError) as info:
            _device.resolve_device(name)
        assert isinstance(info.value, ValueError) and isinstance(info.value, RuntimeError)


def test_public_functions_resolve_device_arguments(no_accelerator):
    from biascourse import igb, tm

    params = tm.TMParams()
    for call in (lambda d: tm.simulate(params, 10, 0.1, 1, device=d),
                 lambda d: tm.sample(params, 2, 5, 0, backend="torch", device=d),
                 lambda d: igb.init_statistics(igb.MLPSpec(input_dim=3), [[0.0, 1.0, 2.0]] * 2, 2, 0, device=d)):
        with pytest.raises(ValueError, match="device must be"):
            call("tpu")
        with pytest.raises(ValueError, match="cuda:7"):
            call("cuda:7")
