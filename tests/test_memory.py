"""biascourse._memory: trimming the heap gives freed memory back to the system (Linux, glibc)."""
import sys
from pathlib import Path

import numpy as np
import pytest

from biascourse import _memory


def _resident_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("VmRSS not found")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim is Linux-only")
def test_release_memory_returns_a_fragmented_heap_to_the_system():
    """2000 blocks of 96 KB (below the mmap threshold: they live in the heap); the last one stays
    alive, so free() alone cannot shrink the heap from its top and the ~190 MB stay resident."""
    assert _memory._TRIM is not None
    blocks = [np.ones(12_000) for _ in range(2000)]
    last = blocks[-1]
    del blocks
    before = _resident_mb()
    _memory.release_memory()
    assert before - _resident_mb() > 100
    assert last.sum() == 12_000  # the live block is untouched


def test_release_memory_is_safe_without_glibc(monkeypatch):
    monkeypatch.setattr(_memory, "_TRIM", None)
    assert _memory.release_memory() is None
