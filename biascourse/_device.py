"""Choosing the torch device: CUDA, then Apple's MPS, then the CPU."""
from __future__ import annotations

import os
import re
import textwrap

import torch

from ._checks import ArgumentTypeError

COLAB_GPU_HINT = (
    "No GPU found: running on the CPU. Every notebook runs on a CPU in its default size. "
    "For the full-size runs on Colab choose Runtime > Change runtime type > GPU, then rerun."
)

_DEVICE_PATTERN = re.compile(r"^(cpu|mps|cuda(:\d+)?)$")


class DeviceUnavailableError(RuntimeError, ValueError):
    """A well-formed device name for a device this machine does not have (a ``RuntimeError`` that is
    also a ``ValueError``, so code that catches either keeps working)."""


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def get_device(name: str | None = None, verbose: bool = True) -> torch.device:
    """Return the torch device the course runs on.

    Parameters
    ----------
    name : ``None`` or ``"auto"`` picks CUDA, then MPS, then the CPU (the environment variable
        ``BIASCOURSE_DEVICE`` overrides the automatic choice); ``"cpu"``, ``"cuda"``,
        ``"cuda:N"`` or ``"mps"`` ask for that device.
    verbose : print what to do on Colab when the automatic choice falls back to the CPU.

    Raises
    ------
    ValueError
        If the name is not one of the device names above.
    DeviceUnavailableError
        (a ``RuntimeError`` and a ``ValueError``) If the requested device is not available on this machine.
    """
    if name is None or name == "auto":
        name = os.environ.get("BIASCOURSE_DEVICE", "auto").strip() or "auto"
        if name == "auto":
            if torch.cuda.is_available():
                return torch.device("cuda")
            if _mps_available():
                return torch.device("mps")
            if verbose:
                print(textwrap.fill(COLAB_GPU_HINT, width=80))
            return torch.device("cpu")
    if not isinstance(name, str) or not _DEVICE_PATTERN.match(name):
        raise ValueError(
            f"device must be 'auto', 'cpu', 'cuda', 'cuda:N' or 'mps' (or BIASCOURSE_DEVICE set to one); "
            f"got {name!r}"
        )
    if name.startswith("cuda"):
        if not torch.cuda.is_available():
            raise DeviceUnavailableError(f"device {name!r} was requested but no CUDA GPU is available. {COLAB_GPU_HINT}")
        index = int(name.split(":")[1]) if ":" in name else 0
        if index >= torch.cuda.device_count():
            raise DeviceUnavailableError(
                f"device {name!r} was requested but only {torch.cuda.device_count()} CUDA device(s) exist "
                f"(indices 0 to {torch.cuda.device_count() - 1})"
            )
    if name == "mps" and not _mps_available():
        raise DeviceUnavailableError("device 'mps' was requested but Apple's MPS backend is not available here")
    return torch.device(name)


def resolve_device(device: str | torch.device | None, default: str = "cpu") -> torch.device:
    """The torch device a public function's ``device=`` argument names, checked like :func:`get_device`.

    Every public function that takes ``device=`` resolves it here, so a name passed as an argument
    gets the same checks as ``BIASCOURSE_DEVICE``.

    Parameters
    ----------
    device : ``None`` (then ``default``), ``"auto"`` (see :func:`get_device`), ``"cpu"``, ``"cuda"``,
        ``"cuda:N"``, ``"mps"``, or a ``torch.device`` of those kinds.
    default : the device ``None`` stands for.

    Raises
    ------
    ArgumentTypeError
        If ``device`` is neither a string, a ``torch.device`` nor None.
    ValueError
        If the name is not one of the device names above.
    DeviceUnavailableError
        (a ``RuntimeError`` and a ``ValueError``) If the device is not available on this machine.
    """
    if device is None:
        device = default
    if isinstance(device, torch.device):
        device = str(device)
    if not isinstance(device, str):
        raise ArgumentTypeError(f"device must be 'auto', 'cpu', 'cuda', 'cuda:N', 'mps' or a torch.device; got {device!r}")
    if device != "auto" and not _DEVICE_PATTERN.match(device):
        raise ValueError(f"device must be 'auto', 'cpu', 'cuda', 'cuda:N' or 'mps'; got {device!r}")
    return get_device(device, verbose=False)
