"""Downloading with a SHA-256 check, and extracting archives without path traversal.

A download goes to a temporary file in the destination folder and is renamed to its final name
only when it is complete and its SHA-256 matches, so an interrupted or corrupted download never
leaves a file that looks valid.
"""
from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.request
import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from .._checks import real

_CHUNK = 1 << 20


class DatasetUnavailableError(RuntimeError):
    """A dataset is neither on disk nor downloadable; the message says what to fetch and where."""


class ChecksumError(ValueError):
    """A file's SHA-256 differs from the published one."""


def sha256_file(path: str | os.PathLike) -> str:
    """SHA-256 of a file, as a lowercase hexadecimal string."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_sha256(path: str | os.PathLike, sha256: str) -> Path:
    """Check a file against its published SHA-256.

    Raises
    ------
    ChecksumError
        If the digests differ; the message names the file and both digests.
    """
    path = Path(path)
    actual = sha256_file(path)
    if actual != sha256.lower():
        raise ChecksumError(
            f"SHA-256 of {path} is {actual} but the published value is {sha256.lower()}; "
            "the file is corrupted or not the original: delete it and download it again"
        )
    return path


def download(urls: str | Sequence[str], dest: str | os.PathLike, sha256: str, timeout: float = 60.0) -> Path:
    """Download a file to ``dest``, trying each URL in turn, and check its SHA-256.

    The bytes are streamed into a temporary file next to ``dest``, hashed on the fly, and the
    file is renamed to ``dest`` only when the digest matches. A file already at ``dest`` with the
    right digest is kept without downloading.

    Parameters
    ----------
    urls : one URL or several mirrors (``https://``, ``http://`` or ``file://``).
    dest : final path of the file.
    sha256 : published SHA-256 of the file.
    timeout : seconds to wait for each connection.

    Returns
    -------
    pathlib.Path
        ``dest``.

    Raises
    ------
    ChecksumError
        If a mirror delivered a file with a different digest (nothing is left on disk).
    DatasetUnavailableError
        If no mirror could be reached (e.g. offline); the message lists the URLs and ``dest``.
    ValueError
        If ``timeout`` is not in (0, inf) (a non-number is an ``ArgumentTypeError``) or ``urls`` is empty.
    """
    timeout = real("timeout", timeout, 0, low_open=True)
    dest = Path(dest)
    urls = [urls] if isinstance(urls, str) else list(urls)
    if not urls:
        raise ValueError("urls must hold at least one URL")
    if dest.exists():
        try:
            return verify_sha256(dest, sha256)
        except ChecksumError:
            dest.unlink()
    dest.parent.mkdir(parents=True, exist_ok=True)
    errors = []
    for url in urls:
        fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
        try:
            digest = hashlib.sha256()
            with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
                for block in iter(lambda: response.read(_CHUNK), b""):
                    digest.update(block)
                    out.write(block)
            if digest.hexdigest() != sha256.lower():
                raise ChecksumError(
                    f"SHA-256 of the file downloaded from {url} is {digest.hexdigest()} but the published value "
                    f"is {sha256.lower()}; the download was discarded"
                )
            os.replace(tmp, dest)
            return dest
        except ChecksumError:
            raise
        except (urllib.error.URLError, OSError, ValueError) as err:  # unreachable host, bad URL, broken stream
            errors.append(f"{url}: {err}")
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    raise DatasetUnavailableError(
        f"could not download {dest.name} (no internet connection?). Tried:\n  " + "\n  ".join(errors)
        + f"\nDownload it by hand from {urls[0]} and save it as {dest}"
    )


def _read_compressed_to_end(archive: Path) -> None:
    """Decompress a gzip archive to its end (raising EOFError or zlib.error when it is cut or damaged):
    tarfile stops at the last member and would not notice a lost trailer."""
    with open(archive, "rb") as handle:
        if handle.read(2) != b"\x1f\x8b":
            return
    with gzip.open(archive, "rb") as stream:
        while stream.read(_CHUNK):
            pass


def _check_member(name: str, dest: Path) -> Path:
    pure = PurePosixPath(name.replace("\\", "/"))
    if pure.is_absolute() or ".." in pure.parts or (pure.parts and ":" in pure.parts[0]):
        raise ValueError(f"archive member {name!r} would be written outside {dest}; refusing to extract")
    target = (dest / pure).resolve()
    if not target.is_relative_to(dest.resolve()):
        raise ValueError(f"archive member {name!r} would be written outside {dest}; refusing to extract")
    return target


def _write_members(entries: list, dest: Path) -> None:
    """Check every (name, is_folder, open) entry first, then write them: nothing lands outside ``dest``."""
    targets = [_check_member(name, dest) for name, _, _ in entries]
    for (_, is_folder, open_member), target in zip(entries, targets):
        if is_folder:
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with open_member() as src, open(target, "wb") as out:
            shutil.copyfileobj(src, out, _CHUNK)


def safe_extract(archive: str | os.PathLike, dest: str | os.PathLike) -> Path:
    """Extract a ``.tar``, ``.tar.gz`` or ``.zip`` archive into ``dest``, refusing unsafe members.

    Every member must be a plain file or folder whose path stays inside ``dest``: absolute paths,
    ``..`` components, links and device files are refused before anything is written.

    Raises
    ------
    ValueError
        If any member is unsafe, the archive format is not recognised, or the archive is truncated
        or corrupt (the message names the archive; members are checked, and a compressed archive
        read to its end, before anything is written).
    """
    archive, dest = Path(archive), Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    try:
        _read_compressed_to_end(archive)
        if tarfile.is_tarfile(archive):
            with tarfile.open(archive) as tar:
                members = tar.getmembers()
                for member in members:
                    _check_member(member.name, dest)
                    if not (member.isfile() or member.isdir()):
                        raise ValueError(f"archive member {member.name!r} is a link or special file; refusing to extract")
                _write_members([(m.name, m.isdir(), lambda m=m: tar.extractfile(m)) for m in members], dest)
            return dest
        if zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as zf:
                infos = zf.infolist()
                for info in infos:
                    _check_member(info.filename, dest)
                    if (info.external_attr >> 16) & 0o170000 == 0o120000:
                        raise ValueError(f"archive member {info.filename!r} is a link; refusing to extract")
                _write_members([(i.filename, i.is_dir(), lambda i=i: zf.open(i)) for i in infos], dest)
            return dest
    except (EOFError, gzip.BadGzipFile, tarfile.TarError, zipfile.BadZipFile, zlib.error) as err:
        raise ValueError(f"archive {archive} is truncated or corrupt ({type(err).__name__}: {err}); "
                         "delete it and download it again") from err
    raise ValueError(f"{archive} is neither a tar nor a zip archive (or it is truncated or corrupt)")
