"""Small data sets in the real formats, shared by the dataset tests (the writers are in tests/conftest.py)."""
from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture
def mnist_like(tmp_path, writers):
    """A folder with the four MNIST idx files (small), and the arrays written."""
    rng = np.random.default_rng(0)
    arrays = {}
    for split, prefix, n in (("train", "train", 30), ("test", "t10k", 12)):
        images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        labels = np.arange(n) % 10
        writers.write_idx(tmp_path / f"{prefix}-images-idx3-ubyte.gz", images)
        writers.write_idx(tmp_path / f"{prefix}-labels-idx1-ubyte.gz", labels.astype(np.uint8))
        arrays[split] = (images, labels)
    return tmp_path, arrays
