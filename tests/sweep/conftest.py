"""The Dask workers of these tests run the tasks defined in the test modules.

Distributed pickles a function that its module's name can find by reference, and a test module is
found as ``tests.sweep...`` only from the repository root. A worker is a new Python process started
by ``multiprocessing`` (spawn), which takes the path of this process: the root is put on that path
here, and on ``PYTHONPATH`` for the processes the tests start themselves, before any cluster starts.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = str(Path(__file__).resolve().parents[2])


@pytest.fixture(scope="session", autouse=True)
def _workers_import_the_tests():
    before_env, before_path = os.environ.get("PYTHONPATH"), list(sys.path)
    os.environ["PYTHONPATH"] = os.pathsep.join([ROOT, before_env] if before_env else [ROOT])
    if ROOT not in sys.path:
        sys.path.insert(0, ROOT)
    yield
    sys.path[:] = before_path
    if before_env is None:
        os.environ.pop("PYTHONPATH", None)
    else:
        os.environ["PYTHONPATH"] = before_env
