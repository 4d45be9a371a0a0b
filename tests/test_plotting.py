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


def test_range_band_never_leaves_the_runs():
    fig, ax = plt.subplots()
    runs = np.array([[0.0, 0.1], [0.02, 0.9], [0.01, 0.2]])
    plotting.mean_std_band(ax, [0, 1], runs, "k", band="range")
    plotting.bounded(ax, "error", 0, 1)
    (record,) = plotting.check_bounds(fig)
    assert record["drawn_min"] == 0.0 and record["drawn_max"] == 0.9
    plt.close(fig)
    with pytest.raises(ValueError, match="band must be one of"):
        plotting.mean_std_band(ax, [0, 1], runs, "k", band="iqr")


def test_bounded_figure_refuses_a_band_below_zero():
    fig, ax = plt.subplots()
    runs = np.array([[0.0, 0.1], [0.02, 0.9], [0.01, 0.2]])
    plotting.mean_std_band(ax, [0, 1], runs, "k")  # mean - std of the first column is below 0
    plotting.bounded(ax, "test error", 0, 1)
    with pytest.raises(ValueError, match=r"draws test error from -0.0\d+ .* outside its range \[0, 1\]"):
        plotting.check_bounds(fig)
    plt.close(fig)


def test_bounded_checks_error_bars_markers_and_the_x_axis():
    fig, ax = plt.subplots()
    ax.errorbar([0.1, 0.5], [0.5, 0.6], yerr=[[0.1, 0.1], [0.1, 0.45]], fmt="o")
    plotting.bounded(ax, "accuracy", 0, 1)
    with pytest.raises(ValueError, match="accuracy from 0.4 to 1.05"):
        plotting.check_bounds(fig)
    plotting.bounded(ax, "accuracy", 0, 1.1)
    plotting.bounded(ax, "ECE", 0, 1, axis="x")
    assert [r["quantity"] for r in plotting.check_bounds(fig)] == ["accuracy", "ECE"]
    ax.scatter([-0.2], [0.5])
    with pytest.raises(ValueError, match="ECE from -0.2"):
        plotting.check_bounds(fig)
    plt.close(fig)


def test_bounded_rejects_bad_declarations():
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="axis must be"):
        plotting.bounded(ax, "q", 0, 1, axis="z")
    with pytest.raises(ValueError, match="low must be below high"):
        plotting.bounded(ax, "q", 1, 0)
    with pytest.raises(ValueError, match="needs a lower bound"):
        plotting.bounded(ax, "q")
    plt.close(fig)


def test_show_returns_the_records_outside_a_notebook():
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0.2, 0.3])
    plotting.bounded(ax, "error", 0, 1)
    assert plotting.show(fig)[0]["drawn_max"] == 0.3
    plt.close(fig)


def test_reference_lines_in_axes_units_are_not_values_drawn():
    fig, ax = plt.subplots()
    ax.plot([1, 2], [0.2, 0.3])
    ax.axvline(1.5)                      # y runs over axes units 0..1, not data
    ax.axhline(0.25)                     # a data value on the y-axis: counted
    plotting.bounded(ax, "BiasAmp", -1, 1)
    (record,) = plotting.check_bounds(fig)
    assert record["drawn_min"] == 0.2 and record["drawn_max"] == 0.3


def test_bad_arguments_of_the_band_and_the_bounds_name_the_parameter():
    fig, ax = plt.subplots()
    runs = np.array([[0.0, 0.1], [0.02, 0.9]])
    with pytest.raises(ValueError, match=r"x must have one entry per point of the mean over axis 0, shape \(2,\); got \(3,\)"):
        plotting.mean_std_band(ax, [0, 1, 2], runs, "k")
    with pytest.raises(ValueError, match=r"axis must be an integer in \[-2, 1\]; got 2"):
        plotting.mean_std_band(ax, [0, 1], runs, "k", axis=2)
    with pytest.raises(ValueError, match="runs must not be empty"):
        plotting.mean_std_band(ax, [], np.zeros((3, 0)), "k")
    with pytest.raises(TypeError, match="runs must be an array of numbers"):
        plotting.mean_std_band(ax, [0, 1], "runs", "k")
    with pytest.raises(ValueError, match=r"high must be a finite number"):
        plotting.bounded(ax, "error", 0, float("nan"))
    with pytest.raises(TypeError, match=r"low must be a real number"):
        plotting.bounded(ax, "error", "0", 1)
    plt.close(fig)


def test_lines_in_axes_coordinates_are_not_values_drawn():
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0.4, 0.5])
    ax.plot([0, 1], [-3, 3], transform=ax.transAxes)  # an annotation line in axes units
    ax.bar([0.5], [0.7], width=0.1)                   # a bar in data units: counted
    plotting.bounded(ax, "accuracy", 0, 1)
    (record,) = plotting.check_bounds(fig)
    assert record["drawn_min"] == 0.0 and record["drawn_max"] == 0.7
    plt.close(fig)
