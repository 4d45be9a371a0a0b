"""Figures and the live explorer of chapter 4 (the phases of bias).

:func:`plot_dynamics` draws per-group losses, misclassification rates and order parameters with the
phases of bias shaded and the timescales marked; :func:`overlay_simulation` adds simulation points;
:func:`plot_phase_diagram` colours a :class:`~biascourse.tm.phases.BiasRegimes` grid; and
:class:`PhaseExplorer` puts sliders on all of it (ipywidgets). Derivations:
https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-closed-form and https://biascourse.github.io/biascourse/book/derivations/tm_phases.html#deriv-phases.

How the explorer stays fast. Its figure is an ordinary PNG image output, replaced in place at each
slider move: that is what a notebook shows everywhere (Jupyter, Colab, Binder) and what the static
website keeps from the executed notebook, with no widget JavaScript and no extension. An interactive
backend (``ipympl``) would need its extension on Colab and shows nothing on the static website, and
it draws with the same Agg renderer, so it would be no faster. The time of an update goes into
matplotlib's drawing (the theory takes a few milliseconds), so the explorer draws less:

- the artists are built once (:class:`DynamicsPanels`) and moved with ``set_data``; the axes, their
  ticks and the legend are kept instead of cleared and rebuilt at every move;
- one drawing per image, by the Agg canvas itself: no ``savefig``, whose layout pass gave the figure
  the course style's constrained layout after the first image (every later image drawn twice, the
  axes moving after the first move);
- one legend below the panels that never changes, drawn once into pixels, instead of a legend in
  each panel (each placed by a search over the curves at every drawing) and timescale values that
  mathtext re-parses at every move; the values are printed in the title and under the sliders;
- the title in pieces, so that mathtext parses its symbols once and only the numbers change;
  four intervals on each vertical axis; no minor ticks on a logarithmic time axis;
- an RGB PNG at compression level 1 (40 % less encoding time, an image a few percent larger).

The resolution makes little difference (the cost is per artist, not per pixel), so the image keeps
the page's width. ``benchmarks/bench_explorer.py`` measures an update against the former full redraw.
"""
from __future__ import annotations

import io
import re
import time
from typing import Optional, Sequence, Union

import matplotlib.pyplot as plt
import numpy as np
import PIL.Image
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.image import FigureImage
from matplotlib.layout_engine import ConstrainedLayoutEngine, PlaceHolderLayoutEngine
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.offsetbox import AnchoredOffsetbox, HPacker, TextArea
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import MaxNLocator

from ..plotting import COLORS, LIGHT
from ._examples import EXAMPLES
from ._ode import crossings, solve
from ._params import TMParams
from .phases import BIAS_DRIVERS, BiasRegimes, Phase, Region, phase_intervals
from ._trajectory import Trajectory

#: Colours of the order parameters: R_+ and R_- in their group's colour, M green, Q orange.
ORDER_PARAMETER_COLORS = {"R_plus": COLORS["+"], "R_minus": COLORS["-"], "M": "#2ca02c", "Q": "#ff7f0e"}
#: Background shades of the three phases of bias, keyed by driver (see :func:`~biascourse.tm.phases.bias_drivers`).
PHASE_COLORS = {"M": "#d9ead3", "R": "#fff2cc", "Q": "#e6e6e6"}
#: Colours of the phase-diagram regions.
REGION_COLORS = {
    Region.CONSISTENT_MINUS: COLORS["-"],
    Region.MINUS_AFTER_CROSSING: LIGHT["-"],
    Region.NO_PREFERENCE: "#bbbbbb",
    Region.PLUS_AFTER_CROSSING: LIGHT["+"],
    Region.CONSISTENT_PLUS: COLORS["+"],
    Region.DIVERGENT: "#ffffff",
}
REGION_LABELS = {
    Region.CONSISTENT_PLUS: "+ preferred throughout",
    Region.PLUS_AFTER_CROSSING: "+ preferred after a crossing",
    Region.MINUS_AFTER_CROSSING: "− preferred after a crossing",
    Region.CONSISTENT_MINUS: "− preferred throughout",
    Region.DIVERGENT: r"diverges ($\eta \geq \eta_{\max}$)",
}
_TIMESCALE_STYLE = {"tau_M": (":", r"$\tau_M$"), "tau_R": ("--", r"$\tau_R$"), "tau_Q": ("-.", r"$\tau_Q$")}
_OP_LABELS = {"R_plus": "$R_+$", "R_minus": "$R_-$", "M": "$M$", "Q": "$Q$"}


# ----- dynamics figures ------------------------------------------------------------------------


def time_grid(t_max: float, n_times: int = 400, log_time: bool = False) -> np.ndarray:
    """Times for a dynamics figure: linear on ``[0, t_max]``, or geometric from ``t_max / 1000``."""
    return np.geomspace(t_max * 1e-3, t_max, n_times) if log_time else np.linspace(0.0, t_max, n_times)


def plot_dynamics(
    params: TMParams,
    t_max: float,
    axes: Optional[Sequence[plt.Axes]] = None,
    *,
    log_time: bool = False,
    n_times: int = 400,
    phases: Union[bool, Sequence[Phase]] = True,
    timescales: bool = True,
    legend: bool = True,
    t_cross: Optional[np.ndarray] = None,
) -> tuple[Figure, np.ndarray]:
    """Per-group loss, per-group misclassification and order parameters from the theory (https://biascourse.github.io/biascourse/book/derivations/tm_dynamics.html#deriv-tm-closed-form, https://biascourse.github.io/biascourse/book/derivations/tm_model.html#deriv-tm-errors).

    Three panels: the MSE ``eps_+`` (blue), ``eps_-`` (red) and the total (purple) with the crossing
    times marked; the misclassification probabilities ``P_+-``; the order parameters ``R_+-, M, Q``.
    The phases of :func:`~biascourse.tm.phases.phase_intervals` are shaded behind every panel and
    the timescales ``tau_M`` (only when ``V > 0``), ``tau_R``, ``tau_Q`` are marked. A figure that
    is redrawn for many models (an animation, the live explorer) should keep a
    :class:`DynamicsPanels` and call its :meth:`~DynamicsPanels.update` instead.

    Parameters
    ----------
    params : a single model (``eta < eta_max``).
    t_max : horizon.
    axes : three axes to draw in (cleared first); default a new figure.
    log_time : logarithmic time axis (shows the fast phase of class imbalance better).
    n_times : number of time points.
    phases : shade the phases of bias (True, False, or the already computed intervals).
    timescales, legend : draw the timescale marks, the legends.
    t_cross : the crossing times, if already known (default: :func:`~biascourse.tm.crossings`).

    Returns
    -------
    fig, axes
    """
    if params.shape != ():
        raise ValueError(f"plot_dynamics needs a single parameter set; got params of shape {params.shape}")
    if axes is None:
        _, axes = plt.subplots(1, 3, figsize=(15, 4.6), layout="constrained")
    panels = DynamicsPanels(axes, timescales=timescales, legend=legend)
    panels.update(params, t_max, log_time=log_time, n_times=n_times, phases=phases, t_cross=t_cross)
    return panels.figure, panels.axes


class DynamicsPanels:
    """The three panels of :func:`plot_dynamics` as artists that are kept and moved to each new model.

    Building a panel (clearing the axes, creating ticks, legends and their text) costs more than
    drawing it. This object builds the curves, the crossing markers, the phase shading, the
    timescale marks and the legends once; :meth:`update` changes their data, and rebuilds a legend
    only when its entries change (a crossing appears, ``M`` is drawn or not, the set of phases
    changes). The axes, their ticks and their legends stay the same objects, so the panels do not
    move from one model to the next.

    Parameters
    ----------
    axes : three axes to draw in (cleared once, here).
    timescales, legend : draw the timescale marks, the legends.
    live : draw for speed, for a figure redrawn at every slider move (:class:`PhaseExplorer`): one
        legend below the panels whose entries never change (the curves' colours, the three phases,
        the timescale marks, without their values), drawn once into pixels at the figure's dpi,
        instead of a legend in each panel placed where it hides the least (a search at every
        drawing) and values that mathtext re-parses at every change; four intervals on each vertical axis and no minor ticks on a logarithmic time axis.
    """

    def __init__(self, axes: Sequence[plt.Axes], *, timescales: bool = True, legend: bool = True,
                 live: bool = False):
        axes = np.asarray(axes)
        if axes.shape != (3,):
            raise ValueError(f"axes must be three axes (loss, misclassification, order parameters); got shape {axes.shape}")
        self.axes = axes
        self.figure: Figure = axes[0].figure
        self.timescales, self.legend, self.live = timescales, legend, live
        for ax in axes:
            ax.clear()
            ax.set_axis_on()
        for old in list(self.figure.legends):
            old.remove()
        ax_loss, ax_err, ax_op = axes
        #: The curves, keyed by the :class:`~biascourse.tm.Trajectory` field they show.
        self.curves = {
            "eps_plus": ax_loss.plot([], [], color=COLORS["+"], label=r"$\epsilon_+$")[0],
            "eps_minus": ax_loss.plot([], [], color=COLORS["-"], label=r"$\epsilon_-$")[0],
            "eps": ax_loss.plot([], [], color=COLORS["total"], lw=1.4, alpha=0.8, label=r"$\epsilon$ (total)")[0],
            "err_plus": ax_err.plot([], [], color=COLORS["+"], label="$P_+$")[0],
            "err_minus": ax_err.plot([], [], color=COLORS["-"], label="$P_-$")[0],
            **{name: ax_op.plot([], [], color=color, label=_OP_LABELS[name])[0]
               for name, color in ORDER_PARAMETER_COLORS.items()},
        }
        self.crossing_marker = ax_loss.plot([], [], "o", color="k", ms=7, zorder=5, label="crossing")[0]
        # one mark per timescale and panel, at x = 1 until placed (valid on a logarithmic axis too)
        self.timescale_marks = {name: [ax.axvline(1.0, color="0.35", ls=style, lw=1.2, zorder=1, visible=False)
                                       for ax in axes] for name, (style, _) in _TIMESCALE_STYLE.items()}
        self.spans: list[list[Rectangle]] = [[] for _ in axes]
        titles = ("per-group loss (MSE)", "per-group misclassification", "order parameters")
        ylabels = (r"$\epsilon_c$", "$P_c$", "overlap")
        for ax, title, ylabel in zip(axes, titles, ylabels):
            ax.set_title(title)
            ax.set_xlabel("$t$ (steps / $N$)")
            ax.set_ylabel(ylabel)
            if live:
                ax.yaxis.set_major_locator(MaxNLocator(nbins=4, steps=[1, 2, 5, 10]))   # fewer ticks to draw
        #: A message shown instead of the panels (:meth:`show_message`).
        self.message = self.figure.text(0.5, 0.5, "", ha="center", va="center", wrap=True, fontsize=13,
                                        color="#b00020", visible=False)
        self.log_time = False
        self._legend_entries: list[tuple] = [()] * len(axes)
        self._figure_legend: Optional[Union[Legend, FigureImage]] = None
        self._figure_legend_entries: tuple = ()
        if legend and live:
            self._figure_legend = self._raster_legend(_live_legend_handles(timescales))

    def update(self, params: TMParams, t_max: float, *, log_time: bool = False, n_times: int = 400,
               phases: Union[bool, Sequence[Phase]] = True, t_cross: Optional[np.ndarray] = None) -> None:
        """Move every artist to the model ``params`` on ``[0, t_max]`` (arguments as :func:`plot_dynamics`)."""
        if params.shape != ():
            raise ValueError(f"DynamicsPanels.update needs a single parameter set; got params of shape {params.shape}")
        t = time_grid(t_max, n_times, log_time)
        sol = solve(params, t)
        if t_cross is None:
            t_cross = crossings(params, t_max, n_grid=1000)
        intervals = (phase_intervals(params, t_max) if phases else []) if isinstance(phases, bool) else list(phases)
        self.message.set_visible(False)
        for ax in self.axes:
            ax.set_visible(True)
        for name, line in self.curves.items():
            line.set_data(t, getattr(sol, name))
            line.set_visible(not (name == "M" and params.V == 0))
        t_cross = np.asarray(t_cross, dtype=float)
        self.crossing_marker.set_data(t_cross, solve(params, t_cross).eps_plus if len(t_cross) else [])
        self.crossing_marker.set_visible(len(t_cross) > 0)
        for ax, spans in zip(self.axes, self.spans):
            spans += shade_phases(ax, intervals[len(spans):])
            while len(spans) > len(intervals):
                spans.pop().remove()
            for span, phase in zip(spans, intervals):
                _place_span(span, phase)
        for name, marks in self.timescale_marks.items():
            value = float(getattr(params, name))
            shown = self.timescales and not (name == "tau_M" and params.V == 0) and 0 < value <= t_max
            for mark in marks:
                mark.set_xdata([value, value])
                mark.set_visible(shown)
        for ax in self.axes:
            if log_time != self.log_time:
                ax.set_xscale("log" if log_time else "linear")
                if self.live:
                    ax.minorticks_off()
            ax.set_xlim(t[0], t[-1])
            ax.relim(visible_only=True)
            ax.autoscale_view(scalex=False)
        self.log_time = log_time
        if self.legend and not self.live:
            self._update_legends()
            self._update_figure_legend(params, intervals)
        if self._figure_legend is not None:
            self._figure_legend.set_visible(True)

    def show_message(self, message: str) -> None:
        """Hide the panels and show ``message`` in their place (e.g. why a model cannot be drawn)."""
        for ax in self.axes:
            ax.set_visible(False)
        if self._figure_legend is not None:
            self._figure_legend.set_visible(False)
        self.message.set_text(message)
        self.message.set_visible(True)

    def _raster_legend(self, handles: list) -> FigureImage:
        # The live legend never changes: drawn once into pixels, placed where fig.legend would put
        # it, it costs a copy at each drawing instead of a fifth of the drawing's time.
        scratch = Figure(figsize=(self.figure.get_figwidth(), 1.5), dpi=self.figure.dpi,
                         facecolor=self.figure.get_facecolor())
        canvas = FigureCanvasAgg(scratch)
        legend = _phase_legend(scratch, handles, first_row=len(handles) // 2)
        canvas.draw()
        box = legend.get_window_extent(canvas.get_renderer())
        pixels = np.asarray(canvas.buffer_rgba())
        x0, x1 = int(np.floor(box.x0)), int(np.ceil(box.x1))
        y0, y1 = int(np.floor(box.y0)), int(np.ceil(box.y1))
        crop = pixels[pixels.shape[0] - y1:pixels.shape[0] - y0, x0:x1].copy()
        return self.figure.figimage(crop, xo=x0, yo=y0, origin="upper")

    def _update_legends(self) -> None:
        for i, ax in enumerate(self.axes):
            handles = [line for line in ax.get_lines() if line.get_visible() and not line.get_label().startswith("_")]
            entries = tuple(handles)
            if entries != self._legend_entries[i]:
                ax.legend(handles=handles, loc="best", fontsize=11)
                self._legend_entries[i] = entries

    def _update_figure_legend(self, params: TMParams, intervals: Sequence[Phase]) -> None:
        handles = _phase_legend_handles(params, intervals, self.timescales)
        entries = tuple((h.get_label().split(" = ")[0], type(h)) for h in handles)
        legend = self._figure_legend
        if legend is not None and entries == self._figure_legend_entries:
            for text, handle in zip(legend.get_texts(), handles):
                text.set_text(handle.get_label())
            return
        if legend is not None:
            legend.remove()
        self._figure_legend = _phase_legend(self.figure, handles, first_row=len({p.driver for p in intervals})) \
            if handles else None
        self._figure_legend_entries = entries


def shade_phases(ax: plt.Axes, intervals: Sequence[Phase]) -> list[Rectangle]:
    """Shade phases of bias (from :func:`~biascourse.tm.phases.phase_intervals`) behind an axes."""
    spans = []
    for phase in intervals:
        span = Rectangle((0.0, 0.0), 0.0, 1.0, transform=ax.get_xaxis_transform(), lw=0, zorder=0)
        ax.add_patch(span)
        _place_span(span, phase)
        spans.append(span)
    return spans


def _place_span(span: Rectangle, phase: Phase) -> None:
    span.set_x(phase.start)
    span.set_width(phase.end - phase.start)
    span.set_color(PHASE_COLORS[phase.driver])


def overlay_simulation(axes: Sequence[plt.Axes], sim: Trajectory, marker: str = "o", every: int = 1) -> None:
    """Add simulation points (seed mean ± standard error) to the three panels of :func:`plot_dynamics`.

    ``sim`` comes from :func:`~biascourse.tm.simulate`; ``every`` thins the recorded times.
    """
    if sim.seeds is None:
        raise ValueError("overlay_simulation needs a simulation (tm.simulate), not a theory trajectory")
    sel = slice(None, None, every)
    t = sim.t[sel]
    panels = ((axes[0], ("eps_plus", "eps_minus")), (axes[1], ("err_plus", "err_minus")),
              (axes[2], tuple(name for name in ORDER_PARAMETER_COLORS if not (name == "M" and sim.params.V == 0))))
    colors = {"eps_plus": COLORS["+"], "eps_minus": COLORS["-"], "err_plus": COLORS["+"], "err_minus": COLORS["-"],
              **ORDER_PARAMETER_COLORS}
    for ax, names in panels:
        for name in names:
            mean, sem = sim.mean(name)[sel], sim.sem(name)[sel]
            ax.errorbar(t, mean, yerr=None if np.all(np.isnan(sem)) else sem, fmt=marker, ms=4.5, mfc="white",
                        mec=colors[name], ecolor=colors[name], mew=1.3, lw=1, zorder=4)
    n = len(sim.seeds)
    handle = Line2D([], [], ls="", marker=marker, mfc="white", mec="0.2", label=f"simulation ({n} seeds)")
    handles, labels = axes[0].get_legend_handles_labels()
    axes[0].legend(handles + [handle], labels + [handle.get_label()], loc="best", fontsize=11)


def _phase_legend_handles(params: TMParams, intervals: Sequence[Phase], timescales: bool) -> list:
    drivers = list(dict.fromkeys(phase.driver for phase in intervals))
    handles = [Patch(color=PHASE_COLORS[d], label=f"{BIAS_DRIVERS[d]} ({d} drives the bias)") for d in drivers]
    for name, (style, text) in _TIMESCALE_STYLE.items():
        if timescales and not (name == "tau_M" and params.V == 0):
            handles.append(Line2D([], [], color="0.35", ls=style, lw=1.2, label=f"{text} = {float(getattr(params, name)):.3g}"))
    return handles


def _live_legend_handles(timescales: bool) -> list:
    curves = [Line2D([], [], color=COLORS["+"], label="group +"), Line2D([], [], color=COLORS["-"], label="group −"),
              Line2D([], [], color=COLORS["total"], label="total"),
              Line2D([], [], ls="", marker="o", color="k", ms=7, label="crossing"),
              *(Line2D([], [], color=ORDER_PARAMETER_COLORS[name], label=_OP_LABELS[name]) for name in ("M", "Q"))]
    marks = [Patch(color=PHASE_COLORS[d], label=f"{BIAS_DRIVERS[d]} ({d})") for d in BIAS_DRIVERS]
    if timescales:
        marks += [Line2D([], [], color="0.35", ls=style, lw=1.2, label=text) for style, text in _TIMESCALE_STYLE.values()]
    # a legend fills its columns first: interleave, so that the curves make the first row
    return [h for pair in zip(curves, marks) for h in pair] + curves[len(marks):]


def _phase_legend(fig: Figure, handles: list, first_row: int) -> Legend:
    constrained = isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine)
    # two rows (e.g. the phases, then the timescales): the legend stays within the figure's width
    return fig.legend(handles=handles, loc="outside lower center" if constrained else "lower center",
                      ncol=max(first_row, len(handles) - first_row), fontsize=11, frameon=False)


# ----- phase diagram ---------------------------------------------------------------------------


def plot_phase_diagram(
    regimes: BiasRegimes, ax: Optional[plt.Axes] = None, *, rules: bool = True, legend: bool = True
) -> plt.Axes:
    """Colour a phase diagram from :func:`~biascourse.tm.phases.phase_diagram` (https://biascourse.github.io/biascourse/book/derivations/tm_phases.html#deriv-phases-diagram).

    Blue/red: the group preferred asymptotically; dark: the preference never changes; light: it
    changes (a crossing); white: the dynamics diverge. With ``rules`` the small-eta boundaries
    ``Delta_- = Delta_+`` and ``rho sqrt(Delta_+) = (1 - rho) sqrt(Delta_-)`` are drawn dashed.
    """
    p = regimes.params
    rho = np.broadcast_to(p.rho, p.shape)[:, 0]
    ratio = np.broadcast_to(p.delta_minus / p.delta_plus, p.shape)[0, :]
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 5.2), layout="constrained")
    codes = sorted(REGION_COLORS)
    cmap = ListedColormap([REGION_COLORS[c] for c in codes])
    index = np.searchsorted(codes, regimes.region)
    ax.pcolormesh(rho, ratio, index.T, cmap=cmap, vmin=-0.5, vmax=len(codes) - 0.5, shading="nearest",
                  rasterized=True)
    if regimes.diverged.any():   # white on white: outline the stability bound eta = eta_max
        ax.contour(rho, ratio, regimes.diverged.T.astype(float), levels=[0.5], colors="0.2", linewidths=1.3)
    ax.set_yscale("log")
    ax.set_xlabel(r"representation $\rho$ (fraction of group +)")
    ax.set_ylabel(r"variance ratio $\Delta_- / \Delta_+$")
    ax.set_title(rf"$\eta = {float(np.max(p.eta)):g}$")
    ax.grid(False)
    if rules:
        fine = np.linspace(rho.min(), rho.max(), 400)
        curve = (fine / (1 - fine)) ** 2
        keep = (curve >= ratio.min()) & (curve <= ratio.max())
        ax.plot(fine[keep], curve[keep], "k--", lw=1.3)
        ax.axhline(1.0, color="k", ls="--", lw=1.3)
    if legend:
        handles = [Patch(facecolor=REGION_COLORS[c], edgecolor="0.2" if c == Region.DIVERGENT else "0.5",
                         label=REGION_LABELS[c]) for c in REGION_LABELS]
        if rules:
            handles.append(Line2D([], [], color="k", ls="--", lw=1.3, label=r"small-$\eta$ rules"))
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=11, frameon=False)
    return ax


# ----- live explorer ---------------------------------------------------------------------------

_SLIDERS = {
    # name: (widget, min, max, step, description)
    "rho": ("lin", 0.02, 0.98, 0.01, "ρ"),
    "delta_plus": ("log", -1.5, 0.7, 0.01, "Δ₊"),
    "delta_minus": ("log", -1.5, 0.7, 0.01, "Δ₋"),
    "v": ("lin", 0.0, 6.0, 0.05, "v"),
    "T": ("lin", -1.0, 1.0, 0.01, "T"),
    "alpha_plus": ("lin", -2.0, 2.0, 0.01, "α₊"),
    "alpha_minus": ("lin", -2.0, 2.0, 0.01, "α₋"),
    "m_plus": ("lin", -3.0, 3.0, 0.05, "m₊"),
    "m_minus": ("lin", -3.0, 3.0, 0.05, "m₋"),
    "eta": ("log", -3.0, 0.3, 0.01, "η"),
}


class PhaseExplorer:
    """Live explorer of the phases of bias: sliders for the model, the dynamics figure redrawn on change.

    Sliders for ``rho``, ``Delta_+-``, ``v``, ``T``, ``alpha_+-``, the teacher-shift overlaps ``m_+-``
    and ``eta``; a checkbox for a logarithmic time axis. Each change recomputes the theory
    (:func:`plot_dynamics`; horizon ``6 max(tau_M, tau_R, tau_Q)``) and prints the timescales, the
    crossing times and the phases. A parameter set that :class:`~biascourse.tm.TMParams` rejects
    (e.g. a teacher/shift geometry that is not positive semi-definite), or one that diverges
    (``eta >= eta_max``), shows its message instead of a figure.

    In Jupyter, display the object (make it the last expression of a cell): the controls appear
    with the figure below them as an ordinary image output, which is updated in place (the
    artists are kept and moved, one drawing per image: see the module's notes on speed). When the
    notebook is executed without a browser (the website build), that image is the default figure.

    Parameters
    ----------
    params : starting model; default the "three_phase" set of https://biascourse.github.io/biascourse/book/derivations/tm_phases.html#deriv-phases-examples.
    log_time : start with a logarithmic time axis.

    Examples
    --------
    >>> explorer = PhaseExplorer()
    >>> explorer.sliders["rho"].value = 0.6      # redraws
    >>> explorer.params.rho
    0.6
    """

    def __init__(self, params: Optional[TMParams] = None, log_time: bool = False):
        import ipywidgets as widgets

        start = params if params is not None else EXAMPLES["three_phase"].params
        if start.shape != ():
            raise ValueError(f"PhaseExplorer needs a single parameter set; got params of shape {start.shape}")
        self.sliders = {}
        for name, (kind, low, high, step, text) in _SLIDERS.items():
            value = float(getattr(start, name))
            common = dict(description=text, step=step, continuous_update=False, readout_format=".3g",
                          layout=widgets.Layout(width="300px"))
            if kind == "log":
                slider = widgets.FloatLogSlider(value=value, base=10, min=low, max=high, **common)
            else:
                slider = widgets.FloatSlider(value=float(np.clip(value, low, high)), min=low, max=high, **common)
            slider.observe(self._on_change, names="value")
            self.sliders[name] = slider
        self.log_time = widgets.Checkbox(value=log_time, description="log time axis")
        self.log_time.observe(self._on_change, names="value")
        self.status = widgets.HTML()
        names = list(self.sliders)
        columns = [widgets.VBox([self.sliders[n] for n in names[i:i + 4]]) for i in range(0, len(names), 4)]
        self.controls = widgets.VBox([widgets.HBox(columns + [widgets.VBox([self.log_time])]), self.status])
        # 1250 x 480 pixels: shown at the width of a page, its text stays readable. Fixed margins and
        # a layout engine that does nothing: one drawing per image, and the panels never move. (A
        # figure without an engine would get the course style's constrained layout from the first
        # savefig, which restores "no engine" as set_layout_engine(None), i.e. from the rcParams.)
        self.figure = Figure(figsize=(12.5, 4.8), dpi=100,
                             layout=PlaceHolderLayoutEngine(adjust_compatible=True, colorbar_gridspec=True))
        self._canvas = FigureCanvasAgg(self.figure)
        self.axes = np.asarray(self.figure.subplots(1, 3))
        self.figure.subplots_adjust(left=0.06, right=0.99, bottom=0.27, top=0.86, wspace=0.28)
        self.panels = DynamicsPanels(self.axes, live=True)
        self._title: Optional[AnchoredOffsetbox] = None
        self._title_areas: list[TextArea] = []
        self.params: Optional[TMParams] = None
        self.crossing_times = np.array([])
        self.phases: list[Phase] = []
        self.last_update_seconds = float("nan")
        self._handle = None
        self.redraw()

    def redraw(self) -> None:
        """Rebuild the model from the sliders, recompute the theory and redraw (and refresh the display)."""
        start = time.perf_counter()
        values = {name: float(slider.value) for name, slider in self.sliders.items()}
        try:
            params = TMParams(**values)
        except ValueError as err:
            self._show_problem(f"Invalid parameters: {err}")
            return
        if params.eta >= params.eta_max:
            self._show_problem(
                f"The dynamics diverge: η = {params.eta:.3g} ≥ η_max = 2Δ^mix/Δ^2mix = {float(params.eta_max):.3g} "
                "(the student norm Q grows without bound). Lower η."
            )
            return
        self.params = params
        t_max = 6 * float(max(params.tau_M, params.tau_R, params.tau_Q))
        self.crossing_times = crossings(params, t_max, n_grid=1000)
        self.phases = phase_intervals(params, t_max)
        self.panels.update(params, t_max, log_time=self.log_time.value, phases=self.phases, t_cross=self.crossing_times)
        self._set_title(self._summary(params, html=False))
        self.status.value = self._summary(params, html=True)
        self._refresh()
        self.last_update_seconds = time.perf_counter() - start

    @property
    def title(self) -> str:
        """The figure's title as written (mathtext), empty when a message replaces the figure."""
        shown = self._title is not None and self._title.get_visible()
        return "".join(area.get_text() for area in self._title_areas) if shown else ""

    def _set_title(self, text: str) -> None:
        # The title in pieces, the mathtext symbols apart from the numbers: mathtext parses a string
        # again whenever it changes, so only the plain-text numbers change from one model to the next.
        pieces = [piece for piece in re.split(r"(\$[^$]*\$)", text) if piece]
        if len(pieces) != len(self._title_areas):
            if self._title is not None:
                self._title.remove()
            self._title_areas = [TextArea(piece, textprops={"fontsize": 13}) for piece in pieces]
            self._title = AnchoredOffsetbox(
                "upper center", child=HPacker(children=self._title_areas, align="baseline", pad=0, sep=0),
                pad=0.4, borderpad=0, frameon=False, bbox_to_anchor=(0.5, 1.0), bbox_transform=self.figure.transFigure)
            self.figure.add_artist(self._title)
        for area, piece in zip(self._title_areas, pieces):
            area.set_text(piece)
        if self._title is not None:
            self._title.set_visible(bool(pieces))

    def png(self) -> bytes:
        """The current figure as PNG bytes (drawn by Agg directly: no savefig, no layout pass)."""
        self._canvas.draw()
        buffer = io.BytesIO()
        # RGB (the figure is opaque) and zlib level 1: 40 % less encoding time than RGBA at the
        # default level, for an image a few percent larger
        PIL.Image.frombuffer("RGBA", self._canvas.get_width_height(), self._canvas.buffer_rgba(), "raw", "RGBA", 0, 1) \
            .convert("RGB").save(buffer, format="png", compress_level=1)
        return buffer.getvalue()

    def _on_change(self, _change) -> None:
        self.redraw()

    def _summary(self, params: TMParams, html: bool) -> str:
        # Subscripts as the reader sees them: HTML tags under the sliders, mathtext on the figure.
        sub = (lambda base, index: f"{base}<sub>{index}</sub>") if html else \
            (lambda base, index: f"${base}_{{{index}}}$")
        tau_symbol = "τ" if html else r"\tau"
        eta_symbol = "η" if html else r"\eta"
        tau = [(sub(tau_symbol, "M"), params.tau_M)] if params.V > 0 else []
        tau += [(sub(tau_symbol, "R"), params.tau_R), (sub(tau_symbol, "Q"), params.tau_Q)]
        times = ", ".join(f"{name} = {float(value):.3g}" for name, value in tau)
        cross = ", ".join(f"{c:.3g}" for c in self.crossing_times) or "none"
        eta_max = sub(eta_symbol, "max" if html else r"\max")
        text = f"{times};  {eta_max} = {float(params.eta_max):.3g};  crossings at t = {cross}"
        if not html:
            return text
        phases = "; ".join(f"{BIAS_DRIVERS[p.driver]} [{p.start:.3g}, {p.end:.3g}]" for p in self.phases)
        return f"<b>{text}</b><br>phases: {phases}"

    def _show_problem(self, message: str) -> None:
        self.params = None
        self.crossing_times = np.array([])
        self.phases = []
        self.status.value = f"<span style='color:#b00020'><b>{message}</b></span>"
        self.panels.show_message(message)
        self._set_title("")
        self._refresh()

    def _refresh(self) -> None:
        if self._handle is not None:
            from IPython.display import Image

            self._handle.update(Image(data=self.png()))

    def _ipython_display_(self) -> None:
        from IPython.display import Image, display

        display(self.controls)
        self._handle = display(Image(data=self.png()), display_id=True)
