"""The chapter quizzes of the workshop kit: questions, answers and one-line explanations.

Each chapter from 2 to 8 has a few multiple-choice or numerical questions. A numerical answer is
never typed in: it is a function that computes it with the package, so the answers follow the
course when its code changes. Two pages of the website are generated from this module:

* ``book/quizzes.md``, the questions (for participants);
* ``book/quiz_answers.md``, the answers with a one-line explanation (for instructors).

Regenerate both after editing a question, from the repository root::

    python -m biascourse.quiz book

``tests/test_quiz.py`` checks that the committed pages are what this module writes, so a stated
answer cannot drift from the computed one. The quizzes are not in the notebooks, so the student
notebooks never include the answers.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from ._files import write_text

#: The chapters that have a quiz: notebook name (without ``.ipynb``) and title.
CHAPTERS = {
    "02_gaussian_mixtures": "Chapter 2: Gaussian mixtures and the teacher-mixture model",
    "02b_equilibrium": "Chapter 2 (companion): The equilibrium picture",
    "03_sgd_dynamics": "Chapter 3: The exact dynamics of online SGD",
    "04_phases_of_bias": "Chapter 4: The phases of bias",
    "05_deep_networks": "Chapter 5: Bias dynamics in deep networks",
    "05b_real_data": "Chapter 5 (part 2): Bias dynamics on real images",
    "06_bias_amplification": "Chapter 6: Bias amplification",
    "07_initial_guessing_bias": "Chapter 7: Initial guessing bias",
    "08_simplicity_biases": "Chapter 8: Simplicity biases",
}
LETTERS = "abcde"


@dataclass(frozen=True)
class Question:
    """One quiz question.

    Parameters
    ----------
    chapter : notebook name, a key of :data:`CHAPTERS`.
    text : the question, in MyST markdown.
    explanation : the one-line explanation given with the answer.
    choices : the options of a multiple-choice question; empty for a numerical question.
    answer : for a multiple-choice question, the index of the right option, or a function that
        returns it; for a numerical question, a function that computes the answer with the package.
    digits : significant digits of a numerical answer as stated on the answers page.
    """

    chapter: str
    text: str
    explanation: str
    choices: tuple[str, ...] = ()
    answer: int | Callable[[], float] = 0
    digits: int = 3

    @property
    def numerical(self) -> bool:
        return not self.choices

    def value(self) -> float | int:
        """The answer: the index of the right choice, or the computed number."""
        value = self.answer() if callable(self.answer) else self.answer
        if self.choices:
            index = int(value)
            if not 0 <= index < len(self.choices):
                raise ValueError(f"answer must index one of the {len(self.choices)} choices; got {index}")
            return index
        return float(np.asarray(value))

    def stated_answer(self) -> str:
        """The answer as the answers page states it: ``(b) text`` or the number to ``digits`` digits."""
        value = self.value()
        if self.choices:
            return f"({LETTERS[value]}) {self.choices[value]}"
        return f"{value:.{self.digits}g}"


# --- numerical answers, computed with the package --------------------------------------------------

def _tm():
    from . import tm

    return tm


def _spurious_shift_overlap() -> float:
    p = _tm().EXAMPLES["spurious"].params
    return (2 * p.rho - 1) * p.E_plus


def _minority_mse() -> float:
    tm = _tm()
    return tm.group_mse(tm.EXAMPLES["centred_crossing"].params, 0.4, 0.4, 0.0, 0.5)[1]


def _error_rate_gap() -> float:
    tm = _tm()
    plus, minus = tm.group_error_rate(tm.EXAMPLES["centred_crossing"].params, 0.4, 0.4, 0.0, 0.5)
    return abs(plus - minus)


def _ridge_gap_grows_with_data() -> int:
    """0 when the mismatched ridge student's error gap |P_+ - P_-| grows from alpha = 2 to 16, else 1."""
    tm = _tm()
    gap = np.abs(np.asarray(tm.erm.ridge_theory(tm.TMParams(rho=0.8, T=0.8), [2.0, 16.0], 0.5).err_gap))
    return 0 if gap[-1] > gap[0] else 1


def _tau_R() -> float:
    return _tm().EXAMPLES["centred_crossing"].params.tau_R


def _eta_max() -> float:
    return _tm().EXAMPLES["centred_crossing"].params.eta_max


def _tau_M_general() -> float:
    return _tm().EXAMPLES["general"].params.tau_M


def _crossing_centred() -> float:
    tm = _tm()
    p = tm.EXAMPLES["centred_crossing"].params
    return tm.crossings(p, 20 * p.tau_R)[0]


def _crossing_small_eta() -> float:
    tm = _tm()
    return tm.phases.crossing_time_small_eta(tm.EXAMPLES["centred_crossing"].params)


def _winner_centred() -> int:
    """0 when group + ends ahead (the lower loss at long times) on the set centred crossing, else 1."""
    tm = _tm()
    p = tm.EXAMPLES["centred_crossing"].params
    end = tm.solve(p, [50 * p.tau_R])
    return 0 if end.eps_plus[-1] < end.eps_minus[-1] else 1


def _first_centred() -> int:
    """0 when group + has the lower loss early on (t = tau_R / 10) on the set centred crossing, else 1."""
    tm = _tm()
    p = tm.EXAMPLES["centred_crossing"].params
    early = tm.solve(p, [0.1 * p.tau_R])
    return 0 if early.eps_plus[-1] < early.eps_minus[-1] else 1


def _crossing_ratio_half_eta() -> float:
    tm = _tm()
    p = tm.EXAMPLES["centred_crossing"].params
    q = dataclasses.replace(p, eta=p.eta / 2)
    return tm.crossings(q, 20 * q.tau_R)[0] / tm.crossings(p, 20 * p.tau_R)[0]


def _three_phase_crossings() -> float:
    tm = _tm()
    p = tm.EXAMPLES["three_phase"].params
    return len(tm.crossings(p, 40 * p.tau_R))


def _rotated_winner() -> int:
    """Shared teacher, rho = 0.7, Delta_+ = 1, Delta_- = 3: 0 if group + ends ahead, else 1."""
    tm = _tm()
    p = tm.TMParams(rho=0.7, delta_plus=1.0, delta_minus=3.0, eta=0.05)
    end = tm.solve(p, [50 * p.tau_R])
    return 0 if end.eps_plus[-1] < end.eps_minus[-1] else 1


def _group_only(epsilon: float) -> float:
    from .amplification import reference_bias_amplification

    return reference_bias_amplification(epsilon, "group_only")


def _group_blind() -> float:
    from .amplification import reference_bias_amplification

    return reference_bias_amplification(0.2, "group_blind", accuracy=0.9)


def _by_hand() -> float:
    """The A->T amplification of a small count table (the chapter's definition, paper convention)."""
    from .amplification import bias_amplification_from_counts

    counts = np.array([[60, 40], [40, 60]])
    predicted = np.array([[70, 30], [40, 60]])
    return bias_amplification_from_counts(counts, predicted).value


def _gamma_relu() -> float:
    from .igb import GAMMA_RELU

    return GAMMA_RELU


def _c_relu() -> float:
    from .igb import GAMMA_RELU, c_from_gamma

    return c_from_gamma(GAMMA_RELU)


def _g0_variance_uniform() -> float:
    from .igb import g0_variance

    return g0_variance(1.0)


def _pc_residual() -> float:
    from .simplicity import pc_residual_law

    return pc_residual_law(np.array([2.0]), 0.1, [10])[0, 0]


def _pc_residual_small() -> float:
    from .simplicity import pc_residual_law

    return pc_residual_law(np.array([0.5]), 0.1, [10])[0, 0]


QUESTIONS: tuple[Question, ...] = (
    # --- chapter 2
    Question("02_gaussian_mixtures",
             "A linear student $\\hat y=W\\cdot x/\\sqrt N$ on the teacher-mixture model has $N$ weights. Its "
             "per-group test errors depend on them only through",
             "Every per-group error is an average over jointly Gaussian fields whose means and covariances are "
             "fixed by the overlaps with the two teachers and the shift, and the norm (§5).",
             ("all $N$ weights", "the four order parameters $R_+, R_-, M, Q$", "the norm $Q$ alone",
              "the teacher overlap $T$"), 1),
    Question("02_gaussian_mixtures",
             "In the set `tm.EXAMPLES[\"spurious\"]` the label is independent of the group. A student without "
             "intercept that uses only the shift predicts $\\hat y=c\\,M$. What is the least-squares $M$?",
             "$M=\\mathbb E[yc]/\\mathbb E[c^2]=(2\\rho-1)E$: far from 0, so the student uses an uninformative "
             "shift, at the minority's expense (exercise 2.1).",
             answer=_spurious_shift_overlap),
    Question("02_gaussian_mixtures",
             "On `tm.EXAMPLES[\"centred_crossing\"]` ($v=0$, $T=1$, $\\Delta_+=0.5$, $\\Delta_-=2$), take "
             "$R_\\pm=0.4$, $M=0$, $Q=0.5$. What is the mean-squared error $\\epsilon_-$ of group $-$ "
             "(`tm.group_mse`)?",
             "$\\epsilon_c=\\frac12[1+\\Delta_cQ-2\\sqrt{\\Delta_c}G_cR_c]$ with $G_c=\\sqrt{2/\\pi}$: the "
             "variance enters the MSE, so the wider group has the larger loss.",
             answer=_minority_mse),
    Question("02_gaussian_mixtures",
             "Same order parameters as the previous question. By how much do the two groups' "
             "misclassification rates differ (`tm.group_error_rate`)?",
             "In the centred case the error rate is $\\arccos(R/\\sqrt Q)/\\pi$ for both groups: the "
             "variance scales the student and teacher fields together, so the sign agreement is unchanged "
             "(exercise 2.2).", answer=_error_rate_gap),
    Question("02_gaussian_mixtures",
             "You train students in dimensions $N$ and $4N$. By what factor do the run-to-run fluctuations "
             "of their order parameters shrink?",
             "Self-averaging: the spread falls like $1/\\sqrt N$ (slope $-\\frac12$ in §6), so $4N$ halves it.",
             ("1 (they do not shrink)", "2", "4", "16"), 1),
    # --- chapter 2b
    Question("02b_equilibrium",
             "Ridge regression of a **mismatched** student (two teachers, `tm.TMParams(rho=0.8, T=0.8)`, "
             "$\\lambda=0.5$): from $\\alpha=n/N=2$ to $\\alpha=16$, the gap between the groups' "
             "misclassification rates (`tm.erm.ridge_theory`)",
             "A single linear student cannot fit two rules: more data make it commit to the compromise "
             "that favours the majority, so the gap grows (§3).",
             ("grows", "shrinks"), _ridge_gap_grows_with_data),
    Question("02b_equilibrium",
             "For a **matched** student (one shared teacher), the bias between the groups at equilibrium",
             "It is a finite-sample bias: with one rule the student can serve both groups, and the gap "
             "shrinks as data grow (§3).",
             ("grows with the amount of data", "shrinks with the amount of data", "is exactly zero",
              "does not depend on the data"), 1),
    Question("02b_equilibrium",
             "When does one student per group (separate training) beat one student trained jointly?",
             "Separate training pays off mainly when the rules differ and data are plentiful; with scarce "
             "data it leaves the minority far behind (§4).",
             ("always", "when the rules differ and data are plentiful", "when data are scarce",
              "never"), 1),
    Question("02b_equilibrium",
             "Which ridge penalty reproduces early online SGD with learning rate $\\eta$?",
             "Ridge with $\\lambda=1/\\eta$ matches early SGD; both show the minority's rise and fall, in "
             "time for SGD and in samples for ERM (§6).",
             ("$\\lambda=\\eta$", "$\\lambda=1/\\eta$", "$\\lambda=0$", "$\\lambda=\\eta^2$"), 1),
    # --- chapter 3
    Question("03_sgd_dynamics",
             "On `tm.EXAMPLES[\"centred_crossing\"]` ($\\rho=0.8$, $\\Delta_+=0.5$, $\\Delta_-=2$, "
             "$\\eta=0.1$), what is the teachers' timescale $\\tau_R=1/(\\eta\\Delta^{\\rm mix})$?",
             "$\\Delta^{\\rm mix}=\\rho\\Delta_++(1-\\rho)\\Delta_-$; `params.tau_R` computes it.",
             answer=_tau_R),
    Question("03_sgd_dynamics",
             "Same set: above which learning rate $\\eta_{\\max}$ does $Q$ diverge?",
             "$\\eta_{\\max}=2\\Delta^{\\rm mix}/\\Delta^{2\\rm mix}$: above it the $\\eta^2$ noise term of "
             "$\\dot Q$ beats the contraction ($c_9<0$, §4).", answer=_eta_max),
    Question("03_sgd_dynamics",
             "With a shift $v\\neq0$, which order parameter relaxes first?",
             "$\\tau_M=1/[\\eta(V+\\Delta^{\\rm mix})]<\\tau_R=1/(\\eta\\Delta^{\\rm mix})$: the shift direction "
             "is learned first (§3).",
             ("$M$, on $\\tau_M$", "$R_\\pm$, on $\\tau_R$", "$Q$, on $\\tau_Q$", "all at the same rate"), 0),
    Question("03_sgd_dynamics",
             "On `tm.EXAMPLES[\"general\"]` ($V=4$, $\\eta=0.3$), what is $\\tau_M$?",
             "$\\tau_M=1/[\\eta(V+\\Delta^{\\rm mix})]$ with $\\Delta^{\\rm mix}=0.7\\cdot0.5+0.3\\cdot1.5$; "
             "`params.tau_M` computes it.", answer=_tau_M_general),
    Question("03_sgd_dynamics",
             "The deviation of a seed-averaged simulation from the ODE shrinks like",
             "The order parameters form a Markov chain whose noise is $O(1/\\sqrt N)$ per run, averaged over "
             "independent seeds (§6).",
             ("$1/N$", "$1/\\sqrt{N}$, whatever the number of seeds", "$1/\\sqrt{N\\cdot\\text{seeds}}$",
              "it does not shrink: the ODE is an approximation"), 2),
    # --- chapter 4
    Question("04_phases_of_bias",
             "On `tm.EXAMPLES[\"centred_crossing\"]`, when do the two loss curves cross (`tm.crossings`, in "
             "units $t=\\text{steps}/N$)?",
             "Saliency (group $-$ first) then representation (group $+$ ahead): the crossing of §3.3.",
             answer=_crossing_centred),
    Question("04_phases_of_bias",
             "The small-$\\eta$ formula $t_\\times=\\tau_R\\ln(\\dots)$ "
             "(`tm.phases.crossing_time_small_eta`) gives, for the same set:",
             "It neglects terms of relative order $\\eta$: compare with 4.1; the relative difference "
             "shrinks tenfold when $\\eta$ does (exercise 3.2).", answer=_crossing_small_eta),
    Question("04_phases_of_bias",
             "On the same set, which group ends ahead (lower loss at long times)?",
             "The group with the larger $p_c\\sqrt{\\Delta_c}$ wins: $0.8\\sqrt{0.5}>0.2\\sqrt2$ (§3.2).",
             ("group $+$ (the majority, $\\Delta_+=0.5$)", "group $-$ (the minority, $\\Delta_-=2$)",
              "neither: they end equal"), _winner_centred),
    Question("04_phases_of_bias",
             "And which group is learned first (lower loss early on)?",
             "Saliency: the higher-variance group has larger fields, hence larger gradients (§3.1).",
             ("group $+$", "group $-$"), _first_centred),
    Question("04_phases_of_bias",
             "A student **with** a trained intercept: when does a spurious shift direction disappear in the end?",
             "Exactly when $2\\rho(1-\\rho)V(E_+-E_-)+h=0$: equal label means and teachers orthogonal to "
             "the shift (§2.1).",
             ("always", "never", "when the groups have equal label means and the teachers are orthogonal "
              "to the shift", "when $\\eta<\\eta_{\\max}$"), 2),
    # --- chapter 5
    Question("05_deep_networks",
             "The course's trainer with a linear network and batch size 1, on fresh samples, is",
             "§2 checks that the trainer on the linear network is exactly the online SGD whose ODEs are "
             "solved in chapter 3.",
             ("an approximation of online SGD", "exactly the online SGD of chapters 3-4",
              "full-batch gradient descent"), 1),
    Question("05_deep_networks",
             "Halve the learning rate on `tm.EXAMPLES[\"centred_crossing\"]`. By what factor does the crossing "
             "time (in $t=\\text{steps}/N$) grow (`tm.crossings`)?",
             "At small $\\eta$ the learning rate sets the clock $\\eta t$, so the factor is close to 2; the "
             "rest is the $O(\\eta)$ noise penalty on the high-variance group (§6).",
             answer=_crossing_ratio_half_eta),
    Question("05_deep_networks",
             "How many times do the linear theory's loss curves cross on `tm.EXAMPLES[\"three_phase\"]`?",
             "Class imbalance, then saliency, then representation: two crossings, which the course's "
             "networks trained with SGD or Adam can also show (§5).", answer=_three_phase_crossings, digits=1),
    Question("05_deep_networks",
             "Why does the chapter train many seeds at once and draw bands?",
             "A deep network's learning curve varies from seed to seed; a crossing is a claim about the "
             "band, and `BatchedMLP` trains all seeds in one pass (§2).",
             ("to make training faster than one seed", "because one seed's curve can cross or not by "
              "chance; the band over seeds shows what is typical", "because the theory needs it"), 1),
    # --- chapter 5b
    Question("05b_real_data",
             "Rotated images with a **shared** teacher, $\\rho=0.7$, $\\Delta_+=1$, $\\Delta_-=3$. By the linear "
             "theory, which group ends ahead (`tm.solve` at long times)?",
             "The larger $p_c\\sqrt{\\Delta_c}$ ends ahead: $0.7\\cdot1=0.70>0.3\\sqrt3\\approx0.52$ (§2).",
             ("group $+$", "group $-$"), _rotated_winner),
    Question("05b_real_data",
             "For **unrelated** teachers, which group does the linear theory say starts first?",
             "The larger $p_c\\Delta_c$ starts first for unrelated teachers; for a shared teacher, the larger "
             "$\\Delta_c$ (§2).",
             ("the larger $\\Delta_c$", "the larger $p_c\\Delta_c$", "the larger $p_c$", "the group with more labels $+1$"), 1),
    Question("05b_real_data",
             "In the lecture's CIFAR-10 protocol (Bell and Sagun), what is the group and what is $\\rho$?",
             "The label is the group, and $\\rho$ is the label balance (§3).",
             ("the group is a class; $\\rho$ the rotation angle", "the label is the group; $\\rho$ the label balance",
              "the group is an attribute; $\\rho$ the pixel variance"), 1),
    Question("05b_real_data",
             "With attribute pairs (CelebA), which cell sets the worst-group accuracy at the end of a short run?",
             "A rare cell is learned late, or not within the run: the worst-group accuracy is read off the "
             "timescales of the cells (§4).",
             ("the largest cell", "a rare cell, learned last", "the cell with the most salient attribute"), 1),
    # --- chapter 6
    Question("06_bias_amplification",
             "Two groups (rows) and two classes (columns): true counts $\\begin{pmatrix}60&40\\\\40&60\\end{pmatrix}$, "
             "predicted classes per true group $\\begin{pmatrix}70&30\\\\40&60\\end{pmatrix}$. What is the "
             "directional bias amplification $A\\to T$ "
             "(`amplification.bias_amplification_from_counts`)?",
             "$\\Delta_{at}=P(\\hat t\\mid a)-P(t\\mid a)$ counts with its sign in the co-occurring cells "
             "(0,0), (1,1) and with the opposite sign in the others, averaged over the four cells: "
             "$\\frac14(0.1+0.1+0+0)$ (§1).", answer=_by_hand),
    Question("06_bias_amplification",
             "A predictor that outputs the group's majority class, with dataset bias $\\varepsilon=0.2$: its "
             "amplification is",
             "The group-only reference reaches $\\frac12-\\varepsilon$, the ceiling of the measure "
             "(`reference_bias_amplification`, §1).", answer=lambda: _group_only(0.2)),
    Question("06_bias_amplification",
             "A group-blind predictor, right with probability $q=0.9$ in every cell, at $\\varepsilon=0.2$:",
             "Errors that ignore the group give $-2(1-q)\\varepsilon<0$: positive amplification needs "
             "errors that follow the group (§1).", answer=_group_blind),
    Question("06_bias_amplification",
             "At $\\varepsilon=0$, whatever the network, the amplification is",
             "Every cell ties ($y_{at}=0$ everywhere), and the $\\Delta_{at}$ of each group sum to zero, so "
             "the terms $-\\Delta_{at}$ cancel (§1, §3).",
             ("0", "$\\frac12$", "negative", "undefined (NaN)"), 0),
    Question("06_bias_amplification",
             "Hall et al. evaluate checkpoints during training. When the group is easier to recognise "
             "than the class, when do their models amplify most?",
             "Early: the group is learned before the class and used for it, then the class features pull "
             "the amplification down; chapter 6 prints where its own runs peak (§7, §9).",
             ("at the end", "early, while the group is learned before the class", "it is constant"), 1),
    # --- chapter 7
    Question("07_initial_guessing_bias",
             "What is $\\gamma$ for one ReLU layer on centred inputs (`igb.GAMMA_RELU`)?",
             "$\\gamma=1/(\\pi-1)$: the ReLU's post-activations have a nonzero mean over the data (§2).",
             answer=_gamma_relu),
    Question("07_initial_guessing_bias",
             "The output correlation $c=\\gamma/(1+\\gamma)$ of that network (`igb.c_from_gamma`):",
             "With $\\gamma=1/(\\pi-1)$, $c=1/\\pi$ (§6).", answer=_c_relu),
    Question("07_initial_guessing_bias",
             "At $\\gamma=1$ the guess fraction $G_0=\\Phi(\\sqrt\\gamma Z)$ is uniform on $[0,1]$. Its "
             "variance (`igb.g0_variance`) is",
             "$\\mathrm{Var}(G_0)=\\arcsin(\\gamma/(1+\\gamma))/(2\\pi)=\\arcsin(\\frac12)/(2\\pi)=1/12$, the "
             "variance of a uniform law (§1).", answer=_g0_variance_uniform),
    Question("07_initial_guessing_bias",
             "Where should BatchNorm go to keep an untrained network neutral?",
             "After the activation it removes the mean that creates IGB; before it, the ReLU pins "
             "$\\gamma$ at $1/(\\pi-1)$ (§4).",
             ("before the activation", "after the activation", "it does not matter"), 1),
    # --- chapter 8
    Question("08_simplicity_biases",
             "Gradient descent on a linear model with learning rate $\\eta=0.1$: what fraction of the residual "
             "along a principal direction of eigenvalue $\\lambda=2$ is left after 10 steps "
             "(`simplicity.pc_residual_law`)?",
             "$|1-\\eta\\lambda|^t=0.8^{10}$: large principal components are learned first (§4).",
             answer=_pc_residual),
    Question("08_simplicity_biases",
             "Same, along a direction of eigenvalue $\\lambda=0.5$?",
             "$0.95^{10}$: small principal components are learned late (§4).", answer=_pc_residual_small),
    Question("08_simplicity_biases",
             "A deep MLP fits a 1-D sum of sines whose high frequencies dominate the loss. In which order does "
             "it learn the frequencies?",
             "Spectral bias: in order of increasing frequency, whatever their weight in the loss (§2).",
             ("in order of increasing frequency", "largest amplitude first", "all at once"), 0),
    Question("08_simplicity_biases",
             "Early in training, an MLP classifies Gaussian clones of Fashion-MNIST (same class means and "
             "covariances)",
             "It uses the low-order statistics first and higher-order structure later (§5.1).",
             ("about as well as the real images", "at chance level", "better than the real images"), 0),
)


def questions(chapter: str | None = None) -> tuple[Question, ...]:
    """The quiz questions, all of them or one chapter's.

    Raises
    ------
    ValueError
        If ``chapter`` is not one of :data:`CHAPTERS`.
    """
    if chapter is None:
        return QUESTIONS
    if chapter not in CHAPTERS:
        raise ValueError(f"chapter must be one of {list(CHAPTERS)}; got {chapter!r}")
    return tuple(q for q in QUESTIONS if q.chapter == chapter)


def _number(chapter: str) -> str:
    return chapter.split("_")[0].lstrip("0")


def _label(chapter: str, i: int) -> str:
    return f"{_number(chapter)}.{i}"


def questions_page() -> str:
    """The participants' page: every chapter's questions, without answers."""
    lines = ["# Quizzes", "",
             "A few questions per chapter, to check yourself after a session. Some are multiple choice, others "
             "ask for a number that you compute with the package (`import biascourse as bc`, "
             "`from biascourse import tm`). Your instructor has the answers.", ""]
    for chapter, title in CHAPTERS.items():
        lines += [f"## {title}", "", f"After [the chapter](../notebooks/{chapter}.ipynb).", ""]
        for i, q in enumerate(questions(chapter), 1):
            lines.append(f"**{_label(chapter, i)}** {q.text}" + (" Give a number." if q.numerical else ""))
            lines.append("")
            lines += [f"- ({LETTERS[k]}) {choice}" for k, choice in enumerate(q.choices)]
            if q.choices:
                lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def answers_page() -> str:
    """The instructors' page: each answer, computed with the package, and its one-line explanation."""
    lines = ["# Quiz answers (for instructors)", "",
             "The answers to the [quizzes](quizzes.md), with a one-line explanation. Every number below is "
             "computed by the package (`biascourse/quiz.py`) and this page is generated from it "
             "(`python -m biascourse.quiz book`); a test checks that the page and the package agree. "
             "The student notebooks do not contain the quizzes or their answers.", ""]
    for chapter, title in CHAPTERS.items():
        lines += [f"## {title}", ""]
        for i, q in enumerate(questions(chapter), 1):
            lines += [f"**{_label(chapter, i)}** *Answer:* {q.stated_answer()}. *Why:* {q.explanation}", ""]
    return "\n".join(lines).rstrip() + "\n"



def write_pages(folder: str | os.PathLike) -> tuple[Path, Path]:
    """Write ``quizzes.md`` and ``quiz_answers.md`` into ``folder`` (the book's ``book/``).

    Raises
    ------
    ValueError
        If ``folder`` is not an existing folder.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"folder must be an existing folder (the book's book/); got {folder}")
    pages = (folder / "quizzes.md", folder / "quiz_answers.md")
    for path, text in zip(pages, (questions_page(), answers_page())):
        write_text(path, text)
    return pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m biascourse.quiz", description="Write the quiz pages.")
    parser.add_argument("folder", help="the book's folder, book/")
    for path in write_pages(parser.parse_args(argv).folder):
        print("wrote", path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
