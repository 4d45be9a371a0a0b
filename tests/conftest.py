"""Writers of small files in the real dataset formats, shared by the tests of the datasets and of chapter 6."""
from __future__ import annotations

import gzip
import struct
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest


def idx_bytes(array: np.ndarray) -> bytes:
    """The idx encoding of a uint8 array (MNIST's format)."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.tobytes()


def write_idx(path: Path, array: np.ndarray, compress: bool = True) -> Path:
    data = idx_bytes(array)
    if compress:
        with gzip.open(path, "wb") as handle:
            handle.write(data)
    else:
        path.write_bytes(data)
    return path


def cifar_bytes(images: np.ndarray, labels: np.ndarray) -> bytes:
    """CIFAR-10 binary records: a label byte, then the red, green and blue 32x32 planes."""
    planes = images.transpose(0, 3, 1, 2).reshape(len(images), -1)
    return np.concatenate([labels.astype(np.uint8)[:, None], planes], axis=1).astype(np.uint8).tobytes()


@pytest.fixture
def writers() -> SimpleNamespace:
    """The writers above, for test modules (conftest is not importable under importlib mode)."""
    return SimpleNamespace(idx_bytes=idx_bytes, write_idx=write_idx, cifar_bytes=cifar_bytes)
