"""The GitHub Actions workflows (.github/workflows/): they lint clean, and the book's workflow builds and
publishes the site as the README says.

The workflows cannot run here; two linters that work offline check them instead:
``check-jsonschema`` against the workflow schema it ships (``vendor.github-workflows``: misspelt
keys, wrong types, unknown triggers) and ``zizmor --offline`` (security: permissions, template
injection, unpinned actions, credentials left in the checkout). Both come with ``pip install -e ".[test]"``.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))
BOOK = ROOT / ".github" / "workflows" / "book.yml"


def _tool(name: str) -> str:
    """The console script ``name`` next to this interpreter, or on PATH; a skip (a failure in CI) without it."""
    script = Path(sys.executable).parent / name
    found = str(script) if script.exists() else shutil.which(name)
    if found is None:
        message = f"{name} is not installed (pip install -e '.[test]')"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def _workflow(path: Path) -> dict:
    data = yaml.safe_load(path.read_text())
    data["on"] = data.pop(True, data.get("on"))      # YAML 1.1 reads the key `on` as true
    return data


def test_there_are_workflows():
    assert BOOK in WORKFLOWS


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_matches_the_github_workflow_schema(path):
    result = subprocess.run([_tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(path)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflows_have_no_zizmor_finding():
    result = subprocess.run([_tool("zizmor"), "--offline", "--persona", "pedantic", "--no-progress",
                             *map(str, WORKFLOWS)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "No findings" in result.stdout, result.stdout + result.stderr


def test_book_is_built_on_push_to_main_weekly_and_by_hand():
    on = _workflow(BOOK)["on"]
    assert on["push"]["branches"] == ["main"]
    assert len(on["schedule"]) == 1 and len(on["schedule"][0]["cron"].split()) == 5
    assert on["schedule"][0]["cron"].split()[2:] == ["*", "*", on["schedule"][0]["cron"].split()[4]]   # weekly
    assert "workflow_dispatch" in on


def _steps(job: dict) -> list[dict]:
    return job.get("steps", [])


def test_book_is_built_at_default_size_as_the_readme_installs_it():
    workflow = _workflow(BOOK)
    build = workflow["jobs"]["build"]
    runs = "\n".join(step.get("run", "") for step in _steps(build))
    envs = [workflow.get("env", {}), build.get("env", {})] + [step.get("env", {}) for step in _steps(build)]
    assert not any("BIASCOURSE_FAST" in env for env in envs) and "BIASCOURSE_FAST" not in runs   # every notebook, default size
    assert "jupyter-book build . -W -n --keep-going" in runs                 # a failed cell fails the run
    assert "pip install torch --index-url https://download.pytorch.org/whl/cpu" in runs
    assert 'pip install -e ".[book,test]"' in runs
    assert "dataset-fashion-mnist" in runs
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["execute"]["execute_notebooks"] in ("cache", "force", "auto")
    assert config["execute"]["allow_errors"] is False


def test_book_is_published_on_github_pages():
    workflow = _workflow(BOOK)
    assert workflow["permissions"] == {}                                         # each job asks for its own
    assert workflow["concurrency"]["cancel-in-progress"] is False
    upload = next(s for s in _steps(workflow["jobs"]["build"]) if s.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert upload["with"]["path"] == "_build/html"
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build" and deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert any(s.get("uses", "").startswith("actions/deploy-pages@") for s in _steps(deploy))
    report = workflow["jobs"]["report"]
    assert "failure()" in report["if"] and "schedule" in report["if"]             # a broken weekly build opens an issue
