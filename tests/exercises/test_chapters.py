"""Every checked exercise: the authored solution passes its check, a typical wrong answer gets its hint.

Where the solution is cheap, the test runs the solution cell itself, taken from the authored notebook,
after the notebook's settings cell and the few lines of context the cell needs (FAST size); the check
call of the cell is then evaluated (``exercises.evaluate``) instead of printed. Solutions that train
networks or read image data sets are replayed here with the package calls they make.
"""
from __future__ import annotations

import functools
import json
import re
from pathlib import Path

import matplotlib
import numpy as np
import pytest

from biascourse import exercises, igb, tm
from biascourse import simplicity as sb
from biascourse.tm import phases

matplotlib.use("Agg")
ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = {path.stem.split("_")[0]: path for path in (ROOT / "notebooks").glob("*.ipynb")}

#: The context a solution cell needs beyond its notebook's settings cell (as in the notebook).
CONTEXT = {
    "ex-2b-1": 'centred = tm.EXAMPLES["centred_crossing"].params',
    "ex-2b-3": "matched = tm.TMParams(rho=0.8, delta_plus=0.5, delta_minus=2.0, v=1.0, m_plus=0.5, m_minus=0.5)",
    "ex-6-4": "alpha = ndtri(0.5 + EPSILON)",
    "ex-7-1": ("x = rng.standard_normal((N_DATA, DIM)).astype(np.float32)\n"
               'measured = {"ReLU, 1 hidden layer": igb.init_statistics(igb.MLPSpec(DIM, WIDTH, depth=1), x, N_INIT, seed=1, device=device)}'),
    "ex-7-2": "x = rng.standard_normal((N_DATA, DIM)).astype(np.float32)",
    "ex-7-4": "x = rng.standard_normal((N_DATA, DIM)).astype(np.float32)",
    "ex-8-1": "target = sb.SpectralTarget.sample(seed=0, amplitudes='equal')",
}
EXECUTED = ["ex-2-1", "ex-2-2", "ex-2-3", "ex-2b-1", "ex-2b-2", "ex-2b-3", "ex-3-1", "ex-3-2", "ex-3-3", "ex-4-1",
            "ex-4-2", "ex-4-3", "ex-4-4", "ex-6-1", "ex-6-4", "ex-7-1", "ex-7-2", "ex-7-4", "ex-8-1"]

#: Solutions that simulate SGD for tens of seconds (the wrong-answer tests replay them without the simulation).
SLOW = {"ex-4-2"}


def _source(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _cells(label: str):
    """The settings cell and the solution cell of exercise ``label``, from its authored notebook."""
    cells = json.loads(NOTEBOOKS[label.split("-")[1].zfill(2) if label.split("-")[1].isdigit()
                                 else label.split("-")[1].zfill(3)].read_text())["cells"]
    settings = next(_source(c) for c in cells if c["cell_type"] == "code" and "import biascourse as bc" in _source(c))
    for index, cell in enumerate(cells):
        if cell["cell_type"] == "markdown" and f":label: {label}\n" in _source(cell):
            return settings, _source(cells[index + 1])
    raise LookupError(label)


@functools.lru_cache(maxsize=None)
def run_solution(label: str):
    """Run the solution cell of ``label`` and return the verdict of its own check call."""
    settings, solution = _cells(label)
    head, check = solution.split("# Check:\n")
    namespace: dict = {}
    exec(compile(settings, f"{label} settings", "exec"), namespace)
    exec(compile(CONTEXT.get(label, ""), f"{label} context", "exec"), namespace)
    *imports, call = check.strip().splitlines()
    exec(compile(head + "\n".join(imports), f"{label} solution", "exec"), namespace)
    assert call.startswith("exercises.check("), call
    return eval(call.replace("exercises.check(", "exercises.evaluate(", 1), namespace), namespace


def test_every_computable_exercise_has_a_check_and_a_test():
    replayed = {"ex-5-1", "ex-5b-1", "ex-6-2", "ex-7-3", "ex-8-2"}
    assert set(exercises.labels()) == set(EXECUTED) | replayed


@pytest.mark.parametrize("label", [pytest.param(label, marks=pytest.mark.slow) if label in SLOW else label
                                   for label in EXECUTED])
def test_authored_solution_passes_its_check(label):
    result, _ = run_solution(label)
    assert result.passed, result.message
    assert all(part.tolerance and part.tolerance in result.message for part in result.parts)  # says how close


def _first_hint(label: str, **answers) -> str:
    result = exercises.evaluate(label, **answers)
    assert not result.passed, f"{label}: the wrong answer {answers} passed"
    return result.hints[0]


def _answers(label: str) -> dict:
    """The answers of the authored solution of ``label`` (running it)."""
    _, namespace = run_solution(label)
    names = re.search(r"# Answer: (.*)", _cells(label)[1]).group(1).split(", ")
    return {name: namespace[name] for name in names}


# Typical wrong answers, built from the right ones, and a word of the hint they must get.
WRONG = {
    "ex-2-1": (lambda a: {"M": tm.EXAMPLES["spurious"].params.E_plus}, "group coordinate"),
    "ex-2-2": (lambda a: {"error_rates": np.array(a["error_rates"]) * np.pi, "mses": a["mses"]}, "angle"),
    "ex-2-3": (lambda a: {"interval": np.sort(np.roots([-1.0, 2 * 0.6 * 0.8, 2.0 * (1 - 0.36) - 0.64]))}, "v^2"),
    "ex-2b-1": (lambda a: {"lambdas": np.asarray(a["lambdas"])[[1, 0, 2]]}, "swapped"),
    "ex-2b-2": (lambda a: {"alpha_star": np.asarray(a["alpha_star"])[::-1]}, "wrong order"),
    "ex-2b-3": (lambda a: {"gap_without": a["gap_without"], "gap_with": a["gap_without"]}, "intercept=True"),
    "ex-3-1": (lambda a: {"slopes": -np.asarray(a["slopes"])}, "sign"),
    "ex-3-2": (lambda a: {"t_cross": a["t_cross"], "t_formula": [t / e for t, e in zip(a["t_formula"], (0.001, 0.01, 0.1))]},
               "1/eta"),
    "ex-3-3": (lambda a: {"M_bias": tm.solve(tm.EXAMPLES["spurious"].params, [60.0]).M[0],
                          "eps_minus_bias": a["eps_minus_bias"]}, "eta_b"),
    "ex-4-1": (lambda a: {"params": tm.EXAMPLES["centred_crossing"].params}, "cross"),
    "ex-4-3": (lambda a: {"T_star": -a["T_star"]}, "sign"),
    "ex-4-4": (lambda a: {"fraction_double": 100 * a["fraction_double"]}, "percentage"),
    "ex-6-1": (lambda a: {**a, "paper": a["sign"]}, "sign convention"),
    "ex-6-4": (lambda a: {"v_star": a["v_star"] + 1.0}, "first v"),
    "ex-7-1": (lambda a: {**a, "official": np.sqrt(a["official"])}, "square"),
    "ex-7-2": (lambda a: {**a, "spread_train": a["spread_eval"], "spread_eval": a["spread_train"]}, "swapped"),
    "ex-7-4": (lambda a: {"gamma_neutral": igb.gamma_mean_field(igb.MLPSpec(100, 100, 8, activation="tanh", sigma_w2=float(
        igb.iso_gamma_line(1.0, 0.1, "tanh")), sigma_b2=0.1)), "gamma_chaos": a["gamma_chaos"]}, "depth 30"),
    "ex-8-1": (lambda a: {"amplitudes": np.ones_like(a["amplitudes"])}, "periodic grid"),
}
#: The check's extra inputs that are context, not answers (the wrong answers keep them).
EXTRA = {"ex-7-1": "measurement", "ex-7-2": "inputs"}


@pytest.mark.parametrize("label", sorted(WRONG))
def test_typical_wrong_answer_gets_its_hint(label):
    settings, solution = _cells(label)
    right = _answers(label)
    if label in EXTRA:  # the context the cell passes besides the answers
        _, namespace = run_solution(label)
        call = solution.split("# Check:\n")[1]
        right[EXTRA[label]] = eval(re.search(rf"{EXTRA[label]}=(.*)\)\s*$", call).group(1), namespace)
    build, word = WRONG[label]
    assert word in _first_hint(label, **build(right))


def test_ex_4_1_a_monotone_minority_loss_gets_its_hint():
    monotone = tm.TMParams(rho=0.8, delta_plus=2.0, delta_minus=0.5)
    assert "only goes down" in exercises.evaluate("ex-4-1", params=monotone).hints[-1]


def test_ex_4_2_wrong_timescales_get_their_hints():
    """The solution's formula and root, without its simulation (which only illustrates)."""
    rho, dp, dm, eta = 0.75, 0.4, 1.6, 0.02
    sp, sm = np.sqrt(dp), np.sqrt(dm)
    p = tm.TMParams(rho=rho, delta_plus=dp, delta_minus=dm, eta=eta)
    log = np.log((sp + sm) * (rho * sp + (1 - rho) * sm) / ((sp - sm) * ((1 - rho) * sm - rho * sp)))
    predicted = log / (eta * (rho * dp + (1 - rho) * dm))
    exact = tm.crossings(p, 10 * float(p.tau_R))[0]
    assert exercises.evaluate("ex-4-2", predicted=predicted, exact=exact).passed
    assert "factor of two" in _first_hint("ex-4-2", predicted=2 * predicted, exact=exact)
    assert "1/eta" in _first_hint("ex-4-2", predicted=predicted / eta, exact=exact)


def test_ex_4_4_counting_every_crossing_gets_its_hint():
    right = _answers("ex-4-4")["fraction_double"]
    diagram = phases.phase_diagram(np.linspace(0.02, 0.98, 40), np.geomspace(0.1, 10, 40), eta=0.05, v=4.0,
                                   alpha_plus=0.2, alpha_minus=-0.2)
    assert "count only" in _first_hint("ex-4-4", fraction_double=np.mean(diagram.n_crossings >= 1))
    assert exercises.evaluate("ex-4-4", fraction_double=right).passed


def test_ex_6_1_a_table_without_a_tie_gets_its_hint():
    table = np.array([[10, 20, 11], [10, 40, 30]])
    assert "P(a, t) = P(a) P(t)" in _first_hint("ex-6-1", table=table, guess=table, paper=0.0, sign=0.0)


# --- solutions replayed with the package (they train networks or read image data) ------------------------

def test_ex_5_1_random_readout():
    p = tm.EXAMPLES["centred_crossing"].params  # the solution reads the sign of the measured gap at t = 0
    ahead = "+" if p.delta_plus < p.delta_minus else "-"
    assert exercises.evaluate("ex-5-1", ahead_at_start=ahead).passed
    assert "Delta_c Q_0" in _first_hint("ex-5-1", ahead_at_start={"+": "-", "-": "+"}[ahead])


def test_ex_5b_1_swapped_representation():
    for T in (0.0, 1.0):  # the theory lines of the solution
        p = tm.TMParams(rho=0.3, delta_plus=0.25, delta_minus=4.0, T=T, eta=0.01)
        slopes, finals = tm.phases.initial_slopes(p), tm.phases.asymptotic_errors(p)
    first, ahead = ("+" if slopes[0] < slopes[1] else "-"), ("+" if finals[0] < finals[1] else "-")
    n = len(tm.crossings(p, 20 * float(p.tau_R)))
    assert exercises.evaluate("ex-5b-1", first=first, ahead=ahead, n_crossings=n).passed
    assert "initial_slopes" in _first_hint("ex-5b-1", first={"+": "-", "-": "+"}[first], ahead=ahead, n_crossings=n)


def test_ex_6_2_group_blind_errors():
    """The solution on a synthetic test set with the inversion construction's statistics (epsilon = 0.3)."""
    from biascourse import amplification as amp

    rng = np.random.default_rng(0)
    group = rng.integers(0, 2, 20000)
    y = np.where(rng.random(20000) < 0.8, group, 1 - group)  # P(y = a | a) = 1/2 + epsilon
    flips = rng.random((200, len(y))) < 0.15
    blind = amp.bias_amplification(y, group, np.where(flips, 1 - y, y)).value.mean()
    rare = y != group
    correlated = amp.bias_amplification(y, group, np.where(flips & rare, 1 - y, y)).value.mean()
    assert exercises.evaluate("ex-6-2", blind=blind, rare=correlated).passed
    assert "rare cells" in _first_hint("ex-6-2", blind=blind, rare=-abs(correlated))
    assert "accuracy is 0.85" in _first_hint("ex-6-2", blind=float(amp.reference_bias_amplification(
        0.3, "group_blind", accuracy=0.15)), rare=correlated)


def test_ex_7_3_ten_classes():
    model = igb.sample_guess_fractions(igb.GAMMA_RELU, 10, 3000, seed=8)  # the solution's FAST call
    assert exercises.evaluate("ex-7-3", gmax_model=model.max(axis=1).mean()).passed
    two = igb.sample_guess_fractions(igb.GAMMA_RELU, 2, 3000, seed=8).max(axis=1).mean()
    assert "two classes" in _first_hint("ex-7-3", gmax_model=two)


def test_ex_8_2_whitened_residual():
    x = np.random.default_rng(3).standard_normal((400, 30)) * np.geomspace(5, 0.2, 30)
    pcs = sb.principal_components(x)
    z = (x - pcs.mean) @ pcs.components[:, :20] / np.sqrt(pcs.eigenvalues[:20])  # the solution's whitening
    residual_10 = (1 - 0.5 * sb.principal_components(z).eigenvalues.mean()) ** 10
    assert exercises.evaluate("ex-8-2", residual_10=residual_10).passed
    assert "small-step" in _first_hint("ex-8-2", residual_10=np.exp(-0.5 * 10))
    assert "t = 10 times" in _first_hint("ex-8-2", residual_10=0.5)
