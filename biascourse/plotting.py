"""The course's plot style: one set of colours and sizes for every figure.

Sub-population ``+`` is blue, sub-population ``-`` is red and the total is purple, as in the
source papers. Call :func:`use_style` once at the top of a notebook.
"""
from __future__ import annotations

from collections.abc import Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

from . import _checks as checks

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


BANDS = ("std", "range")


def mean_std_band(
    ax: plt.Axes,
    x: Sequence[float],
    runs: np.ndarray,
    color: str,
    label: str | None = None,
    axis: int = 0,
    band: str = "std",
    **line_kwargs,
) -> None:
    """Plot the mean of ``runs`` over ``axis`` (one row per seed) with a shaded band.

    ``band="std"``: mean ± one standard deviation over the runs; ``band="range"``: from the lowest
    to the highest run, a band that can never leave the range of the quantity (use it for a bounded
    quantity measured over a few runs, where mean ± std can cross the bound).

    Raises
    ------
    ArgumentTypeError
        If ``runs`` or ``x`` holds no numbers, or ``axis`` is not an integer.
    ValueError
        If ``band`` is unknown, ``runs`` is empty, ``axis`` is not an axis of ``runs``, or ``x`` does
        not have one entry per point of the mean.
    """
    checks.choice("band", band, BANDS)
    runs = checks.array("runs", runs, finite=False)
    axis = checks.integer("axis", axis, -runs.ndim, runs.ndim - 1) if runs.ndim else 0
    x = checks.array("x", x, finite=False, nonempty=False)
    mean = runs.mean(axis=axis)
    if x.shape != np.shape(mean):
        raise ValueError(f"x must have one entry per point of the mean over axis {axis}, shape {np.shape(mean)}; "
                         f"got {x.shape}")
    if band == "range":
        low, high = runs.min(axis=axis), runs.max(axis=axis)
    else:
        std = runs.std(axis=axis, ddof=1) if runs.shape[axis] > 1 else np.zeros_like(mean)
        low, high = mean - std, mean + std
    ax.plot(x, mean, color=color, label=label, **line_kwargs)
    ax.fill_between(x, low, high, color=color, alpha=0.2, linewidth=0)


# --- figures of bounded quantities -------------------------------------------------------------
_BOUNDS_ATTR = "_biascourse_bounds"


def bounded(ax: plt.Axes, quantity: str, low: float | None = None, high: float | None = None,
            axis: str = "y") -> plt.Axes:
    """Declare that ``axis`` of ``ax`` shows ``quantity``, which lives in ``[low, high]``.

    :func:`show` then checks that nothing drawn on that axis (lines, markers, error bars, bands)
    leaves the range, and refuses to show a figure that does: an error rate below 0 or an accuracy
    above 1 is a bug in the figure, not a result. Returns ``ax``.

    Raises
    ------
    ArgumentTypeError
        If ``low`` or ``high`` is given but not a number.
    ValueError
        If ``axis`` is not ``"x"`` or ``"y"``, no bound is given, a bound is NaN or infinite, or
        ``low >= high``.
    """
    checks.choice("axis", axis, ("x", "y"))
    low = None if low is None else checks.real("low", low)
    high = None if high is None else checks.real("high", high)
    if low is None and high is None:
        raise ValueError("bounded needs a lower bound low, an upper bound high, or both")
    if low is not None and high is not None and not low < high:
        raise ValueError(f"low must be below high; got low={low}, high={high}")
    declared = dict(getattr(ax, _BOUNDS_ATTR, {}))
    declared[axis] = (quantity, low, high)
    setattr(ax, _BOUNDS_ATTR, declared)
    return ax


def _drawn_values(ax: plt.Axes, axis: str) -> np.ndarray:
    """Every coordinate along ``axis`` (data units) of the lines, markers, bars and bands of ``ax``."""
    column = 0 if axis == "x" else 1
    parts = []
    index = 0 if axis == "x" else 1

    def in_data_units(transform) -> bool:
        # True for the data transform and, along this axis only, for the blended transforms of
        # axhline/axvline; False for axes or figure coordinates (annotations, reference lines)
        return transform.contains_branch_seperately(ax.transData)[index]

    for line in ax.get_lines():
        if in_data_units(line.get_transform()):
            parts.append(np.asarray(line.get_xdata() if axis == "x" else line.get_ydata(), dtype=float).ravel())
    for collection in ax.collections:
        if collection.get_transform() is ax.transData:  # bands, error bars: paths in data units
            for path in collection.get_paths():
                if len(path.vertices):
                    parts.append(np.asarray(path.vertices, dtype=float)[:, column])
        # markers (scatter): their paths are shapes in points, their positions are the offsets
        offsets = np.asarray(collection.get_offsets(), dtype=float)
        if offsets.size and in_data_units(collection.get_offset_transform()):
            parts.append(offsets.reshape(-1, 2)[:, column])
    for patch in ax.patches:
        if not in_data_units(patch.get_data_transform()):
            continue
        box = patch.get_bbox()
        parts.append(np.array([box.x0, box.x1] if axis == "x" else [box.y0, box.y1], dtype=float))
    values = np.concatenate(parts) if parts else np.empty(0)
    return values[np.isfinite(values)]


def check_bounds(fig=None) -> list[dict]:
    """Check every axis of ``fig`` declared with :func:`bounded`; returns one record per axis.

    Each record holds the quantity, its range and the lowest and highest value drawn. Raises
    ``ValueError`` naming the quantity when something drawn leaves its range (beyond rounding).
    """
    fig = plt.gcf() if fig is None else fig
    records = []
    for ax in fig.axes:
        for axis, (quantity, low, high) in getattr(ax, _BOUNDS_ATTR, {}).items():
            values = _drawn_values(ax, axis)
            if not values.size:
                continue
            lo, hi = float(values.min()), float(values.max())
            scale = max(1.0, abs(lo), abs(hi)) * 1e-9
            if (low is not None and lo < low - scale) or (high is not None and hi > high + scale):
                allowed = f"[{'-inf' if low is None else f'{low:g}'}, {'inf' if high is None else f'{high:g}'}]"
                raise ValueError(f"the figure draws {quantity} from {lo:.4g} to {hi:.4g}, outside its range "
                                 f"{allowed}: an interval or band leaves the values {quantity} can take")
            records.append({"quantity": quantity, "low": low, "high": high, "drawn_min": lo, "drawn_max": hi})
    return records


def show(fig=None) -> list[dict]:
    """Check the figure's bounded quantities (:func:`check_bounds`), then show it.

    In a notebook, a line of machine-readable markup follows the figure (hidden on the website, one
    ``<span class="bc-bounds">`` per bounded axis with the range and the values drawn), so that the
    website's tests can check every such figure of the built course.
    """
    fig = plt.gcf() if fig is None else fig
    records = check_bounds(fig)
    plt.show()
    if records:
        try:
            from IPython import get_ipython
            from IPython.display import HTML, display
        except ImportError:  # pragma: no cover - IPython ships with the notebooks' dependencies
            return records
        if get_ipython() is not None:
            def attribute(value):
                return "" if value is None else repr(float(value))
            spans = "".join(
                f'<span class="bc-bounds" data-quantity="{r["quantity"]}" data-low="{attribute(r["low"])}" '
                f'data-high="{attribute(r["high"])}" data-min="{r["drawn_min"]!r}" data-max="{r["drawn_max"]!r}">'
                f'</span>' for r in records)
            display(HTML(f'<div class="bc-bounds-record" hidden>{spans}</div>'))
    return records
