"""The website's JavaScript explorer against the package, and the test vectors that make it checkable.

``tests/js/test_tm_explorer.mjs`` (run here by Node) compares ``book/_static/tm_explorer.js`` with the
vectors that :func:`biascourse.tm.explorer_vectors` writes. Without Node the comparison is skipped
locally and fails in CI (``CI`` set), where Node is part of the runner.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from biascourse import tm
from biascourse._checks import ArgumentTypeError

ROOT = Path(__file__).resolve().parents[2]
NODE = shutil.which("node")
NODE_TEST = ROOT / "tests" / "js" / "test_tm_explorer.mjs"


def _require_node() -> None:
    if NODE is None:
        reason = "Node.js not installed: the JavaScript explorer is not checked (Debian package 'nodejs')"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


def test_javascript_explorer_matches_the_package(tmp_path):
    _require_node()
    vectors = tmp_path / "vectors.json"
    tm.explorer_vectors(vectors, n_sets=24, seed=20261205)
    run = subprocess.run([NODE, "--test", str(NODE_TEST)], capture_output=True, text=True, timeout=300,
                         env={**os.environ, "TM_EXPLORER_VECTORS": str(vectors)}, cwd=ROOT)
    assert run.returncode == 0, f"Node test failed:\n{run.stdout[-6000:]}\n{run.stderr[-2000:]}"
    summary = dict(re.findall(r"^# (tests|pass|fail) (\d+)$", run.stdout, flags=re.M))
    assert int(summary["fail"]) == 0 and int(summary["pass"]) == int(summary["tests"]) >= 30, run.stdout[-2000:]


def test_vectors_are_reproducible_and_written_atomically(tmp_path):
    first = tm.explorer_vectors(tmp_path / "a.json", n_sets=3, seed=7, n_times=20)
    second = tm.explorer_vectors(tmp_path / "b.json", n_sets=3, seed=7, n_times=20)
    other = tm.explorer_vectors(tmp_path / "c.json", n_sets=3, seed=8, n_times=20)
    assert first == second == json.loads((tmp_path / "a.json").read_text())
    assert first["cases"][-1]["params"] != other["cases"][-1]["params"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "b.json", "c.json"]   # no temporary left
    for case in first["cases"]:
        params = tm.TMParams(**case["params"])
        assert params.eta < params.eta_max
        sol = tm.solve(params, np.array(case["t"]), case["init"])
        np.testing.assert_array_equal(sol.eps_plus, case["curves"]["eps_plus"])
        assert len(case["t"]) == 20 and case["t"][-1] == pytest.approx(case["t_max"])


def test_vectors_list_the_package_messages_for_invalid_parameters(tmp_path):
    data = tm.explorer_vectors(tmp_path / "v.json", n_sets=1, n_times=2)
    sources = {entry["source"] for entry in data["invalid"]}
    assert sources == {"TMParams", "fixed_point"}
    for entry in data["invalid"]:
        values = {k: float(v) for k, v in entry["params"].items()}
        with pytest.raises(ValueError, match=re.escape(entry["message"])):
            tm.fixed_point(tm.TMParams(**values))


@pytest.mark.parametrize("bad, error, match", [
    (dict(path=3), ArgumentTypeError, "path must be"),
    (dict(n_sets=0), ValueError, "n_sets must be"),
    (dict(seed=-1), ValueError, "seed must be"),
    (dict(n_times=1.5), ArgumentTypeError, "n_times must be"),
    (dict(n_grid=1), ValueError, "n_grid must be"),
])
def test_explorer_vectors_rejects_bad_input(tmp_path, bad, error, match):
    kwargs = {"path": tmp_path / "v.json", **bad}
    with pytest.raises(error, match=match):
        tm.explorer_vectors(**kwargs)


def test_explorer_vectors_needs_an_existing_folder(tmp_path):
    with pytest.raises(ValueError, match="existing folder"):
        tm.explorer_vectors(tmp_path / "missing" / "v.json")


_EMBED = re.compile(r'<div class="tm-explorer"(?P<attrs>[^>]*)>')
_ATTR = re.compile(r'data-([a-z-]+)=(?:"([^"]*)"|\'([^\']*)\')')


def _embeds(notebook: str) -> list[dict]:
    cells = json.loads((ROOT / "notebooks" / notebook).read_text())["cells"]
    text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return [{name: a or b for name, a, b in _ATTR.findall(m.group("attrs"))} for m in _EMBED.finditer(text)]


@pytest.mark.parametrize("notebook, example, init", [
    ("03_sgd_dynamics.ipynb", "general", True),
    ("04_phases_of_bias.ipynb", "three_phase", False),
])
def test_website_explorers_start_from_the_named_example(notebook, example, init):
    """The explorers embedded in the chapters start from the example set they name, as the package holds it."""
    (embed,) = _embeds(notebook)
    assert embed["example"] == example
    expected = tm.EXAMPLES[example]
    params = tm.TMParams(**json.loads(embed["params"]))
    assert params == expected.params
    start = json.loads(embed.get("init", "{}"))
    assert start == ({"Q": expected.init_scale**2} if init else {})
