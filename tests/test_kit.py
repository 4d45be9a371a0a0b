"""The offline room kit (biascourse/kit.py): its manifest catches a damaged copy, and a kit installs
into a fresh virtual environment with no index, whose biascourse then computes the theory."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import venv
import zipfile
from pathlib import Path

import pytest

from biascourse import kit

ROOT = Path(__file__).resolve().parents[1]


def test_manifest_catches_a_missing_or_damaged_file(tmp_path):
    (tmp_path / "wheels").mkdir()
    (tmp_path / "wheels" / "a.whl").write_bytes(b"wheel")
    (tmp_path / "INSTALL.md").write_text("install\n")
    kit.write_manifest(tmp_path)
    assert kit.check_kit(tmp_path) == 2
    (tmp_path / "wheels" / "a.whl").write_bytes(b"whee1")
    with pytest.raises(RuntimeError, match="damaged: wheels/a.whl"):
        kit.check_kit(tmp_path)
    (tmp_path / "INSTALL.md").unlink()
    with pytest.raises(RuntimeError, match="missing: INSTALL.md"):
        kit.check_kit(tmp_path)


def test_a_folder_without_manifest_is_not_a_kit(tmp_path):
    with pytest.raises(RuntimeError, match="SHA256SUMS is missing"):
        kit.check_kit(tmp_path)


def test_bad_arguments_are_named(tmp_path):
    with pytest.raises(ValueError, match="source must be a checkout"):
        kit.build_kit(tmp_path / "kit", source=tmp_path)
    with pytest.raises(ValueError, match="datasets must be among"):
        kit.build_kit(tmp_path / "kit", source=ROOT, datasets=("imagenet",))
    with pytest.raises(ValueError, match="torch must be a requirement for torch"):
        kit.build_kit(tmp_path / "kit", source=ROOT, torch="numpy")


def test_requirements_are_read_from_the_wheel_with_extras(tmp_path):
    wheel = tmp_path / "demo-1.0-py3-none-any.whl"
    metadata = ("Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nRequires-Dist: numpy>=1.24\n"
                "Requires-Dist: torch>=2.2\nProvides-Extra: book\nRequires-Dist: jupyterlab>=4.0; extra == \"book\"\n"
                "Provides-Extra: test\nRequires-Dist: pytest>=7.0; extra == \"test\"\n")
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr("demo-1.0.dist-info/METADATA", metadata)
    assert kit._requirements(wheel, []) == ["numpy>=1.24", "torch>=2.2"]
    assert kit._requirements(wheel, ["book"]) == ["numpy>=1.24", "torch>=2.2", "jupyterlab>=4.0"]
    with pytest.raises(ValueError, match="extras must be among"):
        kit._requirements(wheel, ["docs"])


def _clean_pip_env() -> dict[str, str]:
    """No pip configuration, no index, no extra find-links: only the kit can serve the install."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_") and k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PIP_CONFIG_FILE"] = os.devnull
    return env


@pytest.mark.slow
def test_a_kit_installs_offline_in_a_fresh_environment(tmp_path):
    """Build a kit (this machine's platform, the package with its core dependencies and torch, no
    extras, Fashion-MNIST), install it with --no-index into a fresh venv, run a theory call."""
    start = time.perf_counter()
    dest = tmp_path / "kit"
    version, index = _torch_source()
    report = kit.build_kit(dest, source=ROOT, extras=(), torch=f"torch=={version}", torch_index_url=index,
                           datasets=("fashion-mnist",), website=tmp_path / "no-site")
    built = time.perf_counter()
    assert any(w.startswith("biascourse-") for w in report.wheels)
    assert any(w.startswith("torch-") for w in report.wheels)
    assert kit.check_kit(dest) == report.files
    assert "--no-index --find-links wheels" in (dest / "INSTALL.md").read_text()

    env_dir = tmp_path / "room-env"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    install = subprocess.run([str(python), "-m", "pip", "install", "--no-index", "--find-links", str(dest / "wheels"),
                              "biascourse"], cwd=tmp_path, env=_clean_pip_env(), capture_output=True, text=True)
    assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]
    installed = time.perf_counter()
    code = ("import biascourse, biascourse.tm as tm; p = tm.EXAMPLES['centred_crossing'].params; "
            "print(biascourse.__file__); print(round(float(tm.crossings(p, 20 * p.tau_R)[0]), 3)); "
            "from biascourse.datasets import load_fashion_mnist; x, y = load_fashion_mnist('test'); print(x.shape)")
    env = _clean_pip_env() | {"BIASCOURSE_DATA": str(dest / "data")}
    run = subprocess.run([str(python), "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    where, crossing, shape = run.stdout.split("\n")[:3]
    assert str(env_dir) in where  # the kit's package, not this checkout
    import biascourse.tm as tm

    p = tm.EXAMPLES["centred_crossing"].params
    assert float(crossing) == round(float(tm.crossings(p, 20 * p.tau_R)[0]), 3)
    assert shape == "(10000, 28, 28)"
    print(f"kit built in {built - start:.0f} s, installed offline in {installed - built:.0f} s, "
          f"checked in {time.perf_counter() - installed:.0f} s")


def _torch_source() -> tuple[str, str | None]:
    """This environment's torch version, and where to download it: pip's own find-links when a wheel
    of it lies there (this project's machines), else PyTorch's index of CPU builds (about 200 MB,
    where a plain download from PyPI would bring the CUDA build, about 3 GB)."""
    import torch

    version = torch.__version__.split("+")[0]
    folders = [Path(p) for p in os.environ.get("PIP_FIND_LINKS", "").split() if Path(p).is_dir()]
    local = any(any(folder.glob(f"torch-{version}*.whl")) for folder in folders)
    return version, None if local else "https://download.pytorch.org/whl/cpu"
