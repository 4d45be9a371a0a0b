"""Test vectors for the website's JavaScript explorer (``book/_static/tm_explorer.js``).

The explorer recomputes the closed form of :func:`~biascourse.tm.solve` in the reader's browser;
:func:`explorer_vectors` writes what the package computes for random valid parameter sets, and the
error messages for invalid ones, so that ``tests/js/test_tm_explorer.mjs`` (run by Node) can check the
JavaScript against the package. Derivations: https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-closed-form and
https://biascourse.github.io/biascourse/book/derivations/tm_phases.html#deriv-phases-three.
"""
from __future__ import annotations

import json
import math
import os
import warnings
from dataclasses import fields
from pathlib import Path
from typing import Optional, Union

import numpy as np

from .._checks import integer as check_integer, instance
from .._files import write_text
from ._examples import EXAMPLES
from ._ode import crossings, fixed_point, solve
from ._params import TMParams
from .phases import asymptotic_errors, phase_intervals

#: Fields of a parameter set the explorer takes (the trained bias ``eta_b`` is not part of its closed form).
EXPLORER_FIELDS = tuple(f.name for f in fields(TMParams) if f.name != "eta_b")
#: The curves compared point by point: order parameters, per-group and total errors.
CURVES = ("R_plus", "R_minus", "M", "Q", "eps_plus", "eps_minus", "eps", "err_plus", "err_minus", "err")
#: Horizon of the explorer: ``HORIZON`` times the slowest of ``tau_M, tau_R, tau_Q`` (as ``tm.explore.PhaseExplorer``).
HORIZON = 6.0


def explorer_vectors(
    path: Union[str, os.PathLike],
    n_sets: int = 24,
    seed: int = 0,
    n_times: int = 400,
    n_grid: int = 1000,
) -> dict:
    """Write the package's answers for the JavaScript explorer's test to a JSON file (https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-closed-form).

    The file holds ``cases``: the example sets of :data:`~biascourse.tm.EXAMPLES` (without a trained
    bias) and ``n_sets`` random valid parameter sets drawn from ``seed`` (centred ones, one shared
    teacher, shifts with teacher-shift overlaps, learning rates up to 0.95 of ``eta_max``, half of
    them from a random initial state). For each: the parameters, the initial state, the times
    (``n_times``, linear from 0 or geometric from ``t_max / 1000`` alternately, ``t_max`` =
    :data:`HORIZON` times the slowest timescale), the curves of :func:`~biascourse.tm.solve` (NaN
    written as null), the timescales, ``eta_max``, :func:`~biascourse.tm.crossings` on ``n_grid``
    points, :func:`~biascourse.tm.phases.phase_intervals`, the fixed point and the asymptotic
    errors. And ``invalid``: parameter sets that :class:`~biascourse.tm.TMParams` or
    :func:`~biascourse.tm.fixed_point` rejects, with their messages. Written to a temporary file,
    then renamed.

    Parameters
    ----------
    path : the JSON file to write (its folder must exist).
    n_sets : number of random parameter sets, >= 1.
    seed : seed of the random sets, >= 0.
    n_times : time points per curve, >= 2.
    n_grid : grid of the crossing search, >= 2 (the explorer's default is 1000).

    Returns
    -------
    dict
        What was written.

    Raises
    ------
    ArgumentTypeError
        If ``path`` is not a path, or a count or the seed is not an integer.
    ValueError
        If a count is out of its range or the folder of ``path`` does not exist.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     data = explorer_vectors(pathlib.Path(folder) / "vectors.json", n_sets=2, n_times=5)
    >>> len(data["cases"]) > 2, data["invalid"][0]["source"]
    (True, 'TMParams')
    """
    instance("path", path, (str, os.PathLike))
    n_sets = check_integer("n_sets", n_sets, 1)
    seed = check_integer("seed", seed, 0)
    n_times = check_integer("n_times", n_times, 2)
    n_grid = check_integer("n_grid", n_grid, 2)
    path = Path(path)
    if not path.parent.is_dir():
        raise ValueError(f"path must be in an existing folder; {path.parent} does not exist")

    rng = np.random.default_rng(seed)
    cases = []
    for name, example in EXAMPLES.items():
        if example.params.eta_b == 0:
            init = {"Q": example.init_scale**2} if example.init_scale else {}
            cases.append(_case(f"example {name}", example.params, init, n_times, n_grid, log_time=bool(len(cases) % 2)))
    for i in range(n_sets):
        params, init = _random_set(rng, kind=("centred", "shared_teacher", "shift", "general")[i % 4],
                                   random_init=bool(i % 2))
        cases.append(_case(f"random {i} (seed {seed})", params, init, n_times, n_grid, log_time=bool(i % 3 == 0)))
    data = {
        "about": "written by biascourse.tm.explorer_vectors; checked by tests/js/test_tm_explorer.mjs",
        "seed": seed,
        "n_grid": n_grid,
        "horizon": HORIZON,
        "cases": cases,
        "invalid": _invalid_sets(),
    }
    text = json.dumps(data, allow_nan=False)
    write_text(path, text)
    return data


def _case(name: str, params: TMParams, init: dict, n_times: int, n_grid: int, log_time: bool) -> dict:
    t_max = HORIZON * float(max(params.tau_M, params.tau_R, params.tau_Q))
    t = np.geomspace(t_max * 1e-3, t_max, n_times) if log_time else np.linspace(0.0, t_max, n_times)
    sol = solve(params, t, init)
    state = fixed_point(params)
    eps_plus, eps_minus = asymptotic_errors(params)
    return {
        "name": name,
        "params": {field: float(getattr(params, field)) for field in EXPLORER_FIELDS},
        "init": {key: float(value) for key, value in init.items()},
        "t_max": t_max,
        "t": t.tolist(),
        "curves": {curve: _json_floats(getattr(sol, curve)) for curve in CURVES},
        "timescales": {name: float(getattr(params, name)) for name in ("tau_M", "tau_R", "tau_Q", "eta_max")},
        "crossings": crossings(params, t_max, init, n_grid=n_grid).tolist(),
        "phases": [{"start": p.start, "end": p.end, "driver": p.driver} for p in phase_intervals(params, t_max, init)],
        "fixed_point": {name: float(getattr(state, name)) for name in ("R_plus", "R_minus", "M", "Q")},
        "asymptotic_errors": [float(eps_plus), float(eps_minus)],
    }


def _random_set(rng: np.random.Generator, kind: str, random_init: bool) -> tuple[TMParams, dict]:
    """A random valid, stable parameter set of the given kind, and an initial state."""
    while True:
        values = dict(rho=rng.uniform(0.05, 0.95), delta_plus=10 ** rng.uniform(-1.5, 0.7),
                      delta_minus=10 ** rng.uniform(-1.5, 0.7))
        if kind in ("shift", "general"):
            v = rng.uniform(0.2, 5.0)
            values.update(v=v, alpha_plus=rng.uniform(-1.5, 1.5), alpha_minus=rng.uniform(-1.5, 1.5))
        if kind == "general":
            values.update(T=rng.uniform(-1.0, 1.0), m_plus=rng.uniform(-0.9, 0.9) * values["v"],
                          m_minus=rng.uniform(-0.9, 0.9) * values["v"])
        elif kind == "centred":
            values.update(T=rng.uniform(-1.0, 1.0))
        try:
            probe = TMParams(**values)
        except ValueError:
            continue   # the teachers and the shift have no Gram matrix: draw again
        fraction = rng.uniform(0.05, 0.95) if rng.uniform() < 0.7 else 10 ** rng.uniform(-3, -1.3)
        params = TMParams(**values, eta=fraction * float(probe.eta_max))
        init = {}
        if random_init:
            q = rng.uniform(0.05, 1.0)
            init = {"Q": q, "R_plus": rng.uniform(-0.5, 0.5) * math.sqrt(q),
                    "R_minus": rng.uniform(-0.5, 0.5) * math.sqrt(q), "M": rng.uniform(-0.3, 0.3) * values.get("v", 0.0)}
        return params, init


def _invalid_sets() -> list[dict]:
    """Parameter sets out of range, with an impossible geometry, or unstable, with the package's messages."""
    sets = [dict(rho=0.0), dict(rho=1.3), dict(rho=-0.2), dict(delta_plus=0.0), dict(delta_minus=-1.5),
            dict(v=-0.5), dict(T=1.2), dict(T=-1.0000001), dict(eta=0.0), dict(eta=-0.01), dict(rho=float("nan")),
            dict(delta_plus=float("inf")), dict(v=1.0, m_plus=1.5), dict(v=2.0, m_minus=-2.25),
            dict(T=1.0, v=1.0, m_plus=0.5, m_minus=-0.5), dict(T=0.0, v=0.1, m_plus=0.09, m_minus=0.09),
            dict(rho=0.8, delta_plus=0.5, delta_minus=2.0, eta=1.7), dict(delta_plus=0.1, delta_minus=3.0, eta=2.0),
            dict(rho=0.3, delta_plus=0.2, delta_minus=0.4, eta=12345.678)]
    out = []
    for values in sets:
        try:
            params = TMParams(**values)
        except ValueError as err:
            out.append({"params": _json_params(values), "message": str(err), "source": "TMParams"})
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                fixed_point(params)
        except ValueError as err:
            out.append({"params": _json_params(values), "message": str(err), "source": "fixed_point"})
            continue
        raise AssertionError(f"the invalid set {values} was accepted")   # a bug in this list, not in the input
    return out


def _json_params(values: dict) -> dict:
    """Parameter values for JSON: NaN and infinities as the strings "nan", "inf", "-inf"."""
    return {key: value if math.isfinite(value) else str(value) for key, value in values.items()}


def _json_floats(values: np.ndarray) -> list[Optional[float]]:
    return [None if not math.isfinite(x) else x for x in np.asarray(values, dtype=float).tolist()]
