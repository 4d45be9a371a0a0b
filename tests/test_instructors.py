"""The pages for teachers: the instructor guide's schedules and session cards agree with the chapters'
own time estimates and the measured run times, and every package name in the project ideas exists."""
from __future__ import annotations

import csv
import importlib
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
GUIDE = (BOOK / "instructors.md").read_text()
CHAPTER_LINK = re.compile(r"\]\((\.\./notebooks/\w+\.ipynb|motivation\.md|synthesis\.md)\)")


def _header_minutes(link: str) -> int:
    """The chapter's own *Estimated time*, in minutes, read from its notebook or page."""
    path = (BOOK / link).resolve()
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text())["cells"]
        text = next("".join(c["source"]) for c in cells if "Estimated time" in "".join(c["source"]))
    else:
        text = path.read_text()
    found = re.search(r"\*Estimated time: (\d+) min(?:utes)?", text)
    assert found, f"{link}: no '*Estimated time: N min' header"
    return int(found.group(1))


def _measured_seconds() -> dict[str, int]:
    with open(BOOK / "notebook_runs.csv", newline="") as f:
        return {r["notebook"]: round(float(r["time (s)"].split()[0])) for r in csv.DictReader(f)}


def _schedule_tables() -> list[list[tuple[int, str, str]]]:
    tables, rows = [], None
    for line in GUIDE.splitlines():
        if line.startswith("| start | session | minutes |"):
            rows = []
        elif rows is not None and line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if set(cells[0]) <= {"-"}:
                continue
            hours, minutes = cells[0].split(":")
            rows.append((60 * int(hours) + int(minutes), cells[1], cells[2]))
        elif rows is not None:
            tables.append(rows)
            rows = None
    return tables


def _cards() -> dict[str, str]:
    parts = re.split(r"^\((card-[\w-]+)\)=\n", GUIDE, flags=re.M)
    return {label: re.split(r"^## ", body, flags=re.M)[0] for label, body in zip(parts[1::2], parts[2::2])}


def test_schedules_add_up():
    tables = _schedule_tables()
    assert len(tables) == 5  # half day, one day, three days
    for rows in tables:
        assert rows[-1][1] == "end" and rows[0][0] == 0
        for (start, session, minutes), (following, _, _) in zip(rows, rows[1:]):
            assert start + int(minutes) == following, f"{session}: starts at {start} min, lasts {minutes}"


def test_chapter_slots_are_the_chapters_estimated_times():
    seen = set()
    for rows in _schedule_tables():
        for _, session, minutes in rows:
            links = CHAPTER_LINK.findall(session)
            if links:
                assert int(minutes) == max(_header_minutes(link) for link in links), (
                    f"{session}: {minutes} min in the guide, the chapter says otherwise")
                seen.update(links)
    toc = (ROOT / "_toc.yml").read_text()
    for stem in re.findall(r"file: notebooks/(\w+)", toc):
        assert f"../notebooks/{stem}.ipynb" in seen, f"{stem} is in no schedule"


def test_the_equilibrium_chapter_has_its_own_time():
    assert _header_minutes("../notebooks/02b_equilibrium.ipynb") == 40
    assert "(30 min)" not in GUIDE


def test_every_session_card_is_complete():
    cards = _cards()
    for label, body in cards.items():
        for part in ("**Goals.**", "**Run live.**", "**Discussion prompt.**", "**Timing.**"):
            assert part in body, f"{label} lacks {part}"
    for label in re.findall(r"\{ref\}`card <(card-[\w-]+)>`", GUIDE):
        assert label in cards, f"the schedules link to a missing card {label}"


def test_session_cards_state_the_chapter_and_measured_times():
    measured = _measured_seconds()
    chapters = 0
    for label, body in _cards().items():
        link = re.search(r"^\[The (?:chapter|notebook)\]\(([^)]+)\)", body, re.M)
        if link is None:
            continue
        chapters += 1
        slot = re.search(r"Slot: (\d+) min", body)
        assert slot and int(slot.group(1)) == _header_minutes(link.group(1)), label
        assert "GPU:" in body, label
        if link.group(1).endswith(".ipynb"):
            run = re.search(r"Running every cell: (\d+) s on a 2-core CPU", body)
            assert run, f"{label}: no measured run time"
            assert int(run.group(1)) == measured[Path(link.group(1)).name], f"{label}: not book/notebook_runs.csv"
    assert chapters == 12  # motivation, setup, 2, 2b, 3, 4, 5, 5b, 6, 7, 8, synthesis


def test_teachers_pages_are_in_the_table_of_contents():
    toc = (ROOT / "_toc.yml").read_text()
    teachers = toc.split("caption: For teachers")[1].split("caption:")[0]
    for page in ("instructors", "quizzes", "quiz_answers", "projects"):
        assert f"file: book/{page}\n" in teachers, page


def _resolve(name: str):
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ModuleNotFoundError(name)


def test_every_package_name_in_the_project_ideas_exists():
    page = (BOOK / "projects.md").read_text()
    names = set(re.findall(r"`(biascourse(?:\.\w+)+)", page))
    assert len(names) >= 20
    for name in sorted(names):
        _resolve(name)  # raises when a name does not exist


def test_project_ideas_cover_both_parts():
    page = (BOOK / "projects.md").read_text()
    theory, beyond = page.split("## The theory of bias dynamics")[1].split("## Beyond the solvable model")
    for part in (theory, beyond):
        ideas = re.findall(r"^\*\*\d+\. ", part, re.M)
        assert len(ideas) >= 3
        assert part.count("*Begin from:*") == part.count("*A good result:*") == len(ideas)
