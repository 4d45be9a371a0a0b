"""The teacher-mixture model and the exact theory of online SGD on it (chapters 2-4).

Derivations: https://biascourse.github.io/biascourse/book/derivations/tm_model.html, https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html and
https://biascourse.github.io/biascourse/book/derivations/tm_phases.html. Parameters live in :class:`TMParams`; :func:`solve` gives the
N -> infinity theory, :func:`simulate` runs exact online SGD in N dimensions (or the exact
finite-N Markov chain of the order parameters), :func:`sample` draws data sets. The
sub-modules :mod:`~biascourse.tm.phases` and :mod:`~biascourse.tm.explore` hold chapter 4 (phases of
bias, phase diagrams, live explorers) and :mod:`~biascourse.tm.erm` the equilibrium picture of the
chapter-2 companion (learning to convergence from finite data). :func:`explorer_vectors` writes the
package's answers that the website's JavaScript explorer (``book/_static/tm_explorer.js``) is tested against.

The theory itself imports no plotting: :mod:`~biascourse.tm.explore` (matplotlib, ipywidgets) is
loaded on first use of ``tm.explore``, so ``import biascourse.tm`` stays light.
"""
import importlib as _importlib

from . import erm, phases
from ._data import Geometry, TMSample, fixed_coordinates, sample
from ._examples import EXAMPLES, TMExample
from ._explorer_vectors import explorer_vectors
from ._errors import bivariate_normal_cdf, group_error_rate, group_mse
from ._ode import Coefficients, coefficients, crossings, fixed_point, gap_crossings, order_parameters, solve
from ._params import TMParams, teacher_shift_gram
from ._simulate import simulate
from ._trajectory import ORDER_PARAMETERS, TMState, Trajectory

__all__ = [
    "EXAMPLES",
    "ORDER_PARAMETERS",
    "Coefficients",
    "Geometry",
    "TMParams",
    "TMSample",
    "TMExample",
    "TMState",
    "Trajectory",
    "bivariate_normal_cdf",
    "coefficients",
    "crossings",
    "explorer_vectors",
    "fixed_coordinates",
    "fixed_point",
    "gap_crossings",
    "group_error_rate",
    "group_mse",
    "order_parameters",
    "sample",
    "simulate",
    "solve",
    "teacher_shift_gram",
]

#: Sub-modules loaded on first access (PEP 562), so that importing the theory loads no plotting.
_LAZY_SUBMODULES = ("explore",)


def __getattr__(name: str):
    if name in _LAZY_SUBMODULES:
        module = _importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY_SUBMODULES))
