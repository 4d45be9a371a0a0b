"""Files written whole or not at all: a temporary name beside the target, renamed when complete."""
from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator, Optional, Union

PathLike = Union[str, os.PathLike]


@contextmanager
def replaced(target: PathLike, *, binary: bool = False, newline: Optional[str] = None,
             mode: Optional[int] = None) -> Iterator[IO]:
    """Open a temporary file beside ``target`` for writing; rename it onto ``target`` when the block ends.

    If the block raises, the temporary file is deleted and ``target`` is left as it was, so a reader
    never sees a half-written file. ``mode`` sets the permission bits of the new file (for example
    those of the file it replaces); text is written as UTF-8 with ``newline`` as in :func:`open`.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        options = {} if binary else {"encoding": "utf-8", "newline": newline}
        with os.fdopen(handle, "wb" if binary else "w", **options) as out:
            yield out
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_text(target: PathLike, text: str, *, newline: Optional[str] = None, mode: Optional[int] = None) -> None:
    """Write ``text`` to ``target`` through :func:`replaced` (never a half-written file)."""
    with replaced(target, newline=newline, mode=mode) as out:
        out.write(text)
