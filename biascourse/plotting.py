"""The course's plot style: one set of colours and sizes for every figure.

Sub-population ``+`` is blue, sub-population ``-`` is red and the total is purple, as in the
source papers. Call :func:`use_style` once at the top of a notebook.
"""
from __future__ import annotations

from collections.abc import Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

#: Colour of each sub-population and of the total.
COLORS = {"+": "#1f5fbf", "-": "#d62728", "total": "#7b3fa0"}
#: Lighter shades of the group colours, for bands and shaded regions.
LIGHT = {"+": "#a9c4ee", "-": "#f2a9a9", "total": "#d3b8e3"}
#: Default figure sizes in inches: one panel, a wide panel, two panels side by side.
FIGSIZE = {"single": (6.4, 4.4), "wide": (9.6, 4.4), "double": (11.0, 4.4)}

_RC = {
    "figure.figsize": FIGSIZE["single"],
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "font.size": 13,
    "axes.titlesize": 14,
    "axes.labelsize": 14,
    "xtick.labelsize": 12,
    "ytick.labelsize": 12,
    "legend.fontsize": 12,
    "legend.framealpha": 0.9,
    "lines.linewidth": 2.2,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "figure.constrained_layout.use": True,
}


def use_style() -> None:
    """Apply the course's matplotlib style (large fonts readable on a projector)."""
    mpl.rcParams.update(_RC)


def group_color(group: str | int, light: bool = False) -> str:
    """Colour of a sub-population: ``'+'``/``+1`` blue, ``'-'``/``-1`` red, ``'total'`` purple."""
    key = {1: "+", -1: "-", "plus": "+", "minus": "-"}.get(group, group)
    table = LIGHT if light else COLORS
    if key not in table:
        raise ValueError(f"group must be '+', '-', 'total', +1 or -1; got {group!r}")
    return table[key]


def mean_std_band(
    ax: plt.Axes,
    x: Sequence[float],
    runs: np.ndarray,
    color: str,
    label: str | None = None,
    axis: int = 0,
    **line_kwargs,
) -> None:
    """Plot the mean of ``runs`` over ``axis`` (one row per seed) with a shaded ±1 std band."""
    runs = np.asarray(runs, dtype=float)
    mean = runs.mean(axis=axis)
    std = runs.std(axis=axis, ddof=1) if runs.shape[axis] > 1 else np.zeros_like(mean)
    ax.plot(x, mean, color=color, label=label, **line_kwargs)
    ax.fill_between(x, mean - std, mean + std, color=color, alpha=0.2, linewidth=0)
