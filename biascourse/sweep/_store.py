"""The result store: one file per finished (configuration, seed batch), written atomically.

A file holds a one-line JSON header, then the results as an ``.npz`` payload (no pickles). The header
names its key (task, configuration, seeds and package version, hashed) and the SHA-256 and length of
the payload, so that a partial, corrupt or foreign file is recognised and recomputed, never loaded.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
from pathlib import Path

import numpy as np

from .._checks import ArgumentTypeError
from ._grid import canonical

MAGIC = b"biascourse-sweep 1\n"
SUFFIX = ".result"


def task_key(task_name: str, config: dict, seeds: np.ndarray, version: str) -> str:
    """The store key of one task: a SHA-256 of its name, configuration, seeds and the package version."""
    text = canonical({"task": task_name, "config": config, "seeds": [int(s) for s in seeds], "version": version})
    return hashlib.sha256(text.encode()).hexdigest()


class StoreError(Exception):
    """A file in the store that cannot be trusted (partial, corrupt, or written for another task)."""


class ResultStore:
    """A folder of finished tasks, keyed by :func:`task_key`.

    Parameters
    ----------
    path : str or Path
        The folder (created when missing). Several sweeps may share one: keys differ.
    """

    def __init__(self, path):
        if not isinstance(path, (str, os.PathLike)):
            raise ArgumentTypeError(f"store must be a folder path (str or Path); got {type(path).__name__} ({path!r:.60})")
        self.path = Path(path).expanduser()
        self.path.mkdir(parents=True, exist_ok=True)

    def __repr__(self) -> str:
        return f"ResultStore({str(self.path)!r})"

    def file(self, key: str) -> Path:
        return self.path / key[:2] / (key + SUFFIX)

    def write(self, key: str, meta: dict, results: dict[str, np.ndarray]) -> Path:
        """Write one task's results under ``key``: to a temporary file in the same folder, then rename.

        The file is read back and checked before the rename, so the name ``key`` only ever points to a
        whole, verified file.
        """
        buffer = io.BytesIO()
        names = list(results)  # kept in the header: a result's name may be any text ("test/loss/group=+")
        np.savez(buffer, **{f"r{i}": np.asarray(results[name]) for i, name in enumerate(names)})
        payload = buffer.getvalue()
        header = dict(meta, key=key, names=names, sha256=hashlib.sha256(payload).hexdigest(), length=len(payload))
        target = self.file(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{key[:16]}.", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(MAGIC + json.dumps(header, sort_keys=True).encode() + b"\n" + payload)
                f.flush()
                os.fsync(f.fileno())
            self._read(Path(tmp), key)  # check what landed on disk before it takes the name
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return target

    def _read(self, file: Path, key: str) -> tuple[dict, dict[str, np.ndarray]]:
        data = file.read_bytes()
        if not data.startswith(MAGIC):
            raise StoreError(f"{file} is not a sweep result (no header)")
        end = data.find(b"\n", len(MAGIC))
        try:
            header = json.loads(data[len(MAGIC):end])
        except ValueError as error:
            raise StoreError(f"{file} has an unreadable header ({error})") from None
        if not isinstance(header, dict) or header.get("key") != key:
            raise StoreError(f"{file} belongs to another task (its key is {header.get('key') if isinstance(header, dict) else None!r})")
        payload = data[end + 1:]
        if len(payload) != header.get("length") or hashlib.sha256(payload).hexdigest() != header.get("sha256"):
            raise StoreError(f"{file} is corrupt (its payload does not match the checksum of its header)")
        with np.load(io.BytesIO(payload), allow_pickle=False) as npz:
            results = {name: npz[f"r{i}"] for i, name in enumerate(header.get("names", []))}
        return header, results

    def read(self, key: str) -> dict[str, np.ndarray] | None:
        """The results stored under ``key``; None when there are none.

        Raises
        ------
        StoreError
            When the file is there but is partial, corrupt or another task's.
        """
        file = self.file(key)
        if not file.exists():
            return None
        return self._read(file, key)[1]

    def discard(self, key: str) -> None:
        """Remove the file of ``key`` (a bad one, before its task is recomputed)."""
        self.file(key).unlink(missing_ok=True)
