"""Number each chapter's exercises after its chapter: "Exercise 3.1", "Exercise 5b.2".

The book's chapters are not numbered by Sphinx (their titles carry the number), so Sphinx would
number exercises through the whole book. This extension renumbers them per notebook, from the
notebook's file name (``notebooks/05b_real_data`` holds chapter 5, part 2), in page order.
"""
from __future__ import annotations

import re

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

_CHAPTER_FILE = re.compile(r"notebooks/(\d\d)([a-z]?)_")


def chapter_of(docname: str) -> str | None:
    """``"5b"`` for ``notebooks/05b_real_data``; None for a page that is no chapter notebook."""
    match = _CHAPTER_FILE.match(docname)
    return f"{int(match.group(1))}{match.group(2)}" if match else None


def renumber_exercises(app: Sphinx, env: BuildEnvironment) -> list[str]:
    for docname, numbers in env.toc_fignumbers.items():
        chapter = chapter_of(docname)
        if chapter is None or "exercise" not in numbers:
            continue
        in_page_order = sorted(numbers["exercise"].items(), key=lambda item: item[1])
        numbers["exercise"] = {key: (chapter, k) for k, (key, _) in enumerate(in_page_order, 1)}
    return []


def setup(app: Sphinx) -> dict:
    # after Sphinx has assigned its book-wide numbers (the toctree collector, priority 500)
    app.connect("env-get-updated", renumber_exercises, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
