"""Tests of the distributional-simplicity clones (https://biascourse.github.io/biascourse/book/derivations/simplicity_biases.html#deriv-simp-dsb)."""
import numpy as np
import pytest

from biascourse.simplicity import (
    class_statistics,
    covariance_factor,
    gaussian_transport_map,
    sample_clones,
    transport,
)


def random_covariance(d, rng):
    a = rng.standard_normal((d, d))
    return a @ a.T / d + 0.1 * np.eye(d)


def two_class_data(rng, n=3000, d=4):
    covs = [random_covariance(d, rng) for _ in range(2)]
    means = [rng.standard_normal(d), 3 + rng.standard_normal(d)]
    labels = np.arange(n) % 2
    x = np.stack([rng.multivariate_normal(means[c], covs[c]) for c in labels])
    return x, labels


def test_class_statistics_hand_computed():
    x = np.array([[0.0, 0.0], [2.0, 0.0], [1.0, 1.0], [1.0, 3.0]])
    stats = class_statistics(x, np.array([0, 0, 1, 1]))
    np.testing.assert_allclose(stats.means, [[1, 0], [1, 2]])
    np.testing.assert_allclose(stats.covariances, [[[1, 0], [0, 0]], [[0, 0], [0, 1]]])
    np.testing.assert_array_equal(stats.counts, [2, 2])
    np.testing.assert_allclose(stats.mean_variances, [0.5, 0.5])
    with pytest.raises(ValueError, match="needs >= 2 samples"):
        class_statistics(x, np.array([0, 0, 0, 1]))


def within_standard_errors(sample, mean, cov, n_se=4.0):
    """Sample mean and covariance of ``sample`` agree with (mean, cov) within n_se standard errors."""
    n = len(sample)
    se_mean = np.sqrt(np.diag(cov) / n)
    assert np.all(np.abs(sample.mean(axis=0) - mean) < n_se * se_mean)
    se_cov = np.sqrt((np.outer(np.diag(cov), np.diag(cov)) + cov**2) / n)
    assert np.all(np.abs(np.cov(sample, rowvar=False, bias=True) - cov) < n_se * se_cov)


@pytest.mark.parametrize("method", ["clip", "jitter"])
def test_gaussian_clones_have_the_class_means_and_covariances(method):
    rng = np.random.default_rng(0)
    x, labels = two_class_data(rng)
    stats = class_statistics(x, labels)
    clone_labels = np.repeat([0, 1], 50_000)
    clones = sample_clones(stats, clone_labels, "gaussian", seed=1, method=method)
    assert clones.shape == (100_000, 4)
    for c in range(2):
        within_standard_errors(clones[clone_labels == c], stats.means[c], stats.covariances[c])


def test_mean_clones_are_isotropic_with_the_class_mean():
    rng = np.random.default_rng(1)
    x, labels = two_class_data(rng)
    stats = class_statistics(x, labels)
    clone_labels = np.repeat([0, 1], 50_000)
    clones = sample_clones(stats, clone_labels, "mean", seed=2)
    for c in range(2):
        within_standard_errors(clones[clone_labels == c], stats.means[c], stats.mean_variances[c] * np.eye(4))


def test_singular_covariance_needs_clipping_or_jitter():
    """Like the always-black border pixels of Fashion-MNIST: a coordinate with zero variance."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((500, 3)) @ random_covariance(3, rng)
    x[:, 1] = 0.0
    cov = class_statistics(x, np.zeros(500, dtype=int)).covariances[0]
    with pytest.raises(np.linalg.LinAlgError):
        np.linalg.cholesky(cov)
    clip = covariance_factor(cov, "clip")
    np.testing.assert_allclose(clip @ clip.T, cov, atol=1e-12)
    jitter = covariance_factor(cov, "jitter", jitter=1e-5)
    np.testing.assert_allclose(jitter @ jitter.T, cov + 1e-5 * np.trace(cov) / 3 * np.eye(3), atol=1e-12)
    stats = class_statistics(x, np.zeros(500, dtype=int))
    clones = sample_clones(stats, np.zeros(1000, dtype=int), "gaussian", seed=0)
    assert np.all(np.abs(clones[:, 1]) < 1e-6)
    with pytest.raises(ValueError, match="method"):
        covariance_factor(cov, "svd")


def test_clones_are_reproducible_and_validated():
    rng = np.random.default_rng(4)
    stats = class_statistics(*two_class_data(rng, n=100))
    labels = np.array([0, 1, 1, 0])
    first, again = (sample_clones(stats, labels, "gaussian", 5) for _ in range(2))
    np.testing.assert_array_equal(first, again)
    with pytest.raises(ValueError, match="kind"):
        sample_clones(stats, labels, "uniform", 0)
    with pytest.raises(ValueError, match="labels"):
        sample_clones(stats, np.array([0, 2]), "mean", 0)


@pytest.mark.parametrize("diagonal", [True, False])
def test_transport_map_pushes_the_covariance_forward(diagonal):
    rng = np.random.default_rng(5)
    if diagonal:
        cov_a, cov_b = np.diag([1.0, 4.0, 0.25]), np.diag([2.0, 1.0, 9.0])
    else:
        cov_a, cov_b = random_covariance(5, rng), random_covariance(5, rng)
    a = gaussian_transport_map(cov_a, cov_b)
    np.testing.assert_allclose(a @ cov_a @ a.T, cov_b, atol=1e-10)
    np.testing.assert_allclose(a, a.T, atol=1e-12)
    assert np.linalg.eigvalsh(a).min() > 0  # the OT map is the gradient of a convex function
    if diagonal:
        np.testing.assert_allclose(a, np.diag(np.sqrt(np.diag(cov_b) / np.diag(cov_a))), atol=1e-12)


def test_transport_moves_the_mean_and_refuses_singular_covariances():
    rng = np.random.default_rng(6)
    x, labels = two_class_data(rng, n=400)
    stats = class_statistics(x, labels)
    np.testing.assert_allclose(transport(stats.means[0], stats, 0, 1, jitter=0.0), stats.means[1], atol=1e-12)
    edited = transport(x[labels == 0], stats, 0, 1, jitter=0.0)
    np.testing.assert_allclose(edited.mean(axis=0), stats.means[1], atol=1e-10)
    np.testing.assert_allclose(np.cov(edited, rowvar=False, bias=True), stats.covariances[1], atol=1e-10)
    singular = np.diag([1.0, 0.0])
    with pytest.raises(ValueError, match="jitter"):
        gaussian_transport_map(singular, np.eye(2))
    a = gaussian_transport_map(singular, np.eye(2), jitter=1e-3)
    reg = singular + 1e-3 * 0.5 * np.eye(2)
    np.testing.assert_allclose(a @ reg @ a.T, np.eye(2) + 1e-3 * np.eye(2), atol=1e-9)
