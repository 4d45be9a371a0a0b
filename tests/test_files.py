"""Files written whole or not at all (biascourse/_files.py)."""
from __future__ import annotations

import os

import pytest

from biascourse._files import replaced, write_text


def test_write_text_replaces_the_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "sub" / "page.md"
    write_text(target, "first\n")
    write_text(target, "é second\r\n", newline="")
    assert target.read_bytes() == "é second\r\n".encode()
    assert sorted(p.name for p in target.parent.iterdir()) == ["page.md"]


def test_a_failure_in_the_block_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "data.bin"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError, match="disk full"):
        with replaced(target, binary=True) as out:
            out.write(b"half of the new")
            raise RuntimeError("disk full")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["data.bin"]


def test_mode_sets_the_permissions_of_the_new_file(tmp_path):
    target = tmp_path / "script.sh"
    write_text(target, "#!/bin/sh\n", mode=0o755)
    assert os.stat(target).st_mode & 0o777 == 0o755
