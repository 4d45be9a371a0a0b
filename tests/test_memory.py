"""biascourse._memory: trimming the heap is available on Linux (glibc) and safe to call anywhere."""
import sys

import pytest
import torch

from biascourse import _memory


def test_release_memory_runs_after_large_temporaries():
    for _ in range(3):
        x = torch.randn(2000, 2000)
        del x
    assert _memory.release_memory() is None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim is Linux-only")
def test_malloc_trim_is_found_on_linux():
    assert _memory._TRIM is not None
