"""biascourse: the code behind the course *How bias forms during SGD training*.

The top level holds the course-wide helpers (settings, device, seeding); each chapter's code
lives in its own sub-package (``biascourse.tm`` for chapters 2-4, ...).
"""
from importlib import metadata as _metadata

from ._config import data_dir, is_fast, sized
from ._device import COLAB_GPU_HINT, get_device
from ._random import check_seed, seed_everything
from ._report import environment_report
from .repository import REPOSITORY, site_url as _site_url

#: The course website (GitHub Pages of :data:`REPOSITORY`); docstrings link to its derivation pages,
#: ``SITE_URL + "book/derivations/..."``.
SITE_URL = _site_url(REPOSITORY)

try:
    __version__ = _metadata.version("biascourse")
except _metadata.PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

__all__ = [
    "COLAB_GPU_HINT",
    "REPOSITORY",
    "SITE_URL",
    "check_seed",
    "data_dir",
    "environment_report",
    "get_device",
    "is_fast",
    "seed_everything",
    "sized",
]
