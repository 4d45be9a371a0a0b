"""Tests of the 1-D spectral-bias measurement (https://biascourse.github.io/biascourse/book/derivations/simplicity_biases.html#deriv-simp-spectral)."""
import numpy as np
import pytest

from biascourse.simplicity import (
    RAHAMAN_FREQUENCIES,
    SpectralTarget,
    fourier_amplitudes,
    learning_times,
    normalised_amplitudes,
)


@pytest.mark.parametrize("profile", ["equal", "increasing"])
@pytest.mark.parametrize("seed", [0, 1, 7])
def test_target_itself_has_unit_normalised_amplitudes_and_no_other_energy(profile, seed):
    target = SpectralTarget.sample(seed, amplitudes=profile)
    y = target.values()
    np.testing.assert_allclose(normalised_amplitudes(y, target), 1.0, atol=1e-12)
    spectrum = fourier_amplitudes(y)
    others = np.setdiff1d(np.arange(spectrum.shape[-1]), target.frequencies)
    assert np.max(spectrum[others]) < 1e-13


def test_zero_predictor_has_zero_amplitudes():
    target = SpectralTarget.sample(3)
    np.testing.assert_array_equal(normalised_amplitudes(np.zeros(200), target), np.zeros(10))


def test_target_without_its_top_five_frequencies():
    target = SpectralTarget.sample(5, amplitudes="increasing")
    low = SpectralTarget(target.frequencies[:5], target.amplitudes[:5], target.phases[:5])
    np.testing.assert_allclose(normalised_amplitudes(low.values(), target), [1] * 5 + [0] * 5, atol=1e-12)


def test_batched_amplitudes_match_row_by_row():
    target = SpectralTarget.sample(2)
    ys = np.stack([target.values(), 0.5 * target.values(), np.zeros(200)])
    amps = normalised_amplitudes(ys[None], target)
    assert amps.shape == (1, 3, 10)
    np.testing.assert_allclose(amps[0, 1], 0.5, atol=1e-12)


def test_endpoint_grid_leaks_energy():
    """The note's pitfall: np.linspace(0, 1, N) includes the endpoint and is not periodic."""
    target = SpectralTarget.sample(11)
    y = target.values(np.linspace(0, 1, 200))
    assert np.max(np.abs(normalised_amplitudes(y, target) - 1)) > 1e-2


def test_sample_is_reproducible_and_has_the_note_amplitudes():
    a, b = SpectralTarget.sample(4), SpectralTarget.sample(4)
    assert a == b
    assert a.frequencies == RAHAMAN_FREQUENCIES == tuple(range(5, 55, 5))
    np.testing.assert_allclose(SpectralTarget.sample(4, "increasing").amplitudes, np.arange(1, 11) / 10)
    assert all(0 <= p < 2 * np.pi for p in a.phases)
    np.testing.assert_array_equal(a.grid, np.arange(200) / 200)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(frequencies=(5, 100), amplitudes=(1, 1), phases=(0, 0)), "frequencies"),
        (dict(frequencies=(5, 5), amplitudes=(1, 1), phases=(0, 0)), "distinct"),
        (dict(frequencies=(5,), amplitudes=(1, 1), phases=(0,)), "amplitudes"),
        (dict(frequencies=(5,), amplitudes=(-1,), phases=(0,)), "amplitudes"),
        (dict(frequencies=(5,), amplitudes=(1,), phases=(0,), n_points=3), "n_points"),
    ],
)
def test_target_validation(kwargs, match):
    with pytest.raises(ValueError, match=match):
        SpectralTarget(**kwargs)


def test_wrong_grid_size_is_refused():
    with pytest.raises(ValueError, match="n_points=200"):
        normalised_amplitudes(np.zeros(100), SpectralTarget.sample(0))


def test_learning_times_hand_computed():
    steps = np.array([0, 10, 100, 1000])
    amps = np.array([[0.0, 0.0, 0.0], [0.95, 0.2, 0.0], [0.8, 0.9, 0.1], [1.0, 1.0, 0.5]])
    np.testing.assert_array_equal(learning_times(steps, amps), [10, 100, np.nan])
    np.testing.assert_array_equal(learning_times(steps, amps, threshold=0.5), [10, 100, 1000])
    assert learning_times(steps, np.stack([amps, amps])).shape == (2, 3)
    with pytest.raises(ValueError, match="shape"):
        learning_times(steps[:3], amps)


def test_order_inversions_hand_computed():
    from biascourse.simplicity import order_inversions

    nan = np.nan
    assert order_inversions([10.0, 20.0, nan, nan]) == 0  # in order, the unlearned last
    assert order_inversions([20.0, 10.0, nan]) == 1
    assert order_inversions([nan, 5.0]) == 1  # a higher frequency learned, a lower one never
    assert order_inversions([5.0, 5.0, nan, nan]) == 0  # ties allowed
    np.testing.assert_array_equal(order_inversions(np.array([[3.0, 2.0, 1.0], [1.0, 2.0, 3.0]])), [3, 0])


def test_learning_times_accept_a_level_above_one_and_reject_a_non_positive_one():
    amplitudes = np.array([[0.0], [0.8], [1.2], [1.0]])  # an overshoot above 1 at step 2
    np.testing.assert_array_equal(learning_times([0, 1, 2, 3], amplitudes, threshold=1.1), [2.0])
    with pytest.raises(ValueError, match=r"threshold must be in \(0, inf\); got 0"):
        learning_times([0, 1, 2, 3], amplitudes, threshold=0.0)
