"""Every reference in the course resolves inside the repository.

The package's docstrings and messages link to sections of the website
(``https://biascourse.github.io/biascourse/<page>.html#<label>``), notebooks and book pages link with
``{ref}`` and relative markdown links, and citations use ``book/references.bib``. Each must resolve to
a page and a MyST label that exist in this repository, and nothing may send a reader to a file or a
note outside it. These checks read the sources, so they run without building the book (the website
test checks the built pages as well).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from biascourse import SITE_URL

ROOT = Path(__file__).resolve().parents[1]
SOURCE_DIRS = ("biascourse", "tests", "benchmarks", "notebooks", "students", "book")
SOURCE_SUFFIXES = {".py", ".md", ".ipynb", ".yml", ".toml", ".bib", ".csv"}

LABEL_DEF = re.compile(r"^\(([\w-]+)\)=\s*$", re.M)
EXERCISE_LABEL = re.compile(r"^:label:\s*([\w-]+)\s*$", re.M)
ROLE_REF = re.compile(r"\{(?:ref|numref|prf:ref)\}`(?:[^`<]*<)?([\w-]+)>?`")
MD_LINK = re.compile(r"(?<!!)\[[^\]\n]*\]\(([^)\s]+)\)")
CITE = re.compile(r"\{cite(?::[tp])?\}`([^`]+)`")
SITE_LINK = re.compile(re.escape(SITE_URL) + r"([\w/.-]*?)\.html(?:#([\w-]+))?")
# Pointers to material a reader of the website or a user of the package cannot follow. Built from
# pieces so that this file does not match itself.
OUTSIDE = [re.compile(p, re.I) for p in (
    "sci" + r"ence[ -]notes?\b",
    r"\.\./" + "shared",
    r"/work" + "/",
    r"\b(?:teacher_mixture|bias_amplification|initial_guessing_bias|simplicity_biases)\.md\b",
    r"\bissues? #?\d+\b",
    r"\bnote §",
)]


def _sources() -> list[Path]:
    files = [ROOT / name for name in ("README.md", "_config.yml", "_toc.yml", "pyproject.toml", "environment.yml")]
    for folder in SOURCE_DIRS:
        files += [p for p in sorted((ROOT / folder).rglob("*")) if p.suffix in SOURCE_SUFFIXES and p.is_file()]
    return [p for p in files if "_build" not in p.parts and ".ipynb_checkpoints" not in p.parts]


def _markdown(path: Path) -> str:
    """The text a reader sees: markdown cells of a notebook, or the whole page."""
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text())["cells"]
        return "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return path.read_text()


def _book_pages() -> list[Path]:
    return sorted((ROOT / "book").rglob("*.md")) + sorted((ROOT / "notebooks").glob("*.ipynb"))


def _labels(path: Path) -> set[str]:
    text = _markdown(path)
    return set(LABEL_DEF.findall(text)) | set(EXERCISE_LABEL.findall(text))


LABELS = {label for page in _book_pages() for label in _labels(page)}


def test_labels_are_unique_across_the_book():
    seen: dict[str, Path] = {}
    for page in _book_pages():
        for label in _labels(page):
            assert label not in seen, f"label {label!r} defined in {seen[label]} and {page}"
            seen[label] = page


@pytest.mark.parametrize("path", _book_pages() + sorted((ROOT / "students").glob("*.ipynb")),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_book_references_resolve(path):
    text = _markdown(path)
    for label in ROLE_REF.findall(text):
        assert label in LABELS, f"{path.name}: {{ref}} to {label!r}, a label that no page defines"
    for target in MD_LINK.findall(text):
        if target.startswith(("http:", "https:", "mailto:", "#")):
            continue
        file = target.split("#")[0]
        resolved = (path.parent / file).resolve()
        assert resolved.exists(), f"{path.name}: link to {target!r}, which does not exist"
        assert ROOT in resolved.parents, f"{path.name}: link to {target!r}, outside the repository"
    bib = (ROOT / "book" / "references.bib").read_text()
    keys = set(re.findall(r"^@\w+\{([^,\s]+),", bib, re.M))
    for group in CITE.findall(text):
        for key in group.split(","):
            assert key.strip() in keys, f"{path.name}: citation {key.strip()!r} is not in book/references.bib"


def test_site_links_in_code_and_pages_resolve():
    """Links to the website (docstrings, error messages, notebooks) name a page and a label that exist."""
    n_links = 0
    for path in _sources():
        for page, label in SITE_LINK.findall(path.read_text()):
            n_links += 1
            candidates = [ROOT / f"{page}.md", ROOT / f"{page}.ipynb"]
            source = next((c for c in candidates if c.exists()), None)
            assert source is not None, f"{path.relative_to(ROOT)}: link to {page}.html, a page that does not exist"
            if label:
                assert label in _labels(source), (
                    f"{path.relative_to(ROOT)}: link to {page}.html#{label}, a label that page does not define")
    assert n_links >= 50, "the package's docstrings should link to the derivation pages"


def test_nothing_points_outside_the_repository():
    for path in _sources():
        if path.resolve() == Path(__file__).resolve():
            continue
        text = path.read_text()
        for pattern in OUTSIDE:
            match = pattern.search(text)
            assert match is None, (
                f"{path.relative_to(ROOT)}: {match.group(0)!r} points to material outside the repository; "
                "link to the book's derivation pages instead")


# Any control character but the newline. A LaTeX command written into a page through a Python string
# that is not raw loses its backslash to an escape: the \v of \varepsilon becomes a vertical tab, the
# \t of \tfrac a tab, and the math renders as garbage. No page uses tabs, so they count too.
CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")


@pytest.mark.parametrize("path", _book_pages() + sorted((ROOT / "students").glob("*.ipynb")) + [ROOT / "README.md"],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_text_has_no_control_characters(path):
    text = _markdown(path)
    bad = [(text.count("\n", 0, m.start()) + 1, repr(text[max(0, m.start() - 20):m.end() + 20]))
           for m in CONTROL.finditer(text)]
    assert not bad, f"{path.relative_to(ROOT)}: control characters (line of the markdown, context): {bad[:5]}"


def test_docstring_links_name_the_site_of_the_config():
    config = (ROOT / "_config.yml").read_text()
    assert re.search(r"^\s*baseurl:\s*" + re.escape(SITE_URL) + r"\s*(?:#.*)?$", config, re.M), \
        "_config.yml html.baseurl must be biascourse.SITE_URL"


CHAPTER_TITLE = re.compile(r"^# Chapter (\d+)(?: \((part 2|companion)\))?:", re.M)


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks").glob("*.ipynb")), ids=lambda p: p.stem)
def test_notebook_file_numbers_are_chapter_numbers(path):
    """``06_…`` is chapter 6, ``05b_…`` chapter 5's part 2; exercise labels follow (``ex-5b-1``)."""
    number, letter = re.match(r"(\d\d)([a-z]?)_", path.name).groups()
    title = CHAPTER_TITLE.search(_markdown(path))
    assert title, f"{path.name}: the first heading must read '# Chapter N: …'"
    assert int(title.group(1)) == int(number), f"{path.name} holds chapter {title.group(1)}"
    assert bool(letter) == bool(title.group(2)), f"{path.name}: a lettered file is a chapter's second part"
    for label in EXERCISE_LABEL.findall(_markdown(path)):
        assert re.fullmatch(rf"ex-{int(number)}{letter}-\d+", label), f"{path.name}: exercise label {label!r}"
    student = ROOT / "students" / path.name
    assert student.exists() or "{exercise}" not in _markdown(path), f"no student version of {path.name}"


def test_table_of_contents_lists_the_chapters_in_order():
    toc = (ROOT / "_toc.yml").read_text()
    listed = re.findall(r"file: notebooks/(\w+)", toc)
    assert listed == sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
