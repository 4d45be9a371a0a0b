"""Course-wide settings: FAST mode, run sizes and the data directory.

Every chapter reads its sizes through :func:`sized`, so one environment variable,
``BIASCOURSE_FAST=1``, shrinks the whole course for continuous integration, and a GPU
scales it up.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


def is_fast() -> bool:
    """Return True when FAST mode is on (``BIASCOURSE_FAST`` set to 1/true/yes/on).

    Raises
    ------
    ValueError
        If ``BIASCOURSE_FAST`` holds anything but a recognised boolean word.
    """
    raw = os.environ.get("BIASCOURSE_FAST", "").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ValueError(
        f"BIASCOURSE_FAST must be one of {sorted(_TRUE | _FALSE - {''})} (or unset); got {raw!r}"
    )


def sized(default: T, *, fast: T, gpu: T | None = None) -> T:
    """Pick a run size for the current setting.

    Parameters
    ----------
    default : value used on an ordinary CPU (a laptop, Binder).
    fast : value used when FAST mode is on (CI); it wins over everything.
    gpu : optional larger value used when a CUDA GPU is available (Colab).

    Examples
    --------
    >>> n_seeds = sized(16, fast=4, gpu=100)
    """
    if is_fast():
        return fast
    if gpu is not None:
        import torch

        if torch.cuda.is_available():
            return gpu
    return default


def _default_data_dir() -> Path:
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
    return Path(cache) / "biascourse"


def data_dir(create: bool = True) -> Path:
    """The folder where datasets are stored: ``BIASCOURSE_DATA``, else ``~/.cache/biascourse``.

    Parameters
    ----------
    create : create the folder when it does not exist, and check that it is writable.

    Raises
    ------
    ValueError
        If the folder exists as a file, cannot be created or is not writable; the message names
        ``BIASCOURSE_DATA`` and how to fix it.
    """
    raw = os.environ.get("BIASCOURSE_DATA", "").strip()
    path = Path(raw).expanduser() if raw else _default_data_dir()
    if not create:
        return path
    hint = "set BIASCOURSE_DATA to a writable folder, e.g. export BIASCOURSE_DATA=$HOME/biascourse-data"
    if path.exists() and not path.is_dir():
        raise ValueError(f"data directory {path} exists but is not a folder; {hint}")
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as err:
        raise ValueError(f"data directory {path} is not writable ({err.strerror}); {hint}") from err
    return path
