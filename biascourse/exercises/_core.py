"""The machinery shared by every exercise check: answers in, a verdict with a tolerance and a hint out."""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .._checks import ArgumentTypeError

__all__ = ["NotAnswered", "CheckResult", "Part", "register", "evaluate", "check", "labels"]

#: label -> (the check, the names of its answers); filled by the chapter modules when they are imported.
_REGISTRY: dict[str, tuple[Callable, tuple[str, ...]]] = {}
#: The chapter modules that hold the checks, by the chapter part of a label ("ex-4-2" -> "4").
_CHAPTERS = {"2": "_ch02", "2b": "_ch02b", "3": "_ch03", "4": "_ch04", "5": "_ch05", "5b": "_ch05b",
             "6": "_ch06", "7": "_ch07", "8": "_ch08"}


class NotAnswered(Exception):
    """The answer of an exercise is still ``...``: the student has not filled it in yet."""


@dataclass(frozen=True)
class Part:
    """The verdict on one answer of an exercise.

    Attributes
    ----------
    name : str
        The answer's name (the keyword of the check).
    passed : bool
        Whether it agrees with the reference.
    tolerance : str
        What "agrees" means, in words (``"within 1% of the reference"``).
    hint : str
        When it does not agree: where to look, without the solution.
    """

    name: str
    passed: bool
    tolerance: str
    hint: str = ""


@dataclass(frozen=True)
class CheckResult:
    """The verdict on a whole exercise: ``passed`` when every part agrees; ``message`` is what is printed."""

    label: str
    parts: tuple[Part, ...]

    @property
    def passed(self) -> bool:
        return all(part.passed for part in self.parts)

    @property
    def hints(self) -> list[str]:
        return [part.hint for part in self.parts if not part.passed]

    @property
    def message(self) -> str:
        lines = [f"{self.label}: {'right' if self.passed else 'not yet right'}."]
        for part in self.parts:
            mark = "ok " if part.passed else "NO "
            lines.append(f"  {mark} {part.name} ({part.tolerance})")
            if not part.passed:
                lines.append(f"      Hint: {part.hint}")
        return "\n".join(lines)


def register(label: str, answers: tuple[str, ...]):
    """Decorator: record ``function`` as the check of ``label``, called with the answers named ``answers``."""
    def decorate(function):
        _REGISTRY[label] = (function, tuple(answers))
        return function
    return decorate


def _chapter(label: str) -> str:
    if not isinstance(label, str) or not label.startswith("ex-") or label.count("-") != 2:
        raise ValueError(f"label must look like 'ex-4-2' (chapter, exercise); got {label!r}")
    chapter = label.split("-")[1]
    if chapter not in _CHAPTERS:
        raise ValueError(f"label {label!r}: no chapter {chapter!r}; the chapters with checks are {sorted(_CHAPTERS)}")
    return chapter


def _load(label: str) -> tuple[Callable, tuple[str, ...]]:
    importlib.import_module(f"{__package__}.{_CHAPTERS[_chapter(label)]}")
    if label not in _REGISTRY:
        raise ValueError(f"{label} has no check: its answer is an explanation, compare it with the solution")
    return _REGISTRY[label]


def labels() -> list[str]:
    """The labels of every exercise that has a check."""
    for module in _CHAPTERS.values():
        importlib.import_module(f"{__package__}.{module}")
    return sorted(_REGISTRY)


def _unanswered(value) -> bool:
    if value is Ellipsis:
        return True
    if isinstance(value, (tuple, list)):
        return any(_unanswered(v) for v in value)
    return False


def evaluate(label: str, **answers) -> CheckResult:
    """Check the answers of exercise ``label`` and return the verdict (nothing is printed).

    Raises
    ------
    NotAnswered
        If an answer is still ``...``.
    TypeError
        If the answers given are not the ones the exercise asks for.
    ValueError
        If an answer has the wrong kind or shape (the message says what was expected).
    """
    function, names = _load(label)
    if set(answers) != set(names):
        missing, extra = sorted(set(names) - set(answers)), sorted(set(answers) - set(names))
        raise TypeError(f"{label} checks the answers {', '.join(names)}; "
                        f"missing: {', '.join(missing) or 'none'}, not expected: {', '.join(extra) or 'none'}")
    blank = [name for name in names if _unanswered(answers[name])]
    if blank:
        raise NotAnswered(f"{label}: not answered yet. Replace the `...` of {', '.join(blank)} with your answer "
                          f"and run the cell again.")
    return CheckResult(label, tuple(function(**answers)))


def check(label: str, **answers) -> None:
    """Check the answers of exercise ``label`` and print whether they are right, with a hint when not.

    Call it at the end of an exercise cell, e.g. ``exercises.check("ex-4-2", predicted=predicted)``.
    A wrong answer is not an error: the message says which part is off and where to look.

    Raises
    ------
    NotAnswered
        If an answer is still ``...`` (the cell has not been filled in).
    """
    print(evaluate(label, **answers).message)


# --- converting answers ---------------------------------------------------------------------------------

def number(label: str, name: str, value) -> float:
    """``value`` as a finite float, or an error naming what the exercise expected."""
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.reshape(()).item()
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ArgumentTypeError(f"{label}: {name} must be a number; got {type(value).__name__} {value!r}")
    if not np.isfinite(value):
        raise ValueError(f"{label}: {name} must be a finite number; got {value}")
    return float(value)


def numbers(label: str, name: str, value, length: int, what: str) -> np.ndarray:
    """``value`` as a 1-d float array of ``length`` entries (``what`` says what they are)."""
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ArgumentTypeError(f"{label}: {name} must be {length} numbers ({what}); got {value!r}") from None
    if array.shape != (length,):
        raise ValueError(f"{label}: {name} must be {length} numbers ({what}); got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{label}: {name} must hold finite numbers; got {array}")
    return array


def group(label: str, name: str, value) -> str:
    """``value`` as a group sign, ``"+"`` or ``"-"``."""
    if value not in ("+", "-"):
        raise ValueError(f"{label}: {name} must be the group '+' or '-'; got {value!r}")
    return value


# --- comparing answers ----------------------------------------------------------------------------------

def _close(value, reference, rtol: float, atol: float) -> bool:
    value, reference = np.asarray(value, dtype=float), np.asarray(reference, dtype=float)
    return value.shape == reference.shape and bool(np.all(np.abs(value - reference) <= atol + rtol * np.abs(reference)))


def tolerance_text(rtol: float, atol: float) -> str:
    if rtol and atol:
        return f"within {rtol:.0%} of the reference, or {atol:g}"
    return f"within {rtol:.1%} of the reference" if rtol else f"within {atol:g} of the reference"


def compare(name: str, value, reference, *, rtol: float = 0.0, atol: float = 0.0,
            mistakes: tuple[tuple[object, str], ...] = (), hint: str) -> Part:
    """Compare an answer with its reference.

    ``mistakes`` are typical wrong answers, each with the hint it deserves: the first one the answer
    matches (loosely: within 5% or the answer's tolerance) gives the hint. A sign flip, a factor of two and an inverted
    order are recognised for every answer; ``hint`` is given when nothing more specific matches.
    """
    tolerance = tolerance_text(rtol, atol)
    if _close(value, reference, rtol, atol):
        return Part(name, True, tolerance)
    reference = np.asarray(reference, dtype=float)
    generic = [(-reference, "the sign is flipped: check which group (or which direction) comes first."),
               (2 * reference, "a factor of two too large: look for a missing 1/2 or an extra 2."),
               (reference / 2, "a factor of two too small: look for an extra 1/2 or a missing 2."),
               (reference[::-1] if reference.ndim == 1 else reference,
                "the right numbers in the wrong order: list them in the order the exercise asks for.")]
    for candidate, text in (*mistakes, *generic):
        if not _close(candidate, reference, 0, 0) and _close(value, candidate, max(rtol, 0.05), atol):
            return Part(name, False, tolerance, text)
    return Part(name, False, tolerance, hint)


def same(name: str, value, reference, *, hint: str) -> Part:
    """An answer that is a choice (a group, a count): right when equal to the reference."""
    return Part(name, value == reference, "exactly", hint)
