"""Readers for the raw file formats: idx (MNIST, Fashion-MNIST), CIFAR-10 binary, CelebA tables.

Each reader checks the structure of the file (magic numbers, sizes, label ranges) and raises a
``ValueError`` naming the file when it is truncated or corrupted. CIFAR-10 is read from its binary
version: the Python version is a pickle, and unpickling a downloaded file can run arbitrary code.
"""
from __future__ import annotations

import gzip
import os
from pathlib import Path

import numpy as np

from .._checks import integer as check_integer

_IDX_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: np.dtype(">i2"), 0x0C: np.dtype(">i4"),
               0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}

CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
_CIFAR_RECORD = 1 + 32 * 32 * 3


def _read_bytes(path: Path) -> bytes:
    if path.suffix == ".gz":
        try:
            with gzip.open(path, "rb") as handle:
                return handle.read()
        except (OSError, EOFError) as err:
            raise ValueError(f"{path} is not a valid gzip file ({err}); delete it and fetch it again") from err
    return path.read_bytes()


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an idx file (``.gz`` or uncompressed), the format of MNIST and Fashion-MNIST.

    The header is two zero bytes, a type code, the number of dimensions d, then d big-endian
    uint32 sizes; the data follow in C order.

    Raises
    ------
    ValueError
        If the magic number, type code or length is wrong (a truncated or corrupted file).
    """
    path = Path(path)
    raw = _read_bytes(path)
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_DTYPES or raw[3] == 0:
        raise ValueError(f"{path} is not an idx file (bad magic number {raw[:4].hex() or 'empty'})")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{path} is truncated: the idx header needs {header} bytes, the file has {len(raw)}")
    shape = tuple(int(s) for s in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    dtype = np.dtype(_IDX_DTYPES[raw[2]])
    expected = header + int(np.prod(shape)) * dtype.itemsize
    if len(raw) != expected:
        raise ValueError(
            f"{path} has {len(raw)} bytes but its header (shape {shape}, {dtype}) needs {expected}; "
            "the file is truncated or corrupted"
        )
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def read_idx_pair(images_path: str | os.PathLike, labels_path: str | os.PathLike,
                  n_classes: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Read an idx image file and its label file; check that they match.

    Returns
    -------
    images : uint8 array (n, H, W).
    labels : int64 array (n,), in ``[0, n_classes)``.

    Raises
    ------
    ArgumentTypeError
        If ``n_classes`` is not an integer.
    ValueError
        If ``n_classes < 1``, a file is not a valid idx file, or the files do not match (shapes,
        dtype, labels outside ``[0, n_classes)``).
    """
    n_classes = check_integer("n_classes", n_classes, 1)
    images, labels = read_idx(images_path), read_idx(labels_path)
    if images.ndim != 3 or images.dtype != np.uint8:
        raise ValueError(f"{images_path} should hold uint8 images (n, H, W); got {images.dtype} {images.shape}")
    if labels.ndim != 1 or len(labels) != len(images):
        raise ValueError(f"{labels_path} should hold {len(images)} labels; got shape {labels.shape}")
    labels = labels.astype(np.int64)
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(f"{labels_path} has labels outside [0, {n_classes}); the file is corrupted")
    return images, labels


def read_cifar10_binary(paths: str | os.PathLike | list) -> tuple[np.ndarray, np.ndarray]:
    """Read CIFAR-10 binary batch files (``data_batch_1.bin`` ... ``test_batch.bin``).

    Each record is one label byte followed by 3072 pixel bytes (1024 red, 1024 green, 1024 blue,
    each a 32x32 image in row order).

    Returns
    -------
    images : uint8 array (n, 32, 32, 3), channels last.
    labels : int64 array (n,), in [0, 10).

    Raises
    ------
    ValueError
        If a file's size is not a whole number of records or a label is not in [0, 10).
    """
    paths = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    images, labels = [], []
    for path in paths:
        raw = np.fromfile(path, dtype=np.uint8)
        if raw.size == 0 or raw.size % _CIFAR_RECORD:
            raise ValueError(
                f"{path} has {raw.size} bytes, not a whole number of {_CIFAR_RECORD}-byte CIFAR-10 records; "
                "the file is truncated or corrupted"
            )
        records = raw.reshape(-1, _CIFAR_RECORD)
        if records[:, 0].max() >= len(CIFAR10_CLASSES):
            raise ValueError(f"{path} has labels outside [0, 10); the file is corrupted or not CIFAR-10")
        labels.append(records[:, 0].astype(np.int64))
        images.append(records[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))
    return np.ascontiguousarray(np.concatenate(images)), np.concatenate(labels)


def read_celeba_attributes(path: str | os.PathLike) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """Read CelebA's ``list_attr_celeba.txt``.

    The first line is the number of images, the second the 40 attribute names, then one line per
    image: its file name and 40 values in {-1, 1}.

    Returns
    -------
    filenames : array of str (n,).
    attributes : int8 array (n, 40) with values in {0, 1} (1 = the attribute is present).
    names : the attribute names.
    """
    path = Path(path)
    lines = path.read_text().splitlines()
    try:
        count = int(lines[0])
        names = tuple(lines[1].split())
        rows = [line.split() for line in lines[2:] if line.strip()]
        filenames = np.array([row[0] for row in rows])
        values = np.array([[int(v) for v in row[1:]] for row in rows], dtype=np.int8)
    except (IndexError, ValueError) as err:
        raise ValueError(f"{path} is not a CelebA attribute table ({err})") from err
    if len(rows) != count or values.shape != (count, len(names)) or not np.isin(values, (-1, 1)).all():
        raise ValueError(
            f"{path} should list {count} images with {len(names)} attributes in {{-1, 1}}; "
            f"found {len(rows)} rows of shape {values.shape[1:] if values.ndim == 2 else '?'}"
        )
    return filenames, ((values + 1) // 2).astype(np.int8), names


def read_celeba_partition(path: str | os.PathLike) -> dict[str, int]:
    """Read CelebA's ``list_eval_partition.txt``: file name -> 0 (train), 1 (valid) or 2 (test)."""
    path = Path(path)
    table = {}
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) != 2 or parts[1] not in ("0", "1", "2"):
            raise ValueError(f"{path}, line {number}: expected '<file> <0|1|2>'; got {line!r}")
        table[parts[0]] = int(parts[1])
    return table
