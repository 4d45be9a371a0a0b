"""Tests of biascourse.tm.explore: the chapter-4 figures and the live explorer, driven headless."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.collections import QuadMesh

from biascourse.plotting import COLORS, LIGHT
from biascourse.tm import EXAMPLES, TMParams, crossings, phases, simulate, solve
from biascourse.tm import explore
from biascourse.tm.explore import PhaseExplorer

THREE_PHASE = EXAMPLES["three_phase"].params
CENTRED = EXAMPLES["centred_crossing"].params


@pytest.fixture(autouse=True)
def _close_figures():
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
    assert r"$\tau_{M}$ = 1.2" in explorer.figure._suptitle.get_text()  # subscripts, no literal underscores
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
    labels = [line.get_label() for line in explorer.axes[2].get_lines()]
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
    assert any("positive semi-definite" in text.get_text() for text in explorer.axes[1].texts)
    explorer.sliders["m_plus"].value = 0.0            # valid again: the figure comes back
    assert explorer.params is not None and explorer.params.m_plus == 0.0
    assert explorer.axes[0].get_lines()


def test_divergent_learning_rate_is_reported():
    explorer = PhaseExplorer(CENTRED)
    explorer.sliders["eta"].value = 1.9                # eta_max = 1.6
    assert explorer.params is None
    assert "diverge" in explorer.status.value and "η_max" in explorer.status.value


def test_every_slider_end_keeps_the_explorer_working():
    explorer = PhaseExplorer()
    for name, slider in explorer.sliders.items():
        start = slider.value
        for end in (slider.min, slider.max):
            explorer.sliders[name].value = end        # never raises: a figure or a message
            assert explorer.params is not None or "<b>" in explorer.status.value
        explorer.sliders[name].value = start
    assert explorer.params == THREE_PHASE


def test_plot_dynamics_marks_crossings_phases_and_timescales():
    fig, axes = explore.plot_dynamics(THREE_PHASE, 150.0)
    assert len(axes) == 3
    crossing = _curve(axes[0], "crossing")
    np.testing.assert_allclose(crossing.get_xdata(), crossings(THREE_PHASE, 150.0), rtol=1e-9)
    spans = [p for p in axes[0].patches]
    assert len(spans) == 3                            # class imbalance, saliency, representation
    assert {round(line.get_xdata()[0], 6) for line in axes[0].get_lines() if line.get_linestyle() in (":", "--", "-.")} \
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
