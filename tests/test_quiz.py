"""The chapter quizzes (biascourse/quiz.py): every chapter has 3-5 questions, every answer is computed
by the package, and the two pages of the website are exactly what the module writes, so a stated
answer cannot drift from the computed one."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from biascourse import quiz

ROOT = Path(__file__).resolve().parents[1]


def test_every_chapter_has_three_to_five_questions():
    for chapter in quiz.CHAPTERS:
        assert 3 <= len(quiz.questions(chapter)) <= 5, chapter
        assert (ROOT / "notebooks" / f"{chapter}.ipynb").is_file(), chapter
    assert {q.chapter for q in quiz.QUESTIONS} == set(quiz.CHAPTERS)


def test_chapter_titles_are_the_notebooks_titles():
    for chapter, title in quiz.CHAPTERS.items():
        first = json.loads((ROOT / "notebooks" / f"{chapter}.ipynb").read_text())["cells"][0]
        assert "".join(first["source"]).startswith(f"# {title}\n"), chapter


def test_every_answer_is_computed_and_well_formed():
    for q in quiz.QUESTIONS:
        value = q.value()
        if q.choices:
            assert 2 <= len(q.choices) <= len(quiz.LETTERS)
        else:
            assert callable(q.answer), f"numerical answer typed in: {q.text[:60]}"
            assert value == value, q.text[:60]  # not NaN
        assert q.explanation.strip() and "\n" not in q.explanation


def test_the_pages_are_what_the_module_writes():
    """Regenerate with `python -m biascourse.quiz book` after editing biascourse/quiz.py."""
    assert (ROOT / "book" / "quizzes.md").read_text() == quiz.questions_page()
    assert (ROOT / "book" / "quiz_answers.md").read_text() == quiz.answers_page()


def test_every_stated_number_equals_the_computed_one():
    page = (ROOT / "book" / "quiz_answers.md").read_text()
    for chapter in quiz.CHAPTERS:
        for i, q in enumerate(quiz.questions(chapter), 1):
            label = f"{quiz._label(chapter, i)}"
            found = re.search(rf"^\*\*{re.escape(label)}\*\* \*Answer:\* (\S+)", page, re.M)
            assert found, label
            if q.numerical:
                assert float(found.group(1).rstrip(".")) == pytest.approx(q.value(), rel=10 ** (1 - q.digits)), label
            else:
                assert found.group(1) == f"({quiz.LETTERS[q.value()]})", label


def test_the_questions_page_holds_no_answer():
    page = (ROOT / "book" / "quizzes.md").read_text()
    for q in quiz.QUESTIONS:
        assert q.explanation not in page


def test_students_never_see_the_answers():
    for nb in (ROOT / "students").glob("*.ipynb"):
        assert "quiz_answers" not in nb.read_text(), nb.name


def test_bad_chapter_is_named(tmp_path):
    with pytest.raises(ValueError, match="chapter must be one of"):
        quiz.questions("09_nothing")
    with pytest.raises(ValueError, match="folder must be an existing folder"):
        quiz.write_pages(tmp_path / "absent")
    with pytest.raises(ValueError, match="answer must index"):
        quiz.Question("02_gaussian_mixtures", "q", "e", ("a", "b"), 2).value()


def test_pages_are_written_to_a_folder(tmp_path):
    questions, answers = quiz.write_pages(tmp_path)
    assert questions.read_text() == quiz.questions_page() and answers.read_text() == quiz.answers_page()
