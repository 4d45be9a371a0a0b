"""Self-checking exercises: call a check on your answer and read whether it is right.

Every exercise of the course whose answer is a number, an array, a function or a figure's key
quantity has a check here; exercises answered in words keep their solution toggle. In a notebook::

    from biascourse import exercises
    predicted = ...          # your answer
    exercises.check("ex-4-2", predicted=predicted, exact=exact)

The check prints, for each answer, whether it agrees with a reference and within which tolerance,
and when it does not, a hint that points to the idea (a sign, a factor of two, a timescale, a wrong
axis) without giving the solution. An answer still left as ``...`` raises :class:`NotAnswered`; an
answer of the wrong kind or shape raises an error that says what was expected. The references are
computed with the package when the check runs (offline, in seconds), with the exercise's parameters.
:func:`evaluate` returns the verdict instead of printing it, and :func:`labels` lists the checked
exercises.

How the student notebooks use the checks (``biascourse.students``): in an authored solution cell,
a line ``# Answer: name1, name2`` lists the answer variables, and the lines after a ``# Check:``
line (the import and the ``exercises.check(...)`` call) are kept in the student version, after
``name1 = ...`` lines for the student to fill in.
"""
from ._core import CheckResult, NotAnswered, Part, check, evaluate, labels

__all__ = ["CheckResult", "NotAnswered", "Part", "check", "evaluate", "labels"]
