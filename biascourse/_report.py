"""The environment report printed by the setup-check notebook."""
from __future__ import annotations

import platform
import sys
from importlib import metadata

from ._config import data_dir, is_fast
from ._device import get_device

_PACKAGES = ("biascourse", "numpy", "scipy", "torch", "matplotlib", "ipywidgets", "tqdm")


def environment_report() -> dict[str, str]:
    """Versions, device, FAST mode and data directory, as a dictionary of strings."""
    info = {"python": sys.version.split()[0], "platform": platform.platform()}
    for name in _PACKAGES:
        try:
            info[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            info[name] = "not installed"
    info["device"] = str(get_device(verbose=False))
    info["FAST mode"] = "on" if is_fast() else "off"
    info["data directory"] = str(data_dir(create=False))
    return info
