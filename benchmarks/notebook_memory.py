"""Peak memory and run time of every course notebook, as Binder (about 2 GB, CPU) would run it.

Each notebook is executed in a fresh kernel; the kernel's peak resident memory (VmHWM, Linux) is
read when the last cell has run. Prints one line per notebook and the 2 GB Binder budget beside it.

    python benchmarks/notebook_memory.py                 # default sizes (what Binder runs)
    BIASCOURSE_FAST=1 python benchmarks/notebook_memory.py   # the CI sizes
    python benchmarks/notebook_memory.py notebooks/03_sgd_dynamics.ipynb
    python benchmarks/notebook_memory.py --csv book/notebook_runs.csv   # the table of book/status.md
    python benchmarks/notebook_memory.py --csv book/notebook_runs.csv --update notebooks/08_*.ipynb
        # re-measure some notebooks, keep the other rows of the table
"""
from __future__ import annotations

import argparse
import csv
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


def measure(path: Path, save: Path | None = None) -> tuple[float, int]:
    """Run one notebook; return (seconds, peak kernel memory in bytes). With ``save``, the executed
    notebook is written into that folder (under the same name), e.g. to build the site from it."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=1800, resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    with client.setup_kernel():
        pid = client.km.provisioner.process.pid
        for index, cell in enumerate(notebook.cells):
            client.execute_cell(cell, index)
        peak = _peak_rss(pid)
    seconds = time.perf_counter() - start
    if save is not None:
        save.mkdir(parents=True, exist_ok=True)
        tmp = save / (path.name + ".tmp")
        nbformat.write(notebook, tmp)
        tmp.replace(save / path.name)
    return seconds, peak


def write_csv(rows: list[tuple[str, float, int]], path: Path) -> None:
    """The measurements as the status page's table (with a total row), written atomically."""
    path = Path(path)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["notebook", "time (s)", "peak memory (MB)", "of Binder's 2 GB"])
        for name, seconds, peak in rows:
            out.writerow([name, f"{seconds:.0f}", f"{peak / 1e6:.0f}", f"{peak / BINDER_BYTES:.0%}"])
        total = sum(r[1] for r in rows)
        out.writerow(["all notebooks", f"{total:.0f} ({total / 60:.0f} min)", f"{max(r[2] for r in rows) / 1e6:.0f} (largest)", ""])
    tmp.replace(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="notebooks to run (default: every notebook of notebooks/)")
    parser.add_argument("--csv", type=Path, help="also write the table to this CSV file (for book/status.md)")
    parser.add_argument("--save", type=Path, help="write the executed notebooks into this folder")
    parser.add_argument("--update", action="store_true",
                        help="with --csv: replace only the rows of the notebooks run, keep the others")
    args = parser.parse_args()
    if args.update and not (args.csv and args.csv.exists()):
        parser.error("--update needs --csv with an existing table")
    notebooks = [Path(p) for p in args.notebooks] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    print(f"{'notebook':<34} {'time (s)':>9} {'peak MB':>8} {'of Binder 2 GB':>15}")
    rows = []
    for path in notebooks:
        seconds, peak = measure(path, args.save)
        rows.append((path.name, seconds, peak))
        print(f"{path.name:<34} {seconds:9.1f} {peak / 1e6:8.0f} {peak / BINDER_BYTES:14.0%}", flush=True)
    if args.csv:
        if args.update:
            with open(args.csv, newline="") as f:
                kept = {r["notebook"]: r for r in csv.DictReader(f) if r["notebook"] != "all notebooks"}
            measured = {name for name, _, _ in rows}
            rows += [(name, float(r["time (s)"]), float(r["peak memory (MB)"]) * 1e6)
                     for name, r in kept.items() if name not in measured]
            rows.sort()
        write_csv(rows, args.csv)


if __name__ == "__main__":
    main()
