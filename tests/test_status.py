"""The measured default-mode run table of the status page (book/notebook_runs.csv) stays complete and
within the course's budgets: every notebook listed, the whole course under an hour on a 2-core CPU,
every notebook under Binder's 2 GB. The table is written by benchmarks/notebook_memory.py."""
import csv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BINDER_MB = 2 * 1024**3 / 1e6


def _rows():
    with open(ROOT / "book" / "notebook_runs.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    return [r for r in rows if r["notebook"] != "all notebooks"], rows[-1]


def test_every_notebook_is_measured():
    rows, total = _rows()
    assert sorted(r["notebook"] for r in rows) == sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert total["notebook"] == "all notebooks"
    # each row is rounded to a second
    assert abs(float(total["time (s)"].split()[0]) - sum(float(r["time (s)"]) for r in rows)) <= len(rows)


def test_default_mode_fits_an_hour_and_binder_memory():
    rows, _ = _rows()
    assert sum(float(r["time (s)"]) for r in rows) < 3600
    for r in rows:
        assert float(r["peak memory (MB)"]) < BINDER_MB, r["notebook"]


def test_status_page_says_which_build_it_is():
    import sys

    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    try:
        from build_info import describe_build
    finally:
        sys.path.pop(0)
    fast, default = describe_build({"BIASCOURSE_FAST": "1"}), describe_build({})
    assert "smallest size (BIASCOURSE_FAST=1" in fast and "default size" in default
    for text in (fast, default):
        assert "UTC" in text and "CPU cores" in text and "GPU:" in text
    assert "```{build-info}" in (ROOT / "book" / "status.md").read_text()
