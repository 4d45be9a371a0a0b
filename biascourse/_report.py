"""The environment report printed by the setup-check notebook."""
from __future__ import annotations

import platform
import sys
from importlib import metadata
from pathlib import Path

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
    info["data directory"] = _home_as_tilde(data_dir(create=False))
    return info


def _home_as_tilde(path: Path) -> str:
    """The path with the user's home folder written ``~``: what a reader can type, and no user name."""
    try:
        return str(Path("~") / path.relative_to(Path.home()))
    except ValueError:  # not under the home folder
        return str(path)
