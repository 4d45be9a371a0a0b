"""Peak memory and run time of every course notebook, as Binder (about 2 GB, CPU) would run it.

Each notebook is executed in a fresh kernel; the kernel's peak resident memory (VmHWM, Linux) is
read when the last cell has run. Prints one line per notebook and the 2 GB Binder budget beside it.

    python benchmarks/notebook_memory.py                 # default sizes (what Binder runs)
    BIASCOURSE_FAST=1 python benchmarks/notebook_memory.py   # the CI sizes
    python benchmarks/notebook_memory.py notebooks/03_sgd_dynamics.ipynb
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

BINDER_BYTES = 2 * 1024**3
ROOT = Path(__file__).resolve().parents[1]


def _peak_rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("VmHWM not found: this script needs Linux")


def measure(path: Path) -> tuple[float, int]:
    """Run one notebook; return (seconds, peak kernel memory in bytes)."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=1800, resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    with client.setup_kernel():
        pid = client.km.provisioner.process.pid
        for index, cell in enumerate(notebook.cells):
            client.execute_cell(cell, index)
        peak = _peak_rss(pid)
    return time.perf_counter() - start, peak


def main(paths: list[str]) -> None:
    notebooks = [Path(p) for p in paths] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    print(f"{'notebook':<34} {'time (s)':>9} {'peak MB':>8} {'of Binder 2 GB':>15}")
    for path in notebooks:
        seconds, peak = measure(path)
        print(f"{path.name:<34} {seconds:9.1f} {peak / 1e6:8.0f} {peak / BINDER_BYTES:14.0%}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
