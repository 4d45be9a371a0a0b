"""Benchmark of the chapter-4 explorer (:class:`~biascourse.tm.explore.PhaseExplorer`), printed side by side.

One slider move recomputes the theory and replaces the figure's PNG image. Measured: the seconds
per slider move (the move of ``rho``, logarithmic time axis as in the notebook, course style on) of

- the former full redraw: ``plot_dynamics`` clears the three panels and builds every artist again,
  and ``savefig`` renders the PNG (which, after the first image, also runs a constrained-layout pass
  and draws the figure twice: the bug the explorer had);
- the explorer now: the same artists moved (``set_data``), one drawing by the Agg canvas, a legend
  drawn once into pixels, a title whose mathtext does not change, an RGB PNG at compression level 1.

Target: under 100 ms per move. The explorer's update is also split into its parts (the theory,
moving the artists, drawing, PNG encoding), each timed on its own. The alternatives are timed in
turn (interleaved repeats); each time is printed as median [min, max] and the speed-up is a ratio of
medians.

Usage: ``python benchmarks/bench_explorer.py [--moves N] [--quick]``
"""
from __future__ import annotations

import argparse
import io
import itertools
import time

import matplotlib

matplotlib.use("Agg")

import matplotlib as mpl  # noqa: E402
import numpy as np  # noqa: E402
from _timing import Timing, header, interleaved  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from PIL import Image  # noqa: E402

from biascourse import plotting  # noqa: E402
from biascourse.tm import TMParams, crossings  # noqa: E402
from biascourse.tm.explore import PhaseExplorer, plot_dynamics  # noqa: E402
from biascourse.tm.phases import phase_intervals  # noqa: E402

TARGET_SECONDS = 0.100


class _Handle:
    """Stands in for the notebook's display handle: keeps the last image, as the front end would."""

    def __init__(self):
        self.image = None

    def update(self, obj) -> None:
        self.image = obj


class FullRedraw:
    """The explorer's former update: clear and rebuild every artist, then ``savefig`` the PNG."""

    def __init__(self, explorer: PhaseExplorer):
        self.explorer = explorer
        self.figure = Figure(figsize=(12.5, 4.8), dpi=100, layout="none")
        self.axes = np.asarray(self.figure.subplots(1, 3))
        self.figure.subplots_adjust(left=0.06, right=0.99, bottom=0.31, top=0.86, wspace=0.28)

    def move(self, rho: float) -> bytes:
        params = TMParams(**{**_values(self.explorer), "rho": rho})
        t_max = 6 * float(max(params.tau_M, params.tau_R, params.tau_Q))
        t_cross = crossings(params, t_max, n_grid=1000)
        intervals = phase_intervals(params, t_max)
        plot_dynamics(params, t_max, self.axes, log_time=True, phases=intervals, t_cross=t_cross)
        self.figure.suptitle(self.explorer._summary(params, html=False), fontsize=13)
        buffer = io.BytesIO()
        with mpl.rc_context({"savefig.bbox": "standard"}):
            self.figure.savefig(buffer, format="png", dpi="figure")
        return buffer.getvalue()


def _values(explorer: PhaseExplorer) -> dict:
    return {name: float(slider.value) for name, slider in explorer.sliders.items()}


def parts(explorer: PhaseExplorer, rhos, repeats: int) -> dict[str, Timing]:
    """The explorer's update split into its parts, each timed on its own (median over ``repeats`` moves)."""
    times: dict[str, list[float]] = {"theory (crossings, phases)": [], "moving the artists (with the curves' solve)": [],
                                     "drawing (Agg)": [], "PNG encoding": []}
    panels, canvas = explorer.panels, explorer._canvas
    for rho, _ in zip(rhos, range(repeats)):
        params = TMParams(**{**_values(explorer), "rho": rho})
        t_max = 6 * float(max(params.tau_M, params.tau_R, params.tau_Q))
        start = time.perf_counter()
        t_cross, intervals = crossings(params, t_max, n_grid=1000), phase_intervals(params, t_max)
        theory = time.perf_counter()
        panels.update(params, t_max, log_time=True, phases=intervals, t_cross=t_cross)
        moved = time.perf_counter()
        canvas.draw()
        drawn = time.perf_counter()
        Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBA", 0, 1) \
            .convert("RGB").save(io.BytesIO(), format="png", compress_level=1)   # what png() does after drawing
        encoded = time.perf_counter() - drawn
        for name, seconds in zip(times, (theory - start, moved - theory, drawn - moved, encoded)):
            times[name].append(seconds)
    return {name: Timing(tuple(t)) for name, t in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--moves", type=int, default=30, help="slider moves timed per alternative (default 30)")
    parser.add_argument("--quick", action="store_true", help="5 moves (a smoke test of the script)")
    args = parser.parse_args()
    moves = 5 if args.quick else args.moves
    if moves < 1:
        raise SystemExit(f"--moves must be an integer in [1, inf); got {moves}")
    print(header() + "\n")
    plotting.use_style()                                   # as in the notebook: constrained layout asked for
    explorer = PhaseExplorer(log_time=True)
    explorer._handle = _Handle()
    before = FullRedraw(explorer)
    # every move goes to a new value, as a reader's moves do (no cached text or solution helps)
    new_rho = itertools.cycle(np.round(np.linspace(0.55, 0.95, 41), 2))
    old_rho = itertools.cycle(np.round(np.linspace(0.55, 0.95, 41), 2))

    def now():
        explorer.sliders["rho"].value = float(next(new_rho))

    def full():
        before.move(float(next(old_rho)))

    times = interleaved({"full redraw (before)": full, "kept artists (now)": now}, moves, warmup=True)
    old, new = times["full redraw (before)"], times["kept artists (now)"]
    print(f"one slider move of the chapter-4 explorer (median of {moves} moves, ms):")
    print(f"  {'full redraw (before)':<24s} {old.text('ms', 1e3, 4)}")
    print(f"  {'kept artists (now)':<24s} {new.text('ms', 1e3, 4)}")
    print(f"  speed-up {old.median / new.median:.1f}x;  target < {TARGET_SECONDS * 1e3:.0f} ms per move: "
          f"{'met' if new.median < TARGET_SECONDS else 'NOT met'} ({new.median * 1e3:.0f} ms)")
    print("\nwhere the explorer's update goes (each part timed on its own):")
    for name, timing in parts(explorer, new_rho, moves).items():
        print(f"  {name:<45s} {timing.text('ms', 1e3)}")


if __name__ == "__main__":
    main()
