"""Tests of biascourse.tm.explore: the chapter-4 figures and the live explorer, driven headless."""
import matplotlib

matplotlib.use("Agg")

import io
from dataclasses import replace

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.collections import QuadMesh
from matplotlib.layout_engine import ConstrainedLayoutEngine

from biascourse import plotting
from biascourse.plotting import COLORS, LIGHT
from biascourse.tm import EXAMPLES, TMParams, crossings, phases, simulate, solve
from biascourse.tm import explore
from biascourse.tm.explore import PhaseExplorer

THREE_PHASE = EXAMPLES["three_phase"].params
CENTRED = EXAMPLES["centred_crossing"].params


@pytest.fixture(autouse=True)
def _close_figures():
    with matplotlib.rc_context():
        yield
    plt.close("all")


class _FakeHandle:
    """Stands in for IPython's DisplayHandle: records the images the explorer pushes."""

    def __init__(self):
        self.images = []

    def update(self, obj):
        self.images.append(obj)


def _curve(ax, label):
    return next(line for line in ax.get_lines() if line.get_label() == label)


def test_explorer_starts_on_the_three_phase_set_with_its_crossings():
    explorer = PhaseExplorer()
    assert explorer.params == THREE_PHASE
    t_max = 6 * float(max(THREE_PHASE.tau_M, THREE_PHASE.tau_R, THREE_PHASE.tau_Q))
    np.testing.assert_allclose(explorer.crossing_times, crossings(THREE_PHASE, t_max), rtol=1e-9)
    assert len(explorer.crossing_times) == 2
    assert "crossings at t = 10.7, 76.6" in explorer.status.value
    assert "τ<sub>M</sub> = 1.2" in explorer.status.value and "class imbalance" in explorer.status.value
    assert r"$\tau_{M}$ = 1.2" in explorer.title                     # subscripts, no literal underscores
    assert explorer.title == explorer._summary(THREE_PHASE, html=False)
    assert [p.driver for p in explorer.phases] == ["M", "R", "Q"]
    line = _curve(explorer.axes[0], r"$\epsilon_-$")
    t, eps = line.get_data()
    np.testing.assert_allclose(eps, solve(THREE_PHASE, t).eps_minus, rtol=1e-12)
    assert line.get_color() == COLORS["-"]


def test_driving_a_slider_recomputes_the_theory_and_updates_the_display():
    explorer = PhaseExplorer()
    handle = _FakeHandle()
    explorer._handle = handle
    explorer.sliders["rho"].value = 0.6
    assert explorer.params.rho == 0.6
    new = TMParams(**{**{k: float(getattr(THREE_PHASE, k)) for k in explore._SLIDERS}, "rho": 0.6})
    t, eps = _curve(explorer.axes[0], r"$\epsilon_+$").get_data()
    np.testing.assert_allclose(eps, solve(new, t).eps_plus, rtol=1e-12)
    assert len(handle.images) == 1 and handle.images[0].data[:8] == b"\x89PNG\r\n\x1a\n"
    explorer.log_time.value = True
    assert explorer.axes[0].get_xscale() == "log" and len(handle.images) == 2
    assert explorer.last_update_seconds > 0


def test_centred_start_has_no_shift_panel_and_one_crossing():
    explorer = PhaseExplorer(CENTRED)
    labels = [line.get_label() for line in explorer.axes[2].get_lines() if line.get_visible()]
    assert "$M$" not in labels and "$Q$" in labels
    assert len(explorer.crossing_times) == 1
    assert "τ<sub>M</sub>" not in explorer.status.value


def test_invalid_geometry_shows_the_validation_message_instead_of_a_traceback():
    explorer = PhaseExplorer()
    explorer._handle = _FakeHandle()
    explorer.sliders["v"].value = 0.1
    explorer.sliders["m_plus"].value = 1.0            # |m_+| > v: not positive semi-definite
    assert explorer.params is None
    assert "positive semi-definite" in explorer.status.value
    message = explorer.panels.message
    assert message.get_visible() and "positive semi-definite" in message.get_text()
    assert not any(ax.get_visible() for ax in explorer.axes)
    explorer.sliders["m_plus"].value = 0.0            # valid again: the figure comes back
    assert explorer.params is not None and explorer.params.m_plus == 0.0
    assert all(ax.get_visible() for ax in explorer.axes) and not message.get_visible()
    assert explorer.axes[0].get_lines()


def test_divergent_learning_rate_is_reported():
    explorer = PhaseExplorer(CENTRED)
    explorer.sliders["eta"].value = 1.9                # eta_max = 1.6
    assert explorer.params is None
    assert "diverge" in explorer.status.value and "η_max" in explorer.status.value
    assert explorer.title == "" and explorer.panels.message.get_visible()


def test_explorer_can_start_on_a_divergent_model_and_recover():
    explorer = PhaseExplorer(replace(CENTRED, eta=1.9))
    assert explorer.params is None and explorer.title == "" and explorer.png()[:4] == b"\x89PNG"
    explorer.sliders["eta"].value = 0.1
    assert explorer.params is not None and "crossings at t" in explorer.title


def test_every_slider_end_keeps_the_explorer_working():
    explorer = PhaseExplorer()
    for name, slider in explorer.sliders.items():
        start = slider.value
        for end in (slider.min, slider.max):
            explorer.sliders[name].value = end        # never raises: a figure or a message
            assert explorer.params is not None or "<b>" in explorer.status.value
        explorer.sliders[name].value = start
    assert explorer.params == THREE_PHASE


def _moves(explorer, values=(0.6, 0.62, 0.7)):
    """Slider moves, one of them switching the time axis between linear and logarithmic."""
    for value in values:
        explorer.sliders["rho"].value = value
    explorer.log_time.value = not explorer.log_time.value
    explorer.sliders["delta_minus"].value = 2.0


def test_explorer_keeps_its_layout_engine_and_its_axes_do_not_move():
    # The course style asks for constrained layout; savefig used to hand the explorer's figure a
    # constrained engine after the first image (every later image drawn twice, the axes moved).
    plotting.use_style()
    explorer = PhaseExplorer()
    explorer._handle = _FakeHandle()
    engine = explorer.figure.get_layout_engine()
    first = explorer.png()
    positions = [ax.get_position().bounds for ax in explorer.axes]
    _moves(explorer)
    explorer.figure.savefig(io.BytesIO(), format="png")      # even a savefig by the reader changes nothing
    assert explorer.figure.get_layout_engine() is engine
    assert not isinstance(engine, ConstrainedLayoutEngine)
    assert [ax.get_position().bounds for ax in explorer.axes] == positions
    assert len(explorer.png()) > 0 and first[:8] == b"\x89PNG\r\n\x1a\n"


def test_explorer_draws_each_image_once():
    plotting.use_style()
    explorer = PhaseExplorer()
    draws = []
    explorer.figure.canvas.mpl_connect("draw_event", lambda event: draws.append(event))
    explorer._handle = _FakeHandle()
    explorer.sliders["rho"].value = 0.6
    explorer.sliders["rho"].value = 0.65
    assert len(draws) == 2 and len(explorer._handle.images) == 2


def test_explorer_moves_the_same_artists_to_the_new_model():
    explorer = PhaseExplorer()
    explorer._handle = _FakeHandle()
    curves = dict(explorer.panels.curves)
    marker, legend = explorer.panels.crossing_marker, explorer.panels._figure_legend
    tick = explorer.axes[0].yaxis.get_major_ticks()[0]
    _moves(explorer)
    assert explorer.panels.curves == curves and all(explorer.panels.curves[k] is line for k, line in curves.items())
    assert explorer.panels.crossing_marker is marker and explorer.figure.images == [legend] and legend.get_visible()
    assert explorer.axes[0].yaxis.get_major_ticks()[0] is tick       # ticks kept, not rebuilt
    assert len(explorer.axes[0].get_lines()) == 3 + 1 + 3     # loss curves, crossings, timescale marks: no new ones
    # the moved artists show the new model
    p = explorer.params
    assert p.rho == 0.7 and p.delta_minus == pytest.approx(2.0)
    t_max = 6 * float(max(p.tau_M, p.tau_R, p.tau_Q))
    t, err = curves["err_minus"].get_data()
    assert t[-1] == pytest.approx(t_max) and (t[0] == 0) == (not explorer.log_time.value)
    np.testing.assert_allclose(err, solve(p, t).err_minus, rtol=1e-12)
    np.testing.assert_allclose(marker.get_xdata(), crossings(p, t_max, n_grid=1000), rtol=1e-12)
    for ax, spans in zip(explorer.axes, explorer.panels.spans):
        assert [(s.get_x(), s.get_x() + s.get_width()) for s in spans] == \
            [pytest.approx((ph.start, ph.end)) for ph in explorer.phases]
        assert all(s in ax.patches for s in spans) and len(ax.patches) == len(spans)
    low, high = explorer.axes[1].get_ylim()
    assert low <= err.min() and err.max() <= high


def test_dynamics_panels_rebuild_a_legend_only_when_its_entries_change():
    fig, axes = plt.subplots(1, 3)
    panels = explore.DynamicsPanels(axes)
    panels.update(THREE_PHASE, 150.0)
    legend = axes[0].get_legend()
    panels.update(replace(THREE_PHASE, rho=0.75), 150.0)
    assert axes[0].get_legend() is legend                 # same entries: kept
    panels.update(CENTRED, 20.0)                           # V = 0: no M curve, one crossing
    assert "$M$" not in [t.get_text() for t in axes[2].get_legend().get_texts()]
    assert not panels.curves["M"].get_visible()
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert not any(r"\tau_M" in label for label in labels) and any(r"\tau_R" in label for label in labels)
    with pytest.raises(ValueError, match="three axes"):
        explore.DynamicsPanels(axes[:2])


def test_plot_dynamics_marks_crossings_phases_and_timescales():
    fig, axes = explore.plot_dynamics(THREE_PHASE, 150.0)
    assert len(axes) == 3
    crossing = _curve(axes[0], "crossing")
    np.testing.assert_allclose(crossing.get_xdata(), crossings(THREE_PHASE, 150.0), rtol=1e-9)
    spans = [p for p in axes[0].patches]
    assert len(spans) == 3                            # class imbalance, saliency, representation
    assert {round(line.get_xdata()[0], 6) for line in axes[0].get_lines()
            if line.get_visible() and line.get_linestyle() in (":", "--", "-.")} \
        == {round(float(THREE_PHASE.tau_M), 6), round(float(THREE_PHASE.tau_R), 6), round(float(THREE_PHASE.tau_Q), 6)}
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels[0].startswith("class imbalance") and labels[2].startswith("representation")


def test_overlay_simulation_adds_points_with_error_bars():
    fig, axes = explore.plot_dynamics(CENTRED, 20.0, phases=False)
    sim = simulate(CENTRED, N=60, t_max=20.0, seeds=3, n_times=5)
    explore.overlay_simulation(axes, sim)
    assert len(axes[0].containers) == 2 and len(axes[2].containers) == 3    # eps_+-; R_+-, Q (no M)
    x, y = axes[0].containers[0].lines[0].get_data()
    np.testing.assert_allclose(y, sim.mean("eps_plus"))
    assert "simulation (3 seeds)" in [t.get_text() for t in axes[0].get_legend().get_texts()]
    with pytest.raises(ValueError, match="needs a simulation"):
        explore.overlay_simulation(axes, solve(CENTRED, np.linspace(0, 1, 3)))


def test_phase_diagram_colours_follow_the_regions():
    rho, ratio = np.linspace(0.05, 0.95, 30), np.geomspace(0.1, 10, 20)
    diagram = phases.phase_diagram(rho, ratio, eta=0.5)
    ax = explore.plot_phase_diagram(diagram)
    mesh = next(c for c in ax.collections if isinstance(c, QuadMesh))
    colours = mesh.cmap(mesh.norm(np.asarray(mesh.get_array()).reshape(len(ratio), len(rho))))
    expected = {int(code): matplotlib.colors.to_rgba(colour) for code, colour in explore.REGION_COLORS.items()}
    for (i, j), code in np.ndenumerate(diagram.region):
        assert tuple(colours[j, i]) == expected[code]
    assert explore.REGION_COLORS[phases.Region.PLUS_AFTER_CROSSING] == LIGHT["+"]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("diverges" in text for text in legend) and r"small-$\eta$ rules" in legend
