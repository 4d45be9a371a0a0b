"""Where the course lives: its GitHub repository, and the website derived from it.

The repository's address is set in one place, :data:`REPOSITORY` below (``OWNER/NAME``). Every
other file that names it, the launch buttons and footer of ``_config.yml``, the first cell of every
notebook (which installs the package on Colab), ``CITATION.cff``, the README, the landing page's
Colab and Binder links and the docstrings that link to the website, writes out the addresses
derived from it (:func:`addresses`): ``https://github.com/<OWNER>/<NAME>``, the same repository as
Colab and Binder open it, and the GitHub Pages site ``https://<owner>.github.io/<NAME>/``.
``tests/test_repository.py`` checks that they all agree.

A fork that publishes its own copy rewrites all of them at once, from the repository root::

    python -m biascourse.repository set OWNER/NAME      # rewrite every address
    python -m biascourse.repository check               # list any address that disagrees

then regenerates the student notebooks (``python -m biascourse.students notebooks students``) if
it changed the authored ones by other means.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

from .._files import write_text

#: The course's GitHub repository, ``OWNER/NAME``: the one place where its address is set.
REPOSITORY = "biascourse/biascourse"

#: Files searched for addresses (text formats of the repository).
TEXT_SUFFIXES = (".py", ".md", ".ipynb", ".yml", ".yaml", ".cff", ".toml", ".cfg", ".txt", ".bib", ".html",
                 ".css", ".js", ".mjs", ".json", ".rst", ".sh")
#: Folders never searched: version control, environments, build outputs, caches.
SKIPPED_DIRS = {".git", ".venv", "venv", "_build", "node_modules", "__pycache__", ".ipynb_checkpoints",
                ".jupyter_cache", ".pytest_cache", ".hypothesis", "build", "dist"}

_NAME = r"[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*"                 # a repository name, without a trailing dot
_OWNER = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})"
_REPOSITORY_RE = re.compile(rf"^{_OWNER}/{_NAME}$")
#: An address of a GitHub repository (on GitHub, or as Colab and Binder open it) or of a GitHub Pages
#: site, as it is written in the files.
ADDRESS_RE = re.compile(rf"https://(?:github\.com|colab\.research\.google\.com/github|mybinder\.org/v2/gh)/{_OWNER}/{_NAME}"
                        rf"|https://{_OWNER}\.github\.io(?:/{_NAME})?/?")
_CONSTANT_RE = re.compile(r'^REPOSITORY = "([^"]*)"$', re.MULTILINE)
_HERE = Path(__file__).relative_to(Path(__file__).parents[2])      # biascourse/repository/__init__.py


def check_repository(repository: str) -> str:
    """``repository`` if it is a GitHub ``OWNER/NAME``; a ValueError that says what is expected otherwise."""
    if not isinstance(repository, str) or not _REPOSITORY_RE.match(repository):
        raise ValueError(f"repository must be a GitHub repository written OWNER/NAME (letters, digits, '-', "
                         f"'_', '.'), e.g. 'biascourse/biascourse'; got {repository!r}")
    return repository


def repository_url(repository: str = REPOSITORY) -> str:
    """The repository's web address, ``https://github.com/<OWNER>/<NAME>``."""
    return f"https://github.com/{check_repository(repository)}"


def site_url(repository: str = REPOSITORY) -> str:
    """The repository's GitHub Pages site, with a trailing slash.

    ``https://<owner>.github.io/<NAME>/`` (GitHub writes the owner in lower case there); a
    repository named ``<owner>.github.io`` is the owner's own site, ``https://<owner>.github.io/``.
    """
    owner, name = check_repository(repository).split("/")
    host = f"https://{owner.lower()}.github.io/"
    return host if name.lower() == f"{owner.lower()}.github.io" else f"{host}{name}/"


def colab_url(repository: str = REPOSITORY) -> str:
    """Where Colab opens the repository's files: ``COLAB + "/blob/main/notebooks/....ipynb"``."""
    return f"https://colab.research.google.com/github/{check_repository(repository)}"


def binder_url(repository: str = REPOSITORY) -> str:
    """Where Binder builds the repository: ``BINDER + "/main?urlpath=..."``."""
    return f"https://mybinder.org/v2/gh/{check_repository(repository)}"


def addresses(repository: str = REPOSITORY) -> set[str]:
    """Every address derived from ``repository``, as the files may write it."""
    site = site_url(repository)
    return {repository_url(repository), colab_url(repository), binder_url(repository), site, site.rstrip("/")}


@dataclass(frozen=True)
class Occurrence:
    """One address written in a file: where, and which address."""

    path: Path
    line: int
    address: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.address}"


def text_files(root: Path) -> list[Path]:
    """The repository's text files under ``root`` (students/ included), outside build and tool folders.

    ``tests/`` is left out: its files check addresses (and try other ones), they publish none.
    """
    root = Path(root)
    found = []
    for folder, dirs, files in os.walk(root):
        top = Path(folder) == root
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not d.endswith(".egg-info")
                         and not (top and d == "tests"))
        found += [Path(folder, f) for f in sorted(files) if f.endswith(TEXT_SUFFIXES)]
    return found


def occurrences(root: Path) -> list[Occurrence]:
    """Every GitHub repository or GitHub Pages address written in the text files under ``root``."""
    root = Path(root)
    found = []
    for path in text_files(root):
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for match in ADDRESS_RE.finditer(text):
            found.append(Occurrence(path.relative_to(root), text.count("\n", 0, match.start()) + 1, match.group()))
    return found


def configured(root: Path) -> str:
    """The ``REPOSITORY`` set in the checkout at ``root`` (read from its file, not from this module)."""
    match = _CONSTANT_RE.search((Path(root) / _HERE).read_text(encoding="utf-8"))
    if match is None:
        raise ValueError(f"{Path(root) / _HERE} has no line REPOSITORY = \"OWNER/NAME\"")
    return check_repository(match.group(1))


def disagreeing(root: Path, repository: Optional[str] = None) -> list[Occurrence]:
    """The addresses under ``root`` that are neither ``repository``'s page nor its site (default: the configured one)."""
    repository = configured(root) if repository is None else check_repository(repository)
    allowed = addresses(repository)
    return [o for o in occurrences(root) if o.address not in allowed]


def set_repository(root: Path, repository: str) -> list[Path]:
    """Rewrite every address of the configured repository under ``root`` to ``repository``'s.

    Changes :data:`REPOSITORY` in ``biascourse/repository/__init__.py`` and every repository and site
    address in the text files (each file written to a temporary name, then renamed). Returns the
    files changed.
    """
    root = Path(root)
    new = check_repository(repository)
    old = configured(root)
    swaps = [(repository_url(old), repository_url(new)), (colab_url(old), colab_url(new)),
             (binder_url(old), binder_url(new)), (site_url(old), site_url(new)),
             (site_url(old).rstrip("/"), site_url(new).rstrip("/"))]
    # an address that ends in a name must not continue it (".../biascourse" is not ".../biascourse-2")
    pattern = re.compile("|".join(re.escape(a) + ("" if a.endswith("/") else r"(?![A-Za-z0-9_-]|\.[A-Za-z0-9_-])")
                                  for a, _ in swaps))
    target = dict(swaps)
    changed = []
    for path in text_files(root):
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        rewritten = pattern.sub(lambda m: target[m.group()], text)
        if path == root / _HERE:
            rewritten = _CONSTANT_RE.sub(f'REPOSITORY = "{new}"', rewritten)
        if rewritten != text:
            write_text(path, rewritten, newline="", mode=path.stat().st_mode & 0o777)
            changed.append(path)
    return changed



def main(argv: Optional[Sequence[str]] = None) -> int:
    """``python -m biascourse.repository {show,check,set OWNER/NAME} [--root DIR]``."""
    parser = argparse.ArgumentParser(prog="python -m biascourse.repository",
                                     description="The course's repository address, set in one place.")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="repository root (default: the current folder)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("show", help="print the repository, its address and its site")
    commands.add_parser("check", help="list every address that disagrees with REPOSITORY (exit 1 if any)")
    setter = commands.add_parser("set", help="rewrite every address to a new OWNER/NAME (a fork)")
    setter.add_argument("repository", help="OWNER/NAME of the new repository")
    args = parser.parse_args(argv)
    try:
        if args.command == "show":
            repository = configured(args.root)
            print(f"{repository}\n{repository_url(repository)}\n{site_url(repository)}")
        elif args.command == "check":
            wrong = disagreeing(args.root)
            for occurrence in wrong:
                print(occurrence)
            if wrong:
                print(f"{len(wrong)} addresses disagree with REPOSITORY = {configured(args.root)!r} "
                      f"({_HERE}); fix them with: python -m biascourse.repository set OWNER/NAME", file=sys.stderr)
                return 1
            print(f"every address is {configured(args.root)}'s ({len(occurrences(args.root))} in all)")
        else:
            changed = set_repository(args.root, args.repository)
            print(f"{args.repository}: {len(changed)} files rewritten; the site will be {site_url(args.repository)}")
    except (ValueError, FileNotFoundError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0
