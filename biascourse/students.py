"""Generate student versions of the course notebooks.

In an authored notebook, each exercise is a markdown cell with the task followed by one code cell
tagged ``solution`` whose first line is ``# Solution: <task>``. Everything but the solution cells is
kept in the student version; outputs are cleared.

An exercise with a check (:mod:`biascourse.exercises`) ends its solution cell like this::

    # Solution: <task>
    ...the solution, which assigns the answers...
    # Answer: predicted, exact
    # Check:
    from biascourse import exercises
    exercises.check("ex-4-2", predicted=predicted, exact=exact)

The student version keeps the task line, one ``name = ...`` line per name of the ``# Answer:`` line,
and every line after ``# Check:``; run unfilled, the check raises
:class:`biascourse.exercises.NotAnswered` ("not answered yet"). An exercise answered in words has
neither marker: its student cell raises ``NotImplementedError("Student exercise: <task>")``.

Run ``python -m biascourse.students notebooks students`` from the repository root to regenerate
the ``students/`` folder.
"""
from __future__ import annotations

import argparse
import copy
import json
from pathlib import Path

SOLUTION_TAG = "solution"
_PREFIX = "# Solution:"
_ANSWER = "# Answer:"
_CHECK = "# Check:"
#: Tags that hide a solution on the website; a student's exercise cell is shown.
_HIDING_TAGS = ("hide-input", "hide-output", "hide-cell")


def _task(source: str, where: str) -> str:
    first = source.lstrip().splitlines()[0] if source.strip() else ""
    if not first.startswith(_PREFIX):
        raise ValueError(f"{where}: a cell tagged 'solution' must start with '{_PREFIX} <task>'; got {first!r}")
    task = first[len(_PREFIX):].strip()
    if not task:
        raise ValueError(f"{where}: the '{_PREFIX}' line must name the task")
    return task


def _checked_exercise(source: str, task: str, where: str) -> str | None:
    """The student cell of a checked exercise: answers to fill in, then the check; None if unchecked."""
    lines = source.splitlines()
    checks = [i for i, line in enumerate(lines) if line.strip() == _CHECK]
    answers = [line for line in lines if line.strip().startswith(_ANSWER)]
    if not checks and not answers:
        return None
    if len(checks) != 1 or len(answers) != 1:
        raise ValueError(f"{where}: a checked solution needs one '{_ANSWER} name, ...' line and one '{_CHECK}' line; "
                         f"got {len(answers)} and {len(checks)}")
    names = [name.strip() for name in answers[0].strip()[len(_ANSWER):].split(",")]
    if not names or not all(name.isidentifier() for name in names):
        raise ValueError(f"{where}: '{_ANSWER}' must list the answer variables, e.g. '{_ANSWER} t_cross, exact'; "
                         f"got {answers[0].strip()!r}")
    kept = [line for line in lines[checks[0] + 1:] if line.strip()]
    if not kept:
        raise ValueError(f"{where}: nothing follows '{_CHECK}': put the check call there")
    filled = [f"{name} = ...  # your answer" for name in names]
    return "\n".join([f"# Exercise: {task}", "# Your code here; then replace each ... below with your answer and run the cell: "
                      "the check says whether it is right.", *filled, *kept]) + "\n"


def student_notebook(notebook: dict, name: str = "notebook") -> dict:
    """Return the student version of a notebook (nbformat 4 JSON as a dictionary).

    Raises
    ------
    ValueError
        If a cell tagged ``solution`` does not start with ``# Solution: <task>``, or has one of the
        ``# Answer:`` and ``# Check:`` lines without the other.
    """
    student = copy.deepcopy(notebook)
    for index, cell in enumerate(student["cells"]):
        if cell["cell_type"] != "code":
            continue
        cell["outputs"], cell["execution_count"] = [], None
        tags = cell.get("metadata", {}).get("tags", [])
        if SOLUTION_TAG not in tags:
            continue
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        task = _task(source, f"{name}, cell {index}")
        checked = _checked_exercise(source, task, f"{name}, cell {index}")
        cell["source"] = checked or (
            f"# Exercise: {task}\n# Replace this line with your code.\nraise NotImplementedError({('Student exercise: ' + task)!r})\n")
        cell["metadata"]["tags"] = [t for t in tags if t not in (SOLUTION_TAG, *_HIDING_TAGS)] + ["exercise"]
        cell["metadata"].pop("mystnb", None)  # the "show the solution" prompts
    return student


def count_exercises(notebook: dict) -> int:
    """Number of solution cells in an authored notebook."""
    return sum(
        SOLUTION_TAG in c.get("metadata", {}).get("tags", []) for c in notebook["cells"] if c["cell_type"] == "code"
    )


def write_student_notebooks(source_dir: Path | str, target_dir: Path | str) -> list[Path]:
    """Write the student version of every notebook with exercises in ``source_dir`` to ``target_dir``."""
    source_dir, target_dir = Path(source_dir), Path(target_dir)
    if not source_dir.is_dir():
        raise ValueError(f"source_dir must be a folder of notebooks; got {source_dir}")
    target_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted(source_dir.glob("*.ipynb")):
        notebook = json.loads(path.read_text())
        if count_exercises(notebook) == 0:
            continue
        out = target_dir / path.name
        out.write_text(json.dumps(student_notebook(notebook, path.name), indent=1, ensure_ascii=False) + "\n")
        written.append(out)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source_dir", nargs="?", default="notebooks")
    parser.add_argument("target_dir", nargs="?", default="students")
    args = parser.parse_args(argv)
    for path in write_student_notebooks(args.source_dir, args.target_dir):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
