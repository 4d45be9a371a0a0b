"""The offline room kit: everything a workshop room without internet needs, gathered onto one folder.

Run on a connected machine, from a checkout of the course (the repository root)::

    python -m biascourse.kit /media/usb/biascourse-kit

and copy the folder to a USB stick. It holds

* ``website/``: the built course website (``_build/html``), when it has been built;
* ``wheels/``: the wheels of the package and of its dependencies for the room's platform
  (``pip download``; the package's own wheel from ``pip wheel --no-deps``);
* ``data/``: the datasets the notebooks read (Fashion-MNIST, and MNIST and CIFAR-10 when this machine
  has them), each file checked against its published SHA-256;
* ``notebooks/`` and ``students/``: the authored notebooks and the student versions;
* ``INSTALL.md``: how to install from the folder, without internet;
* ``SHA256SUMS``: the SHA-256 of every file, checked once the kit is complete; check a copy with
  ``python -m biascourse.kit --check DEST`` (or ``sha256sum -c SHA256SUMS`` inside it).

The instructor guide (``book/instructors.md``, "A room without internet") explains the options.
"""
from __future__ import annotations

import argparse
import email.parser
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ._files import replaced, write_text

#: Datasets the kit can carry, by folder name under the data folder. Fashion-MNIST is the one that
#: chapters 5-8 need; the others replace it where a chapter prefers them and are copied when present.
DATASETS = ("fashion-mnist", "mnist", "cifar10")
MANIFEST = "SHA256SUMS"
_CHUNK = 1 << 20


@dataclass
class KitReport:
    """What :func:`build_kit` gathered, and what it could not."""

    dest: Path
    wheels: list[str] = field(default_factory=list)
    datasets: list[str] = field(default_factory=list)
    website: bool = False
    missing: list[str] = field(default_factory=list)
    files: int = 0

    def summary(self) -> str:
        lines = [f"kit written to {self.dest}: {self.files} files checked against {MANIFEST}",
                 f"  wheels: {len(self.wheels)}", f"  datasets: {', '.join(self.datasets) or 'none'}",
                 f"  website: {'yes' if self.website else 'no'}"]
        lines += [f"  MISSING: {m}" for m in self.missing]
        return "\n".join(lines)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def _copy_file(source: Path, target: Path) -> None:
    """Copy to a temporary name beside ``target``, then rename."""
    with replaced(target, binary=True) as out, open(source, "rb") as inp:
        shutil.copyfileobj(inp, out, _CHUNK)


def _copy_tree(source: Path, target: Path) -> None:
    for path in sorted(source.rglob("*")):
        if path.is_file():
            _copy_file(path, target / path.relative_to(source))


def _pip(args: list[str]) -> str:
    """Run pip with this interpreter; echo and return its output."""
    command = [sys.executable, "-m", "pip", *args]
    print("$", " ".join(command), flush=True)
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    print(result.stdout, end="", flush=True)
    if result.returncode != 0:
        raise RuntimeError(f"pip failed (exit status {result.returncode}): {' '.join(command)}")
    return result.stdout


def _requirements(wheel: Path, extras: list[str]) -> list[str]:
    """The ``Requires-Dist`` of a wheel, for its base dependencies and the ``extras`` asked for."""
    with zipfile.ZipFile(wheel) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = email.parser.Parser().parsestr(zf.read(name).decode("utf-8"))
    known = set(metadata.get_all("Provides-Extra") or [])
    unknown = sorted(set(extras) - known)
    if unknown:
        raise ValueError(f"extras must be among {sorted(known)}; got {unknown}")
    requirements = []
    for line in metadata.get_all("Requires-Dist") or []:
        requirement, _, marker = (part.strip() for part in line.partition(";"))
        found = re.search(r"""extra\s*==\s*["']([^"']+)["']""", marker)
        if found is None:
            requirements.append(line.strip())
        elif found.group(1) in extras:
            requirements.append(requirement)
    return requirements


def _name(requirement: str) -> str:
    return re.split(r"[\s<>=!~\[;(]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _platform_options(platform: list[str], python_version: str | None, implementation: str | None,
                      abi: list[str]) -> list[str]:
    options = [f"--platform={p}" for p in platform] + [f"--abi={a}" for a in abi]
    if python_version:
        options.append(f"--python-version={python_version}")
    if implementation:
        options.append(f"--implementation={implementation}")
    # pip refuses sdists for a foreign platform; for this machine's own, prefer wheels
    return options + (["--only-binary=:all:"] if options else ["--prefer-binary"])


def _source_root(source: Path | None) -> Path:
    root = Path(source) if source is not None else Path(__file__).resolve().parents[1]
    if not (root / "pyproject.toml").is_file() or not (root / "biascourse").is_dir():
        raise ValueError(f"source must be a checkout of the course (a folder with pyproject.toml and biascourse/); "
                         f"got {root}")
    return root


def _build_own_wheel(root: Path, wheels: Path) -> None:
    """``pip wheel --no-deps`` on a clean copy of the package's sources, so that no stale ``build/``
    folder of the checkout ends up in the wheel and the checkout is left as it was."""
    with tempfile.TemporaryDirectory(prefix="biascourse-wheel-") as tmp:
        copy = Path(tmp) / "src"
        shutil.copytree(root / "biascourse", copy / "biascourse",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        for name in ("pyproject.toml", "README.md", "LICENSE", "LICENSE-TEXT"):
            if (root / name).is_file():
                shutil.copy2(root / name, copy / name)
        _pip(["wheel", "--no-deps", "--wheel-dir", str(wheels), str(copy)])


def _dataset_sources() -> dict[str, tuple[str, list[tuple[str, str]]]]:
    """For each dataset folder, its title and the (file name, SHA-256) pairs it needs."""
    from .datasets import _sources as sources

    idx = {d.folder: (d.title, [pair for split in d.files.values() for pair in split])
           for d in (sources.FASHION_MNIST, sources.MNIST)}
    idx["cifar10"] = ("CIFAR-10", [("cifar-10-binary.tar.gz", sources.CIFAR10_SHA256)])
    return idx


def _find_dataset(folder: str) -> Path | None:
    from .datasets import _sources as sources

    _, files = _dataset_sources()[folder]
    for d in sources._search_dirs(None, folder):
        if all((d / name).is_file() for name, _ in files):
            return d
    return None


def _copy_decompressed(source: Path, target: Path) -> None:
    """Write the decompressed content of a ``.gz`` file to ``target`` (temporary name, then rename)."""
    import gzip

    with replaced(target, binary=True) as out, gzip.open(source, "rb") as inp:
        shutil.copyfileobj(inp, out, _CHUNK)


def _gather_datasets(dest: Path, names: list[str], report: KitReport) -> None:
    """Copy each dataset found here into ``dest/data/<folder>``.

    Files that match their published SHA-256 are copied as they are. A Linux distribution's copy
    (Debian's ``dataset-fashion-mnist`` re-compresses the archives, so their checksums differ) is
    stored decompressed, which the course's loader reads without the published checksum, after
    checking that every image file and its labels read back as a matching pair.
    """
    from .datasets import read_idx_pair, sha256_file

    for folder in names:
        title, files = _dataset_sources()[folder]
        found = _find_dataset(folder)
        if found is None:
            report.missing.append(f"{title}: not on this machine (run a chapter that loads it once, or, for "
                                  "Fashion-MNIST on Debian/Ubuntu, `apt install dataset-fashion-mnist`)")
            continue
        target = dest / "data" / folder
        if all(sha256_file(found / name) == sha for name, sha in files):
            for name, _ in files:
                _copy_file(found / name, target / name)
            report.datasets.append(f"{title} (from {found}, SHA-256 as published)")
            continue
        if not all(name.endswith(".gz") for name, _ in files):
            report.missing.append(f"{title}: the files in {found} differ from the published ones (SHA-256)")
            continue
        for name, _ in files:
            _copy_decompressed(found / name, target / name.removesuffix(".gz"))
        for images, labels in zip(files[::2], files[1::2]):
            read_idx_pair(target / images[0].removesuffix(".gz"), target / labels[0].removesuffix(".gz"))
        report.datasets.append(f"{title} (from {found}, a distribution's copy, stored decompressed)")


def _install_text(report: KitReport, extras: list[str], with_torch: bool, python_version: str | None) -> str:
    spec = "biascourse" + (f"[{','.join(extras)}]" if extras else "")
    website = ("Open `website/index.html` in a browser (no internet needed), or serve it to the room:\n"
               "`python -m http.server -d website 8000` and browse to `http://<this machine>:8000`.") if report.website \
        else ("The website was not built when this kit was made. Build it on a connected machine "
              "(`jupyter-book build .` in the repository, see the README) and run the kit command again.")
    torch_line = "" if with_torch else (
        "\nThis kit holds **no torch wheel** (`--no-torch`): install torch first from another source, e.g. "
        "`pip install torch` where it is available, or use a Python that already has it.\n")
    data = "\n".join(f"- {d}" for d in report.datasets) or "- none"
    return f"""# Installing the course in a room without internet

This folder was made by `python -m biascourse.kit` on a connected machine. It holds the course
website, the wheels of the `biascourse` package and its dependencies, the datasets and the notebooks.

## 1. Check the copy

```bash
python -m biascourse.kit --check .       # once biascourse is installed, or:
sha256sum -c {MANIFEST}                   # Linux; on macOS: shasum -a 256 -c {MANIFEST}
```

## 2. Install (no internet needed)

With Python {python_version or f"{sys.version_info.major}.{sys.version_info.minor}"} (the version the wheels were
downloaded for), from this folder:

```bash
python3 -m venv biascourse-env
. biascourse-env/bin/activate            # Windows: biascourse-env\\Scripts\\activate
pip install --no-index --find-links wheels "{spec}"
```
{torch_line}
## 3. Point the course at the datasets

```bash
export BIASCOURSE_DATA="$PWD/data"       # Windows (PowerShell): $env:BIASCOURSE_DATA = "$PWD\\data"
```

Datasets in this kit:

{data}

CelebA (chapter 5, part 2: attribute pairs) is never carried: it has no automatic download and is
copied by hand where its terms allow. Without it, and without MNIST or CIFAR-10 when they are not in
this kit, the chapter runs the same experiment on Fashion-MNIST and says so.

## 4. Open the notebooks

```bash
jupyter lab students/                     # the student versions, exercises to fill in
```

`notebooks/` holds the authored notebooks with their solutions (for the teacher).

## 5. The website

{website}
"""


def build_kit(dest: str | os.PathLike, *, source: str | os.PathLike | None = None, extras: tuple[str, ...] = ("book",),
              torch: str | None = "torch", torch_index_url: str | None = None, platform: tuple[str, ...] = (),
              python_version: str | None = None, implementation: str | None = None, abi: tuple[str, ...] = (),
              datasets: tuple[str, ...] = DATASETS, website: str | os.PathLike | None = None) -> KitReport:
    """Gather the offline room kit into ``dest`` and check it.

    Parameters
    ----------
    dest : the kit folder (created; files already there are replaced, others kept).
    source : the course checkout to build the package's wheel from; default: the one this module
        was imported from.
    extras : the package's extras whose dependencies are included (``"book"``: Jupyter Book and
        JupyterLab; ``"test"``; none: ``()``).
    torch : the requirement for torch (e.g. ``"torch==2.13.0"``), or None to leave torch out of the
        kit (rooms whose Python already has it).
    torch_index_url : the index to download torch from, e.g. PyTorch's CPU builds
        ``https://download.pytorch.org/whl/cpu`` (a plain download of torch on Linux brings several GB of
        CUDA libraries); the other dependencies come from the usual index.
    platform, python_version, implementation, abi : the room's platform, passed to ``pip download``
        (``--platform manylinux2014_x86_64 --python-version 3.11``, ``--platform win_amd64``, ...);
        default: this machine's.
    datasets : the dataset folders to copy, among :data:`DATASETS`; those not on this machine are
        reported as missing.
    website : the built website; default: ``_build/html`` of the checkout.

    Returns
    -------
    KitReport
        What was gathered, and what is missing.

    Raises
    ------
    ValueError
        If ``source`` is not a checkout, an extra or a dataset is unknown.
    RuntimeError
        If pip fails, or a file of the kit does not match the manifest after writing.
    """
    root = _source_root(source)
    if torch is not None and _name(torch) != "torch":
        raise ValueError(f"torch must be a requirement for torch (e.g. 'torch==2.13.0') or None; got {torch!r}")
    unknown = sorted(set(datasets) - set(DATASETS))
    if unknown:
        raise ValueError(f"datasets must be among {list(DATASETS)}; got {unknown}")
    dest = Path(dest).expanduser().resolve()
    dest.mkdir(parents=True, exist_ok=True)
    wheels = dest / "wheels"
    wheels.mkdir(exist_ok=True)
    report = KitReport(dest)

    # 1. the package's own wheel, then its dependencies (torch on its own index when asked)
    for old in wheels.glob("biascourse-*.whl"):
        old.unlink()
    _build_own_wheel(root, wheels)
    own = next(wheels.glob("biascourse-*.whl"))
    requirements = _requirements(own, list(extras))
    options = _platform_options(list(platform), python_version, implementation, list(abi))
    others = [r for r in requirements if _name(r) != "torch"]
    constraints: list[str] = []
    if torch is not None:
        package_req = next((r for r in requirements if _name(r) == "torch"), "torch")
        index = ["--index-url", torch_index_url] if torch_index_url else []
        output = _pip(["download", "--no-deps", "--dest", str(wheels), *options, *index,
                       package_req if torch.strip() == "torch" else torch])
        saved = re.findall(r"torch-([^-\s/]+)-[^\s/]*\.whl", output)
        if not saved:
            raise RuntimeError(f"pip download of {torch!r} saved no torch wheel:\n{output}")
        version = saved[-1].split("+")[0]
        constraints.append(f"torch=={version}")
        # torch's own dependencies (filelock, sympy, ..., and for CUDA builds the nvidia wheels)
        others.append(f"torch=={version}")
    if others:
        constraint_file = dest / ".constraints.txt"
        write_text(constraint_file, "\n".join(constraints) + "\n")
        try:
            _pip(["download", "--dest", str(wheels), "--find-links", str(wheels), *options,
                  "--constraint", str(constraint_file), *others])
        finally:
            constraint_file.unlink(missing_ok=True)
    report.wheels = sorted(p.name for p in wheels.iterdir() if p.is_file())
    sdists = [w for w in report.wheels if not w.endswith(".whl")]
    if sdists:
        report.missing.append(f"wheels: {', '.join(sdists)} came as source archives; the room needs a compiler "
                              "and build tools for them")

    # 2. datasets, notebooks, website
    _gather_datasets(dest, list(datasets), report)
    for folder in ("notebooks", "students"):
        for nb in sorted((root / folder).glob("*.ipynb")):
            _copy_file(nb, dest / folder / nb.name)
    site = Path(website) if website is not None else root / "_build" / "html"
    if (site / "index.html").is_file():
        _copy_tree(site, dest / "website")
        report.website = True
    else:
        report.missing.append(f"website: {site} has no index.html; build it first (`jupyter-book build .`)")

    # 3. instructions, then the manifest of every file, checked
    write_text(dest / "INSTALL.md", _install_text(report, list(extras), torch is not None, python_version))
    write_manifest(dest)
    report.files = check_kit(dest)
    return report


def _kit_files(dest: Path) -> list[Path]:
    return sorted(p for p in dest.rglob("*") if p.is_file() and p.relative_to(dest).as_posix() != MANIFEST)


def write_manifest(dest: str | os.PathLike) -> Path:
    """Write ``SHA256SUMS`` (``sha256sum`` format) listing every file of the kit."""
    dest = Path(dest)
    lines = [f"{_sha256(p)}  {p.relative_to(dest).as_posix()}" for p in _kit_files(dest)]
    write_text(dest / MANIFEST, "\n".join(lines) + "\n")
    return dest / MANIFEST


def check_kit(dest: str | os.PathLike) -> int:
    """Check every file listed in the kit's ``SHA256SUMS``; return how many were checked.

    Raises
    ------
    RuntimeError
        If the manifest is missing, or a file is missing or differs from its checksum.
    """
    dest = Path(dest)
    manifest = dest / MANIFEST
    if not manifest.is_file():
        raise RuntimeError(f"{manifest} is missing: this is not a complete kit")
    bad = []
    lines = [line for line in manifest.read_text(encoding="utf-8").splitlines() if line.strip()]
    for line in lines:
        digest, name = line.split("  ", 1)
        path = dest / name
        if not path.is_file():
            bad.append(f"missing: {name}")
        elif _sha256(path) != digest:
            bad.append(f"damaged: {name}")
    if bad:
        raise RuntimeError(f"the kit in {dest} does not match {MANIFEST}:\n  " + "\n  ".join(bad))
    return len(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m biascourse.kit", description=__doc__.split("\n\n")[0])
    parser.add_argument("dest", help="the kit folder (e.g. on a USB stick)")
    parser.add_argument("--check", action="store_true", help="only check an existing kit against its SHA256SUMS")
    parser.add_argument("--source", help="the course checkout (default: the one this package comes from)")
    parser.add_argument("--extras", default="book", help="comma-separated extras to include (default: book; '' for none)")
    parser.add_argument("--torch", default="torch", help="the torch requirement, e.g. torch==2.13.0 (default: torch)")
    parser.add_argument("--no-torch", action="store_true", help="leave torch out (the room's Python has it)")
    parser.add_argument("--torch-index-url", help="index for torch, e.g. https://download.pytorch.org/whl/cpu")
    parser.add_argument("--platform", action="append", default=[], help="the room's platform tag (repeatable)")
    parser.add_argument("--python-version", help="the room's Python version, e.g. 3.11")
    parser.add_argument("--implementation", help="the room's Python implementation, e.g. cp")
    parser.add_argument("--abi", action="append", default=[], help="the room's ABI tag (repeatable)")
    parser.add_argument("--datasets", default=",".join(DATASETS),
                        help=f"comma-separated datasets to copy (default: {','.join(DATASETS)}; '' for none)")
    parser.add_argument("--website", help="the built website (default: _build/html of the checkout)")
    args = parser.parse_args(argv)
    if args.check:
        print(f"{check_kit(args.dest)} files match {MANIFEST}")
        return 0
    split = lambda text: tuple(x.strip() for x in text.split(",") if x.strip())  # noqa: E731
    report = build_kit(args.dest, source=args.source, extras=split(args.extras),
                       torch=None if args.no_torch else args.torch, torch_index_url=args.torch_index_url,
                       platform=tuple(args.platform), python_version=args.python_version,
                       implementation=args.implementation, abi=tuple(args.abi), datasets=split(args.datasets),
                       website=args.website)
    print(report.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
