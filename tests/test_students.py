"""Student notebooks: generated from the authored ones, in sync, and failing only at the exercises."""
from __future__ import annotations

import builtins
import json
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from biascourse.exercises import NotAnswered
from biascourse.students import count_exercises, student_notebook, write_student_notebooks

ROOT = Path(__file__).resolve().parents[1]
AUTHORED = sorted(p for p in (ROOT / "notebooks").glob("*.ipynb") if count_exercises(json.loads(p.read_text())))


def _nb(*cells):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = list(cells)
    return json.loads(nbformat.writes(notebook))


def test_solution_cell_becomes_a_student_exercise():
    solution = nbformat.v4.new_code_cell("# Solution: compute the answer\nanswer = 42\n")
    solution.metadata["tags"] = ["solution", "hide-cell"]
    solution.metadata["mystnb"] = {"code_prompt_show": "Show the solution"}
    plain = nbformat.v4.new_code_cell("x = 1")
    plain.outputs = [nbformat.v4.new_output("stream", text="old output")]
    student = student_notebook(_nb(nbformat.v4.new_markdown_cell("task"), solution, plain))
    cell = student["cells"][1]
    assert "answer = 42" not in cell["source"]
    assert "raise NotImplementedError('Student exercise: compute the answer')" in cell["source"]  # answered in words
    assert cell["metadata"]["tags"] == ["exercise"]
    assert "mystnb" not in cell["metadata"]  # the exercise is shown, not hidden behind a prompt
    assert student["cells"][2]["outputs"] == []


def _checked_solution(source: str):
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["tags"] = ["solution", "hide-cell"]
    return cell


def test_checked_solution_keeps_the_answers_to_fill_and_the_check():
    solution = _checked_solution(
        "# Solution: the equal-start overlap\nT_star = -0.625\n# Answer: T_star\n# Check:\n"
        "from biascourse import exercises\nexercises.check(\"ex-4-3\", T_star=T_star)")
    cell = student_notebook(_nb(solution))["cells"][0]
    assert cell["source"].startswith("# Exercise: the equal-start overlap\n")
    assert "T_star = ...  # your answer\n" in cell["source"] and "-0.625" not in cell["source"]
    assert cell["source"].endswith('exercises.check("ex-4-3", T_star=T_star)\n')
    assert cell["metadata"]["tags"] == ["exercise"]
    with pytest.raises(NotAnswered, match="not answered yet"):
        exec(cell["source"], {})


@pytest.mark.parametrize("source, message", [
    ("# Solution: x\nx = 1\n# Check:\nprint(x)", "one '# Answer: name, ...' line and one '# Check:' line"),
    ("# Solution: x\nx = 1\n# Answer: x\nprint(x)", "one '# Answer: name, ...' line and one '# Check:' line"),
    ("# Solution: x\nx = 1\n# Answer: x y\n# Check:\nprint(x)", "must list the answer variables"),
    ("# Solution: x\nx = 1\n# Answer: x\n# Check:\n", "nothing follows '# Check:'"),
])
def test_malformed_checked_solution_is_an_error(source, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        student_notebook(_nb(_checked_solution(source)), "demo.ipynb")


class _Earlier:
    """What a student cell reads from earlier cells (data, measurements): present, indexable, never used."""

    def __getitem__(self, key):
        return self


class _Context(dict):
    """The namespace of a student cell run alone: every name an earlier cell defines is present."""

    def __missing__(self, name):
        if name in vars(builtins) or name.startswith("__"):
            raise KeyError(name)
        return _Earlier()


@pytest.mark.parametrize("path", AUTHORED, ids=lambda p: p.stem)
def test_every_checked_student_cell_stops_at_not_answered_yet(path):
    """Each checked exercise's student cell, run as it is generated, says only "not answered yet"."""
    cells = student_notebook(json.loads(path.read_text()))["cells"]
    checked = [c["source"] for c in cells if "exercise" in c["metadata"].get("tags", []) and "exercises.check(" in c["source"]]
    for source in checked:
        with pytest.raises(NotAnswered, match="not answered yet"):
            exec(source, {"__builtins__": builtins}, _Context())


def test_solution_cell_without_task_line_is_an_error():
    solution = nbformat.v4.new_code_cell("answer = 42\n")
    solution.metadata["tags"] = ["solution"]
    with pytest.raises(ValueError, match="must start with '# Solution: <task>'"):
        student_notebook(_nb(solution), "demo.ipynb")


def test_committed_student_notebooks_are_up_to_date(tmp_path):
    fresh = {p.name: p.read_text() for p in write_student_notebooks(ROOT / "notebooks", tmp_path)}
    committed = {p.name: p.read_text() for p in (ROOT / "students").glob("*.ipynb")}
    assert fresh == committed, "students/ is stale: run `python -m biascourse.students notebooks students`"


def test_authored_solutions_are_hidden_whole_on_the_website():
    """A solution's code and its printed answer sit behind one "show the solution" prompt."""
    for path in AUTHORED:
        for index, cell in enumerate(json.loads(path.read_text())["cells"]):
            if "solution" in cell.get("metadata", {}).get("tags", []):
                assert "hide-cell" in cell["metadata"]["tags"], f"{path.name}, cell {index}: tag it hide-cell"
                assert "hide-input" not in cell["metadata"]["tags"], f"{path.name}, cell {index}: hide-input shows the answer"
                assert cell["metadata"]["mystnb"]["code_prompt_show"].startswith("Show the solution")


def test_every_chapter_with_exercises_has_a_student_version():
    assert {p.name for p in AUTHORED} == {p.name for p in (ROOT / "students").glob("*.ipynb")}


@pytest.mark.slow
@pytest.mark.parametrize("path", AUTHORED, ids=lambda p: p.stem)
def test_student_notebook_fails_only_at_the_exercises(path, tmp_path):
    notebook = nbformat.reads(json.dumps(student_notebook(json.loads(path.read_text()))), as_version=4)
    NotebookClient(notebook, timeout=600, allow_errors=True, resources={"metadata": {"path": str(path.parent)}}).execute()
    errors = [out for cell in notebook.cells if cell.cell_type == "code" for out in cell.outputs if out.output_type == "error"]
    assert errors, f"{path.name}: the student version ran without reaching any exercise"
    for error in errors:  # a checked exercise stops at its check, one answered in words at its raise
        expected = (error.ename == "NotAnswered" and "not answered yet" in error.evalue) or (
            error.ename == "NotImplementedError" and "Student exercise" in error.evalue)
        assert expected, f"{path.name}: a cell failed with {error.ename}: {error.evalue} (exercises must be self-contained)"
