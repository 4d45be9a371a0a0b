"""Student notebooks: generated from the authored ones, in sync, and failing only at the exercises."""
from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

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
    assert "raise NotImplementedError('Student exercise: compute the answer')" in cell["source"]
    assert cell["metadata"]["tags"] == ["exercise"]
    assert "mystnb" not in cell["metadata"]  # the exercise is shown, not hidden behind a prompt
    assert student["cells"][2]["outputs"] == []


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
    for error in errors:
        assert error.ename == "NotImplementedError" and "Student exercise" in error.evalue, (
            f"{path.name}: a cell failed with {error.ename}: {error.evalue} (exercises must be self-contained)"
        )
