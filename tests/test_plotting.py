"""The course's plot style."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from biascourse import plotting  # noqa: E402


def test_group_colours_are_fixed():
    assert plotting.group_color("+") == plotting.group_color(1) == plotting.COLORS["+"]
    assert plotting.group_color("-") == plotting.group_color(-1) == plotting.COLORS["-"]
    assert plotting.group_color("total") == plotting.COLORS["total"]
    assert plotting.group_color("+", light=True) == plotting.LIGHT["+"]
    # + blue, - red, total purple: check the dominant channel of each colour.
    rgb = {k: matplotlib.colors.to_rgb(v) for k, v in plotting.COLORS.items()}
    assert np.argmax(rgb["+"]) == 2 and np.argmax(rgb["-"]) == 0
    assert rgb["total"][0] > rgb["total"][1] and rgb["total"][2] > rgb["total"][1]


def test_unknown_group():
    with pytest.raises(ValueError, match="group must be"):
        plotting.group_color("x")


def test_style_sets_projector_fonts():
    plotting.use_style()
    assert matplotlib.rcParams["font.size"] >= 12
    assert matplotlib.rcParams["axes.labelsize"] >= 13


def test_mean_std_band_draws_the_mean_and_band():
    runs = np.array([[0.0, 1.0, 2.0], [2.0, 3.0, 4.0]])
    fig, ax = plt.subplots()
    plotting.mean_std_band(ax, [0, 1, 2], runs, plotting.COLORS["+"], label="mean")
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [1.0, 2.0, 3.0])
    band = ax.collections[0].get_paths()[0].vertices[:, 1]
    np.testing.assert_allclose([band.min(), band.max()], [1 - np.sqrt(2), 3 + np.sqrt(2)])
    plt.close(fig)
