"""Generate student versions of the course notebooks.

In an authored notebook, each exercise is a markdown cell with the task followed by one code cell
tagged ``solution`` whose first line is ``# Solution: <task>``. The student version replaces the
body of every such cell with a cell that raises
``NotImplementedError("Student exercise: <task>")``; everything else is kept, outputs are cleared.

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


def student_notebook(notebook: dict, name: str = "notebook") -> dict:
    """Return the student version of a notebook (nbformat 4 JSON as a dictionary).

    Raises
    ------
    ValueError
        If a cell tagged ``solution`` does not start with ``# Solution: <task>``.
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
        cell["source"] = f"# Exercise: {task}\n# Replace this line with your code.\nraise NotImplementedError({('Student exercise: ' + task)!r})\n"
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
