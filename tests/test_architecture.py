"""The package's import whiteboard: the contracts in pyproject.toml ([tool.importlinter]) hold, and
importing the theory loads no plotting library."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _env() -> dict[str, str]:
    """The environment of this test run, with this checkout's biascourse first on the path."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    return env


def test_import_contracts_hold():
    pytest.importorskip("importlinter", reason="import-linter is not installed (pip install -e '.[test]')")
    script = Path(sys.executable).parent / ("lint-imports.exe" if os.name == "nt" else "lint-imports")
    if not script.exists():
        pytest.skip(f"import-linter's console script is missing next to the interpreter ({script})")
    result = subprocess.run([str(script), "--no-cache"], cwd=ROOT, env=_env(), capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, (
        "an import breaks the package's whiteboard (the contracts in pyproject.toml, [tool.importlinter]); "
        "move the code to the right layer rather than editing the contract:\n" + result.stdout + result.stderr)
    assert "0 broken" in result.stdout, result.stdout


@pytest.mark.parametrize("module", ["biascourse.tm", "biascourse.tm.phases", "biascourse.tm.erm"])
def test_the_theory_imports_no_plotting(module):
    code = (f"import sys, {module}; "
            "loaded = sorted(m for m in ('matplotlib', 'ipywidgets', 'IPython', 'biascourse.plotting') if m in sys.modules); "
            "print(','.join(loaded))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=_env(), capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"import {module} loaded {result.stdout.strip()}; the theory must stay light"


def test_the_explorer_is_still_reached_from_the_theory():
    code = ("import sys, biascourse.tm as tm; assert 'matplotlib' not in sys.modules; "
            "from biascourse.tm import explore; assert explore is tm.explore; "
            "assert 'matplotlib.pyplot' in sys.modules; print(tm.explore.PhaseExplorer.__name__)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=_env(), capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "PhaseExplorer"
