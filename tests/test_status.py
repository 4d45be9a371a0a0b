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


_WORDS = {"half a": 0.5, "a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
          "eight": 8, "nine": 9, "ten": 10}


def _minutes(text: str) -> float:
    text = text.strip()
    return float(text) if text.replace(".", "", 1).isdigit() else _WORDS[text]


def _stated_range(header: str) -> tuple[float, float]:
    """The range of seconds that a chapter header's "running every cell takes ..." allows."""
    import re

    number = r"(\d+(?:\.\d+)?|half a|a|one|two|three|four|five|six|seven|eight|nine|ten)"
    found = re.search(rf"running every cell takes (under|about) {number}(?: to {number})? minutes?", header)
    assert found, f"no 'running every cell takes under/about N minutes' in: {header[:200]}"
    kind, first, second = found.groups()
    if kind == "under":
        return 0.0, 60 * _minutes(first)
    low, high = _minutes(first), _minutes(second or first)
    return 60 * low * 0.75, 60 * high * 1.25  # "about": within a quarter of the stated time


def test_chapter_headers_state_the_measured_time():
    import json

    rows, _ = _rows()
    measured = {r["notebook"]: float(r["time (s)"]) for r in rows}
    for name, seconds in measured.items():
        if name == "00_setup.ipynb":
            continue
        cells = json.loads((ROOT / "notebooks" / name).read_text())["cells"]
        header = next("".join(c["source"]) for c in cells if "Estimated time" in "".join(c["source"]))
        low, high = _stated_range(" ".join(header.split()))
        assert low <= seconds <= high, (f"{name}: the header says {seconds:.0f} s is outside [{low:.0f}, {high:.0f}] s; "
                                        "state the measured time of book/notebook_runs.csv")


def test_header_phrases_are_read():
    assert _stated_range("running every cell takes under half a minute on") == (0.0, 30.0)
    assert _stated_range("running every cell takes about two to three minutes") == (90.0, 225.0)
    assert _stated_range("running every cell takes about 5 minutes") == (225.0, 375.0)
