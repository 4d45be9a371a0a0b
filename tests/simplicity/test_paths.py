"""Tests of the interpolation-path spectrum (https://biascourse.github.io/biascourse/book/derivations/simplicity_biases.html#deriv-simp-paths)."""
import numpy as np
import pytest
import torch

from biascourse.simplicity import (
    band_energy_ratios,
    detrend,
    high_frequency_fraction,
    interpolation_path,
    logit_margin,
    path_outputs,
    sample_pairs,
)

M = 64


def test_pure_three_cycle_sine_without_detrending():
    h = np.sin(2 * np.pi * 3 * np.arange(M) / M)
    bands = band_energy_ratios(h, detrended=False)
    assert bands[2] == pytest.approx(1.0, abs=1e-15)
    assert high_frequency_fraction(h, 3, detrended=False) == pytest.approx(1.0, abs=1e-15)
    assert high_frequency_fraction(h, 4, detrended=False) < 1e-28


def test_ramp_leaks_without_detrending_and_has_no_energy_with_it():
    s = np.linspace(0, 1, M)
    assert high_frequency_fraction(s, 2, detrended=False) == pytest.approx(0.39188, abs=5e-6)
    assert np.isnan(high_frequency_fraction(s, 2))
    assert np.all(np.isnan(band_energy_ratios(3.0 - 2.0 * s)))
    assert np.isnan(high_frequency_fraction(np.zeros(M), 1))


@pytest.mark.parametrize(
    "width, detrended_value, raw_value",
    [(0.2, 0.0003, 0.128), (0.05, 0.0027, 0.068), (0.01, 0.0933, 0.072)],
)
def test_sigmoid_steps_match_the_note_table(width, detrended_value, raw_value):
    s = np.linspace(0, 1, M)
    h = 1 / (1 + np.exp(-(s - 0.5) / width))
    assert round(float(high_frequency_fraction(h, 4)), 4) == detrended_value
    assert round(float(high_frequency_fraction(h, 4, detrended=False)), 3) == raw_value


def test_detrend_removes_lines_and_means():
    s = np.linspace(0, 1, 10)
    np.testing.assert_allclose(detrend(2 + 5 * s), 0, atol=1e-14)
    h = np.random.default_rng(0).standard_normal((3, 10))
    out = detrend(h)
    np.testing.assert_allclose(out.mean(axis=-1), 0, atol=1e-14)
    np.testing.assert_allclose(out[:, 0], out[:, -1], atol=1e-14)


def test_band_ratios_sum_to_one_and_batch():
    h = np.random.default_rng(1).standard_normal((4, 5, M))
    bands = band_energy_ratios(h)
    assert bands.shape == (4, 5, M // 2)
    np.testing.assert_allclose(bands.sum(axis=-1), 1.0, atol=1e-12)
    np.testing.assert_allclose(high_frequency_fraction(h, 1), 1.0, atol=1e-12)
    np.testing.assert_allclose(high_frequency_fraction(h, 5), bands[..., 4:].sum(axis=-1))
    with pytest.raises(ValueError, match="k must be"):
        high_frequency_fraction(h, M)


def test_interpolation_path_is_the_segment():
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((2, 3, 7))
    path = interpolation_path(a, b, 5)
    assert path.shape == (3, 5, 7)
    np.testing.assert_allclose(path[:, 0], a)
    np.testing.assert_allclose(path[:, -1], b)
    np.testing.assert_allclose(path[:, 2], (a + b) / 2)
    with pytest.raises(ValueError, match="n_points"):
        interpolation_path(a, b, 2)


def test_logit_margin_hand_computed():
    logits = np.array([[2.0, 1.0, -1.0], [0.0, 3.0, 1.0]])
    np.testing.assert_allclose(logit_margin(logits, np.array([0, 0])), [1.0, -3.0])
    np.testing.assert_allclose(logit_margin(logits, np.array([2, 1])), [-3.0, 2.0])


def test_sample_pairs_respects_the_class_condition():
    labels = np.repeat(np.arange(4), 5)
    same = sample_pairs(labels, 50, same_class=True, seed=0)
    diff = sample_pairs(labels, 50, same_class=False, seed=0)
    assert np.all(labels[same[:, 0]] == labels[same[:, 1]]) and np.all(same[:, 0] != same[:, 1])
    assert np.all(labels[diff[:, 0]] != labels[diff[:, 1]])
    np.testing.assert_array_equal(same, sample_pairs(labels, 50, same_class=True, seed=0))


def test_linear_two_class_model_has_no_energy_along_paths():
    """A linear model's margin is linear along a segment: the detrended spectrum is empty."""
    rng = np.random.default_rng(3)
    model = torch.nn.Linear(6, 2).double()
    x = rng.standard_normal((10, 6))
    labels = np.arange(10) % 2
    pairs = sample_pairs(labels, 8, same_class=False, seed=1)
    h = path_outputs(model, x, labels, pairs, n_points=32, output="margin")
    assert h.shape == (8, 32)
    np.testing.assert_allclose(h[:, 0], logit_margin(model(torch.tensor(x[pairs[:, 0]])),
                                                     labels[pairs[:, 0]]), rtol=1e-12)
    assert np.all(np.isnan(high_frequency_fraction(h, 2)))


def test_survey_ratio_of_a_pure_sine_splits_between_k_and_minus_k():
    from biascourse.simplicity import log_energy_ratios

    sine = np.sin(2 * np.pi * 3 * np.arange(M) / M)
    ratios = log_energy_ratios(np.broadcast_to(sine, (4, 2, M)))  # 4 paths, 2 classes
    assert ratios.shape == (M // 2 + 1,)
    assert ratios[3] == pytest.approx(np.log(0.5), abs=1e-12)  # bins 3 and M - 3 share the power
    assert np.all(np.exp(np.delete(ratios, 3)) < 1e-25)


def test_survey_ratio_averages_power_over_classes_hand_computed():
    from biascourse.simplicity import log_energy_ratios

    m = np.arange(M)
    # class 0: sine of 3 cycles, power (M/2)^2 in bins 3 and M-3; class 1: amplitude 2 at 5 cycles,
    # power M^2 in bins 5 and M-5. A_3 = M^2/8, A_5 = M^2/2, total 5 M^2/4.
    outputs = np.stack([np.sin(2 * np.pi * 3 * m / M), 2 * np.sin(2 * np.pi * 5 * m / M)])[None]
    ratios = log_energy_ratios(outputs)
    assert ratios[3] == pytest.approx(np.log(1 / 10), abs=1e-12)
    assert ratios[5] == pytest.approx(np.log(2 / 5), abs=1e-12)
    np.testing.assert_allclose(np.exp(log_energy_ratios(3.7 * outputs)), np.exp(ratios), atol=1e-14)  # scale-free


def test_survey_ratio_of_a_ramp_keeps_the_mean_and_the_leakage_unless_detrended():
    from biascourse.simplicity import log_energy_ratios

    s = np.linspace(0, 1, M)
    j = np.arange(1, M)
    leak = M**2 / (4 * (M - 1) ** 2 * np.sin(np.pi * j / M) ** 2)  # |DFT_j|^2 of the ramp, j >= 1
    total = M**2 / 4 + leak.sum()  # bin 0 holds (M/2)^2
    ratios = log_energy_ratios(s[None, None])
    assert ratios[0] == pytest.approx(np.log(M**2 / 4 / total), abs=1e-12)
    np.testing.assert_allclose(ratios[1:], np.log(leak[: M // 2] / total), atol=1e-12)
    assert np.all(np.isnan(log_energy_ratios(s[None, None], detrended=True)))
    ones = log_energy_ratios(np.ones((2, 3, M)))
    assert ones[0] == 0.0 and np.all(np.isneginf(ones[1:]))
    with pytest.raises(ValueError, match="outputs must have shape"):
        log_energy_ratios(np.ones((3, M)))
