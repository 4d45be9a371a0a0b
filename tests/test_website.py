"""The built website, checked like a reader: every page opened in headless Chromium.

Runs after ``jupyter-book build .`` (CI builds the book first). Locally it is skipped when the site
or Chromium is missing; in CI (``CI`` set) their absence is a failure. Screenshots of every page are
written to ``_build/screenshots/`` for a human to look at.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def _toc_pages() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = [toc["root"]]

    def walk(entries):
        for entry in entries:
            pages.append(entry["file"])
            walk(entry.get("sections", []))

    for part in toc.get("parts", []):
        walk(part["chapters"])
    return pages


PAGES = _toc_pages()


def _require(condition: bool, reason: str) -> None:
    if not condition:
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.images, self.links, self.classes, self.text, self.ids, self.tags = [], [], [], [], set(), []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "img":
            self.images.append(attrs.get("src", ""))
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        self.classes.append(attrs.get("class") or "")
        if tag in ("script", "style", "pre", "code", "mjx-container"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "pre", "code", "mjx-container") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def _ids(path: Path) -> set[str]:
    parsed = _Collector()
    parsed.feed(path.read_text())
    return parsed.ids


_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Solutions(HTMLParser):
    """Counts solution cells, and the outputs of solution cells that a reader sees without opening them."""

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, str, bool]] = []  # (tag, classes, is an open <details>)
        self.solutions = self.outputs = self.visible_outputs = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = attrs.get("class") or ""
        if tag in _VOID:
            return
        if tag == "div" and "tag_solution" in classes.split():
            self.solutions += 1
        if tag == "div" and "cell_output" in classes.split():
            solution = [i for i, (t, c, _) in enumerate(self.stack) if "tag_solution" in c.split()]
            if solution:
                self.outputs += 1
                hidden = any(t == "details" and not is_open for t, _, is_open in self.stack[solution[-1]:])
                self.visible_outputs += not hidden
        self.stack.append((tag, classes, tag == "details" and "open" in attrs))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break


def _page_requests(net_log: Path) -> set[str]:
    """URLs other than files that the page itself asked for (Chromium's own services excluded:
    only requests whose first party is the local site count)."""
    if not net_log.exists():
        return set()
    requested = set()
    for event in json.loads(net_log.read_text()).get("events", []):
        params = event.get("params", {})
        url = params.get("url", "")
        if url and not url.startswith(("file:", "data:", "blob:")) and "site=file://" in params.get("site_for_cookies", ""):
            requested.add(url)
    return requested


_BOUNDS = re.compile(r'<span class="bc-bounds" data-quantity="([^"]*)" data-low="([^"]*)" data-high="([^"]*)" '
                     r'data-min="([^"]*)" data-max="([^"]*)">')


def _bounded_figures(html: str) -> list[tuple]:
    """The records that :func:`biascourse.plotting.show` leaves after each figure of a bounded quantity:
    (quantity, low, high, lowest value drawn, highest value drawn)."""
    def number(text):
        return float(text) if text else None
    return [(q, number(lo), number(hi), float(mn), float(mx)) for q, lo, hi, mn, mx in _BOUNDS.findall(html)]


def test_bounded_figure_records_are_read():
    html = ('<div class="bc-bounds-record" hidden><span class="bc-bounds" data-quantity="ECE" data-low="0.0" '
            'data-high="1.0" data-min="0.01" data-max="0.2"></span></div>')
    assert _bounded_figures(html) == [("ECE", 0.0, 1.0, 0.01, 0.2)]


@pytest.mark.parametrize("page, least", [("notebooks/05_deep_networks", 1), ("notebooks/06_bias_amplification", 5),
                                         ("notebooks/08_simplicity_biases", 1)])
def test_chapters_check_their_bounded_figures(page, least):
    _require((SITE / f"{page}.html").exists(), f"site not built: run `jupyter-book build .` first ({page})")
    records = _bounded_figures((SITE / f"{page}.html").read_text())
    assert len(records) >= least, f"{page}: {len(records)} figures of bounded quantities checked, expected >= {least}"


def _render(page: str) -> tuple[str, set[str]]:
    with tempfile.TemporaryDirectory() as profile:
        shots = SITE.parent / "screenshots"
        shots.mkdir(exist_ok=True)
        url = (SITE / f"{page}.html").as_uri()
        common = [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--virtual-time-budget=15000"]
        net_log = Path(profile) / "net-log.json"
        dom = subprocess.run([*common, f"--log-net-log={net_log}", "--dump-dom", url],
                             capture_output=True, text=True, timeout=120).stdout
        requests = _page_requests(net_log)
        # What a reader sees: a laptop (1400 px) and a phone (400 px) screen, kept for a look.
        for width, suffix in ((1400, ""), (400, "-phone")):
            subprocess.run(
                [*common, f"--window-size={width},2000", f"--screenshot={shots / page.replace('/', '_')}{suffix}.png", url],
                capture_output=True, timeout=120,
            )
    return dom, requests


@pytest.mark.parametrize("page", PAGES)
def test_page_reads_correctly(page):
    _require((SITE / f"{page}.html").exists(), f"site not built: run `jupyter-book build .` first ({page})")
    _require(CHROMIUM is not None, "Chromium not installed (Debian package 'chromium')")
    static = (SITE / f"{page}.html").read_text()
    dom, requests = _render(page)
    assert "</html>" in dom, f"{page}: Chromium returned no page"
    # Offline: no request leaves the site (no CDN, no web font, no analytics).
    assert not requests, f"{page}: the page reaches for the internet: {sorted(requests)}"
    # No trace of the machine that built the site (temporary files, checkout or environment paths).
    for trace in (str(ROOT), "/tmp/ipykernel", "site-packages/", "/home/", "/root/"):
        assert trace not in static, f"{page}: shows the build machine's path {trace!r}"
    parsed = _Collector()
    parsed.feed(dom)
    text = " ".join(parsed.text)

    # Maths: MathJax (served offline from _static) typeset every formula; no raw TeX is left.
    n_math = static.count('class="math notranslate nohighlight"')
    assert dom.count("<mjx-container") >= n_math, f"{page}: {n_math} formulas but MathJax rendered fewer"
    for raw in (r"\(", r"\[", "$$"):
        assert raw not in text, f"{page}: raw TeX {raw!r} visible in the text"
    if n_math:
        assert "_static/mathjax/tex-chtml.js" in static, f"{page}: MathJax is not served from the site"

    # Executed notebooks: no error output, every image present.
    assert "output traceback" not in static, f"{page}: a cell raised an error"
    for src in parsed.images:
        if src.startswith(("data:", "http")):
            continue
        assert (SITE / page).parent.joinpath(src).resolve().exists(), f"{page}: missing image {src}"

    # Solutions: the code and its printed answer stay behind one closed toggle until the reader opens it.
    if page.startswith("notebooks/") and 'tag_solution' in static:
        for html in (static, dom):
            solutions = _Solutions()
            solutions.feed(html)
            assert solutions.outputs >= 1, f"{page}: solution cells without their printed answers"
            assert solutions.visible_outputs == 0, f"{page}: {solutions.visible_outputs} solution answers are visible"

    # Figures of bounded quantities (errors, accuracies, calibration errors, BiasAmp, amplitudes):
    # every value drawn, intervals and bands included, stays inside the quantity's range.
    for quantity, low, high, drawn_min, drawn_max in _bounded_figures(static):
        assert low is None or drawn_min >= low - 1e-9, f"{page}: a figure draws {quantity} down to {drawn_min} < {low}"
        assert high is None or drawn_max <= high + 1e-9, f"{page}: a figure draws {quantity} up to {drawn_max} > {high}"

    # The footer says how the course may be used and cited.
    assert "CC BY 4.0" in static and "CITATION.cff" in static, f"{page}: licence footer missing"

    # Citations resolve to the bibliography, never to '??' or an unknown key.
    assert "??" not in text, f"{page}: unresolved reference"

    # A title, and internal links that lead to an existing page and anchor.
    assert "h1" in parsed.tags and re.search(r"<title>\s*\S", static), f"{page}: page has no title"
    for href in sorted(set(parsed.links)):
        if href.startswith(("http:", "https:", "mailto:", "javascript:", "data:")):
            continue
        target, _, anchor = href.partition("#")
        path = (SITE / page).parent.joinpath(target).resolve() if target else SITE / f"{page}.html"
        assert path.exists(), f"{page}: broken link {href}"
        if anchor and path.suffix == ".html":
            assert anchor in _ids(path), f"{page}: link {href} points to a missing anchor"


@pytest.mark.parametrize("page", [p for p in PAGES if p.startswith("notebooks/")])
def test_notebook_pages_have_launch_and_download_buttons(page):
    _require((SITE / f"{page}.html").exists(), f"site not built ({page})")
    static = (SITE / f"{page}.html").read_text()
    colab = re.search(r'https://colab\.research\.google\.com/github/[^"]+', static)
    assert colab and colab.group(0).endswith(f"/blob/main/{page}.ipynb"), f"{page}: Colab button missing or wrong"
    assert "mybinder.org/v2/gh/" in static and "main" in static, f"{page}: Binder button missing"
    assert f"{Path(page).name}.ipynb" in static, f"{page}: no .ipynb download"


@pytest.mark.parametrize("page", [p for p in PAGES if p.startswith("notebooks/")])
def test_exercises_are_numbered_after_their_chapter(page):
    """Chapter 3's exercises read "Exercise 3.1", "3.2", ...; chapter 5 part 2's "Exercise 5b.1"."""
    _require((SITE / f"{page}.html").exists(), f"site not built ({page})")
    static = (SITE / f"{page}.html").read_text()
    number, letter = re.match(r"notebooks/(\d\d)([a-z]?)_", page).groups()
    shown = re.findall(r'<span class="caption-number">Exercise ([0-9a-z]+)\.(\d+)', static)
    n_exercises = static.count('<div class="exercise admonition"')
    assert len(shown) == n_exercises, f"{page}: {n_exercises} exercises but {len(shown)} numbered after the chapter"
    assert [c for c, _ in shown] == [f"{int(number)}{letter}"] * len(shown), f"{page}: exercise numbers {shown}"
    assert [int(k) for _, k in shown] == list(range(1, len(shown) + 1))


def test_package_links_to_the_site_resolve_in_the_built_site():
    """Every docstring or message link ``SITE_URL + page.html#label`` opens an existing page and anchor."""
    from biascourse import SITE_URL

    _require((SITE / "book" / "derivations" / "index.html").exists(), "site not built")
    links = set()
    for path in sorted((ROOT / "biascourse").rglob("*.py")):
        links |= set(re.findall(re.escape(SITE_URL) + r"([\w/.-]+?\.html)(?:#([\w-]+))?", path.read_text()))
    assert len(links) >= 30
    for page, anchor in sorted(links):
        assert (SITE / page).exists(), f"the package links to {page}, which the site does not have"
        if anchor:
            assert anchor in _ids(SITE / page), f"the package links to {page}#{anchor}, a missing anchor"


def test_bibliography_lists_the_papers():
    _require((SITE / "book" / "bibliography.html").exists(), "site not built")
    static = (SITE / "book" / "bibliography.html").read_text()
    assert static.count('role="doc-biblioentry"') + static.count("citation") >= 10
    assert "bias in motion" in static.lower()


def test_landing_page_says_what_who_how_and_the_chapters_before_any_detail():
    """The page a reader lands on shows, in its first screen (laptop 1400 x 900, phone 400 px wide), what the
    course is, who it is for, how to run it (website, Colab, Binder, locally) and the chapter map: all of
    them before the first section heading, in a few lines (detail comes below)."""
    from biascourse import repository

    page = SITE / "book" / "intro.html"
    _require(page.exists(), "site not built: run `jupyter-book build .` first (book/intro)")
    static = page.read_text()
    article = static[static.index('<article'):]
    top = article[:article.index("<h2")]
    parsed = _Collector()
    parsed.feed(top)
    classes = " ".join(parsed.classes).split()
    assert {"bc-lede", "bc-facts", "bc-map"} <= set(classes), "landing page: lede, facts or chapter map missing"
    text = " ".join(" ".join(parsed.text).split())
    assert "For students and researchers" in text and "teachers" in text, "landing page: who it is for"
    assert "Run it here" in text, "landing page: how to run it"
    links = set(parsed.links)
    assert f"{repository.colab_url()}/blob/main/notebooks/00_setup.ipynb" in links
    assert any(link.startswith(f"{repository.binder_url()}/main") for link in links)
    assert f"{repository.repository_url()}#quick-start-two-commands" in links
    chapters = [p for p in PAGES if p.startswith("notebooks/") or p in ("book/motivation", "book/synthesis")]
    targets = {(SITE / "book").joinpath(link.partition("#")[0]).resolve() for link in links}
    missing = [p for p in chapters if (SITE / f"{p}.html").resolve() not in targets]
    assert not missing, f"landing page: the chapter map misses {missing}"
    # one screen: about 200 words fit above the fold of a laptop, and of a phone with the map in one column
    assert len(text.split()) <= 200, f"landing page: {len(text.split())} words before the first section"
