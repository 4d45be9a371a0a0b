import io
import tarfile
import urllib.error
import zipfile

import pytest

from biascourse.datasets import ChecksumError, DatasetUnavailableError, download, safe_extract, sha256_file
from biascourse.datasets import _download


def test_download_from_file_url(tmp_path):
    src = tmp_path / "src.bin"
    src.write_bytes(b"payload" * 1000)
    dest = tmp_path / "data" / "file.bin"
    out = download(src.as_uri(), dest, sha256_file(src))
    assert out == dest and dest.read_bytes() == src.read_bytes()
    assert [p.name for p in dest.parent.iterdir()] == ["file.bin"]  # no temporary file left


def test_download_tries_mirrors_in_turn(tmp_path):
    src = tmp_path / "src.bin"
    src.write_bytes(b"abc")
    dest = tmp_path / "file.bin"
    download([(tmp_path / "missing").as_uri(), src.as_uri()], dest, sha256_file(src))
    assert dest.read_bytes() == b"abc"


def test_checksum_failure_leaves_nothing(tmp_path):
    src = tmp_path / "src.bin"
    src.write_bytes(b"corrupted download")
    dest = tmp_path / "data" / "file.bin"
    with pytest.raises(ChecksumError, match="published value"):
        download(src.as_uri(), dest, "0" * 64)
    assert not dest.exists() and list(dest.parent.iterdir()) == []


def test_existing_valid_file_is_kept(tmp_path, monkeypatch):
    dest = tmp_path / "file.bin"
    dest.write_bytes(b"already here")

    def no_network(*args, **kwargs):
        raise AssertionError("must not download a file that is already valid")

    monkeypatch.setattr(_download.urllib.request, "urlopen", no_network)
    assert download("https://example.invalid/file.bin", dest, sha256_file(dest)) == dest


def test_offline_error_names_url_and_destination(tmp_path, monkeypatch):
    def offline(*args, **kwargs):
        raise urllib.error.URLError("Temporary failure in name resolution")

    monkeypatch.setattr(_download.urllib.request, "urlopen", offline)
    dest = tmp_path / "file.bin"
    with pytest.raises(DatasetUnavailableError) as info:
        download("https://example.org/file.bin", dest, "0" * 64)
    assert "https://example.org/file.bin" in str(info.value) and str(dest) in str(info.value)
    assert list(tmp_path.iterdir()) == []


def _tar(path, members):
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_safe_extract_tar(tmp_path):
    archive = _tar(tmp_path / "ok.tar.gz", [("folder/a.txt", b"A"), ("folder/sub/b.txt", b"B")])
    out = safe_extract(archive, tmp_path / "out")
    assert (out / "folder" / "sub" / "b.txt").read_bytes() == b"B"


@pytest.mark.parametrize("name", ["../evil.txt", "/tmp/evil.txt", "folder/../../evil.txt"])
def test_safe_extract_refuses_traversal(tmp_path, name):
    archive = _tar(tmp_path / "bad.tar.gz", [("fine.txt", b"x"), (name, b"evil")])
    with pytest.raises(ValueError, match="outside"):
        safe_extract(archive, tmp_path / "out")
    assert not (tmp_path / "out" / "fine.txt").exists()  # nothing written before the check
    assert not (tmp_path / "evil.txt").exists()


def test_safe_extract_refuses_links(tmp_path):
    with tarfile.open(tmp_path / "link.tar", "w") as tar:
        info = tarfile.TarInfo("link")
        info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tar.addfile(info)
    with pytest.raises(ValueError, match="link"):
        safe_extract(tmp_path / "link.tar", tmp_path / "out")


def test_safe_extract_zip(tmp_path):
    with zipfile.ZipFile(tmp_path / "ok.zip", "w") as zf:
        zf.writestr("img/a.jpg", b"jpg")
    assert (safe_extract(tmp_path / "ok.zip", tmp_path / "out") / "img" / "a.jpg").read_bytes() == b"jpg"
    with zipfile.ZipFile(tmp_path / "bad.zip", "w") as zf:
        zf.writestr("../evil.txt", b"evil")
    with pytest.raises(ValueError, match="outside"):
        safe_extract(tmp_path / "bad.zip", tmp_path / "out2")


def test_safe_extract_unknown_format(tmp_path):
    (tmp_path / "x.bin").write_bytes(b"neither tar nor zip")
    with pytest.raises(ValueError, match="neither a tar nor a zip"):
        safe_extract(tmp_path / "x.bin", tmp_path / "out")


@pytest.mark.parametrize("fraction", [0.3, 0.9, 0.999])
def test_safe_extract_truncated_tar_gz_names_the_archive_and_writes_nothing(tmp_path, fraction):
    import numpy as np

    payload = np.random.default_rng(0).bytes(50_000)  # incompressible, so the archive is long
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name in ("data/a.bin", "data/b.bin"):
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))
    whole = buffer.getvalue()
    archive = tmp_path / "cut.tar.gz"
    archive.write_bytes(whole[: int(len(whole) * fraction)])
    dest = tmp_path / "out"
    with pytest.raises(ValueError, match=r"archive .*cut\.tar\.gz is truncated or corrupt"):
        safe_extract(archive, dest)
    assert list(dest.rglob("*")) == []
