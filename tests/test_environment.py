"""environment.yml (Binder) and pyproject.toml must list the same packages with the same bounds."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
_REQ = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(?:\[[^\]]*\])?\s*(.*)$")


def _split(requirement: str) -> tuple[str, str]:
    name, spec = _REQ.match(requirement).groups()
    return name.lower().replace("_", "-"), spec.replace(" ", "")


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _environment() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    packages: dict[str, str] = {}
    for dep in env["dependencies"]:
        entries = dep["pip"] if isinstance(dep, dict) else [dep]
        for entry in entries:
            if entry.startswith("-"):  # pip options and the editable install of the package itself
                continue
            name, spec = _split(entry)
            packages[name] = spec
    return packages


def test_environment_lists_every_runtime_dependency_with_the_same_bound():
    runtime = dict(_split(r) for r in _pyproject()["project"]["dependencies"])
    env = _environment()
    for name, spec in runtime.items():
        assert name in env, f"{name} is a dependency in pyproject.toml but missing from environment.yml"
        assert env[name] == spec, f"{name}: pyproject.toml says {spec!r}, environment.yml says {env[name]!r}"


def test_environment_has_nothing_pyproject_does_not_know():
    project = _pyproject()["project"]
    known = dict(_split(r) for r in project["dependencies"])
    for extra in project["optional-dependencies"].values():
        known.update(_split(r) for r in extra)
    env = _environment()
    for name, spec in env.items():
        if name in {"python", "pip"}:
            continue
        assert name in known, f"{name} is in environment.yml but in no dependency list of pyproject.toml"
        assert known[name] == spec, f"{name}: pyproject.toml says {known[name]!r}, environment.yml says {spec!r}"


def test_environment_installs_the_package_itself():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_entries = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip_entries
