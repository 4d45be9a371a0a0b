"""Tests of the bias-amplification constructions (https://biascourse.github.io/biascourse/book/derivations/bias_amplification.html#deriv-amp-datasets)."""
import numpy as np
import pytest
from PIL import Image

from biascourse.amplification import (CIFAR10_OVERLAY, FASHION_MNIST_OVERLAY, balanced_assignments,
                                      bias_amplification, blend, exact_count, inverted_superclasses,
                                      inverted_train_test, overlay_classes, overlay_train_test, pixel_statistics,
                                      superclass_names, swap_roles)
from biascourse.datasets import load_cifar10, read_cifar10_binary

HALL_EPSILONS = [round(0.05 * k, 2) for k in range(11)]


@pytest.fixture(scope="module")
def fashion_like():
    """10 classes of 37 random 28x28 images (an odd class size), labels in a shuffled order."""
    rng = np.random.default_rng(0)
    labels = rng.permutation(np.repeat(np.arange(10), 37))
    return rng.integers(0, 256, (len(labels), 28, 28), dtype=np.uint8), labels


ASSIGNMENT = np.array([1, 1, 0, 1, 0, 0, 0, 0, 1, 1])


@pytest.mark.parametrize("size", [6000, 1000, 5000, 500, 100])
def test_exact_counts_of_the_official_grid(size):
    for eps in HALL_EPSILONS:
        # Hall et al.'s two counts, round(s p) inverted and round(s (1 - p)) not, fill the class exactly
        for p in (round(0.5 + eps, 2), round(0.5 - eps, 2)):
            assert exact_count(size, p) + int(np.round(size * (1 - p))) == size
    assert exact_count(6000, 0.55) == 3300 and exact_count(1000, 0.45) == 450 and exact_count(1000, 0.95) == 950


@pytest.mark.parametrize("epsilon", [0.0, 0.15, 0.3, 0.5])
def test_inversion_has_the_exact_per_class_counts(fashion_like, epsilon):
    images, labels = fashion_like
    data = inverted_superclasses(images, labels, assignment=ASSIGNMENT, epsilon=epsilon, seed=3)
    assert len(data) == len(labels) and data.x.shape == (len(labels), 1, 28, 28) and data.x.dtype == np.float32
    for c in range(10):
        in_class = data.label == c
        rate = 0.5 + epsilon if ASSIGNMENT[c] == 0 else 0.5 - epsilon
        assert data.group[in_class].sum() == exact_count(37, rate)
        assert np.all(data.y[in_class] == ASSIGNMENT[c])
    np.testing.assert_array_equal(np.sort(data.source), np.arange(len(labels)))


def test_inversion_with_equal_classes_gives_the_rates_exactly(fashion_like):
    images, labels = fashion_like
    data = inverted_superclasses(images, labels, assignment=ASSIGNMENT, epsilon=0.3, seed=0, n_per_class=20)
    counts = data.counts()  # rows: original / inverted; columns: super-class 0 / 1
    np.testing.assert_array_equal(counts, [[20, 80], [80, 20]])  # P(inv) = 1/2, P(T=0 | inv) = 0.8
    assert len(data) == 200 and np.all(np.bincount(data.label) == 20)


def test_inversion_pixels_and_standardisation(fashion_like):
    images, labels = fashion_like
    data = inverted_superclasses(images, labels, assignment=ASSIGNMENT, epsilon=0.2, seed=1)
    mean, std = images.mean() / 255, images.std() / 255  # statistics of the un-inverted images
    assert data.pixel_mean[0] == pytest.approx(mean) and data.pixel_std[0] == pytest.approx(std)
    for i in (np.flatnonzero(data.group == 1)[0], np.flatnonzero(data.group == 0)[0]):
        raw = images[data.source[i]].astype(np.float64)
        expected = ((255 - raw if data.group[i] else raw) / 255 - mean) / std
        np.testing.assert_allclose(data.x[i, 0], expected, atol=1e-5)
    flat = inverted_superclasses(images, labels, assignment=ASSIGNMENT, epsilon=0.2, seed=1, flatten=True,
                                 mean=data.pixel_mean, std=data.pixel_std)
    np.testing.assert_array_equal(flat.x, data.x.reshape(len(data), -1))


def test_inversion_is_reproducible(fashion_like):
    images, labels = fashion_like
    a, b, c = (inverted_superclasses(images, labels, assignment=ASSIGNMENT, epsilon=0.25, seed=s, n_per_class=30)
               for s in (5, 5, 6))
    np.testing.assert_array_equal(a.x, b.x)
    assert not np.array_equal(a.group, c.group)


def test_inversion_errors(fashion_like):
    images, labels = fashion_like
    with pytest.raises(ValueError, match=r"epsilon must be in \[0, 0.5\]; got 0.6"):
        inverted_superclasses(images, labels, assignment=ASSIGNMENT, epsilon=0.6, seed=0)
    with pytest.raises(ValueError, match="half of the classes"):
        inverted_superclasses(images, labels, assignment=[0] * 6 + [1] * 4, epsilon=0.1, seed=0)
    with pytest.raises(ValueError, match=r"n_per_class must be in \[1, 37\]"):
        inverted_superclasses(images, labels, assignment=ASSIGNMENT, epsilon=0.1, seed=0, n_per_class=38)
    with pytest.raises(ValueError, match="uint8"):
        inverted_superclasses(images.astype(float), labels, assignment=ASSIGNMENT, epsilon=0.1, seed=0)
    with pytest.raises(TypeError, match=r"n_per_class must be an integer in \[1, inf\); got 2.5"):
        inverted_superclasses(images, labels, assignment=ASSIGNMENT, epsilon=0.1, seed=0, n_per_class=2.5)
    with pytest.raises(TypeError, match=r"epsilon must be a real number in \[0, 0.5\]; got '0.1'"):
        inverted_superclasses(images, labels, assignment=ASSIGNMENT, epsilon="0.1", seed=0)


def test_balanced_assignments():
    rows = balanced_assignments(20, seed=0)
    assert rows.shape == (20, 10) and np.all(rows.sum(1) == 5)
    assert len({tuple(r) for r in rows}) == 20
    np.testing.assert_array_equal(rows, balanced_assignments(20, seed=0))
    with pytest.raises(ValueError, match=r"n_assignments must be in \[1, 252\] for 10 classes; got 253"):
        balanced_assignments(253, seed=0)
    with pytest.raises(ValueError, match=r"n_assignments must be an integer in \[1, inf\); got 0"):
        balanced_assignments(0, seed=0)
    with pytest.raises(TypeError, match=r"n_assignments must be an integer in \[1, inf\); got 2.0"):
        balanced_assignments(2.0, seed=0)
    with pytest.raises(ValueError, match="n_classes must be an even integer >= 2; got 5"):
        balanced_assignments(2, 5, seed=0)


@pytest.mark.parametrize("mode,shape", [("L", (6, 28, 28)), ("RGB", (6, 32, 32, 3))])
def test_blend_matches_pillow_bit_for_bit(mode, shape):
    rng = np.random.default_rng(1)
    a, b = (rng.integers(0, 256, shape, dtype=np.uint8) for _ in range(2))
    for eta in (0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0):
        ours = blend(a, b, eta)
        for i in range(len(a)):
            ref = np.asarray(Image.blend(Image.fromarray(a[i], mode), Image.fromarray(b[i], mode), eta))
            np.testing.assert_array_equal(ours[i], ref)
    with pytest.raises(ValueError, match=r"eta must be in \[0, 1\]"):
        blend(a, b, 1.5)


def test_overlay_counts_pairs_and_pixels(fashion_like):
    images, labels = fashion_like
    task_classes, group_classes = FASHION_MNIST_OVERLAY["task_classes"], FASHION_MNIST_OVERLAY["group_classes"]
    data = overlay_classes(images, labels, eta=0.4, epsilon=0.3, seed=2, n_per_class=15, **FASHION_MNIST_OVERLAY)
    # task class 0 gets group 0 in round(15 * 0.8) = 12 images, task class 1 in round(15 * 0.2) = 3
    np.testing.assert_array_equal(data.counts(), [[12, 3], [3, 12]])
    assert len(np.unique(data.overlay)) == len(data) == 30  # each group image used once
    np.testing.assert_array_equal(labels[data.source], np.asarray(task_classes)[data.y])
    np.testing.assert_array_equal(labels[data.overlay], np.asarray(group_classes)[data.group])
    mixed = blend(images[data.source], images[data.overlay], 0.4)
    expected = (mixed / 255.0 - data.pixel_mean[0]) / data.pixel_std[0]
    np.testing.assert_allclose(data.x[:, 0], expected, atol=1e-5)


@pytest.mark.parametrize("eta", [0.0, 1.0])
def test_overlay_extremes(fashion_like, eta):
    images, labels = fashion_like
    data = overlay_classes(images, labels, eta=eta, epsilon=0.2, seed=0, n_per_class=10, **FASHION_MNIST_OVERLAY,
                           mean=0.0, std=1.0)
    shown = data.source if eta == 0 else data.overlay  # eta = 0: the class image; eta = 1: the group image
    np.testing.assert_allclose(data.x[:, 0] * 255, images[shown], atol=1e-3)


def test_overlay_errors(fashion_like):
    images, labels = fashion_like
    with pytest.raises(ValueError, match="all four distinct"):
        overlay_classes(images, labels, task_classes=(0, 1), group_classes=(1, 2), eta=0.5, epsilon=0.1, seed=0)
    keep = np.flatnonzero(labels != 2)[:-1].tolist() + np.flatnonzero(labels == 2)[:30].tolist()
    with pytest.raises(ValueError, match="has 30 images but the construction needs 33"):
        overlay_classes(images[keep], labels[keep], task_classes=(0, 1), group_classes=(2, 3), eta=0.5, epsilon=0.4,
                        seed=0)


def test_overlay_on_cifar10_binary_files(tmp_path, writers):
    """The CIFAR-10 version, on small generated files in the real binary format."""
    rng = np.random.default_rng(4)
    folder = tmp_path / "cifar-10-batches-bin"
    folder.mkdir()
    arrays = {}
    for name in [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]:
        labels = rng.permutation(np.repeat(np.arange(10), 4))
        images = rng.integers(0, 256, (40, 32, 32, 3), dtype=np.uint8)
        (folder / name).write_bytes(writers.cifar_bytes(images, labels))
        arrays[name] = (images, labels)
    images, labels = load_cifar10("train", root=tmp_path, download=False)
    assert images.shape == (200, 32, 32, 3)
    data = overlay_classes(images, labels, eta=0.3, epsilon=0.25, seed=1, **CIFAR10_OVERLAY)
    # 20 images per task class: round(20 * 0.75) = 15 and round(20 * 0.25) = 5 get group 0 (all 20 bird images)
    np.testing.assert_array_equal(data.counts(), [[15, 5], [5, 15]])
    assert data.x.shape == (40, 3, 32, 32) and len(data.pixel_mean) == 3
    channel = blend(images[data.source], images[data.overlay], 0.3)[..., 1] / 255.0
    np.testing.assert_allclose(data.x[:, 1], (channel - data.pixel_mean[1]) / data.pixel_std[1], atol=1e-5)
    test_images, test_labels = read_cifar10_binary(folder / "test_batch.bin")
    test = overlay_classes(test_images, test_labels, eta=0.3, epsilon=0.25, seed=2, mean=data.pixel_mean,
                           std=data.pixel_std, **CIFAR10_OVERLAY)
    assert test.pixel_mean == data.pixel_mean and len(test) == 8


def test_swap_roles(fashion_like):
    images, labels = fashion_like
    data = inverted_superclasses(images, labels, assignment=ASSIGNMENT, epsilon=0.3, seed=0, n_per_class=20)
    swapped = swap_roles(data)
    np.testing.assert_array_equal(swapped.y, data.group)
    np.testing.assert_array_equal(swapped.group, data.y)
    np.testing.assert_array_equal(swapped.counts(), data.counts().T)
    assert swapped.task_names == ("original", "inverted")
    predicted_inversion = np.where(np.random.default_rng(0).random(len(data)) < 0.9, data.group, 1 - data.group)
    original = bias_amplification(data.y, data.group, predicted_inversion, direction="T->A").value
    assert bias_amplification(swapped.y, swapped.group, predicted_inversion).value == pytest.approx(original)


def test_inverted_train_test_matches_two_calls(fashion_like):
    images, labels = fashion_like
    train, test = inverted_train_test((images, labels), (images[:200], labels[:200]), assignment=ASSIGNMENT,
                                      epsilon=0.3, seed=4, n_per_class=20, test_per_class=10)
    alone = inverted_superclasses(images, labels, assignment=ASSIGNMENT, epsilon=0.3, seed=4, n_per_class=20)
    np.testing.assert_array_equal(train.x, alone.x)
    np.testing.assert_array_equal(train.group, alone.group)
    # the test split: seed + 1, the training split's standardisation, the same exact rates
    assert (test.pixel_mean, test.pixel_std) == (train.pixel_mean, train.pixel_std)
    again = inverted_superclasses(images[:200], labels[:200], assignment=ASSIGNMENT, epsilon=0.3, seed=5,
                                  n_per_class=10, mean=train.pixel_mean, std=train.pixel_std)
    np.testing.assert_array_equal(test.x, again.x)
    # 5 classes x round(20 * 0.8) = 80 inverted images of super-class 0 in training, 5 x round(10 * 0.8) = 40 in test
    np.testing.assert_array_equal(train.counts(), [[20, 80], [80, 20]])
    np.testing.assert_array_equal(test.counts(), [[10, 40], [40, 10]])


def test_inverted_train_test_on_colour_images_over_several_splits():
    # CIFAR-10-shaped images: the construction of Hall et al.'s CIFAR-100 experiment with 10 classes
    rng = np.random.default_rng(1)
    labels = np.repeat(np.arange(10), 12)
    images = rng.integers(0, 256, (len(labels), 32, 32, 3), dtype=np.uint8)
    for assignment in balanced_assignments(3, seed=2):
        train, test = inverted_train_test((images, labels), (images, labels), assignment=assignment, epsilon=0.25,
                                          seed=0, n_per_class=8, test_per_class=4)
        assert train.x.shape == (80, 3, 32, 32) and len(train.pixel_mean) == 3
        np.testing.assert_array_equal(train.y, assignment[train.label])
        np.testing.assert_array_equal(train.counts(), [[10, 30], [30, 10]])   # 5 x round(8 * 0.75) = 30
        np.testing.assert_array_equal(test.counts(), [[5, 15], [15, 5]])


def test_superclass_names():
    names = [f"c{k}" for k in range(10)]
    assert superclass_names(ASSIGNMENT, names) == (("c2", "c4", "c5", "c6", "c7"), ("c0", "c1", "c3", "c8", "c9"))
    with pytest.raises(ValueError, match="assignment must give each of the 10 classes"):
        superclass_names(ASSIGNMENT[:9], names)


def test_pixel_statistics_are_the_default_standardisation(fashion_like):
    images, labels = fashion_like
    mean, std = pixel_statistics(images)
    assert mean == pytest.approx((images.mean() / 255,)) and std == pytest.approx((images.std() / 255,))
    given = inverted_train_test((images, labels), (images, labels), assignment=ASSIGNMENT, epsilon=0.2, seed=0,
                                n_per_class=10, test_per_class=5, mean=mean, std=std)
    default = inverted_train_test((images, labels), (images, labels), assignment=ASSIGNMENT, epsilon=0.2, seed=0,
                                  n_per_class=10, test_per_class=5)
    np.testing.assert_allclose(given[0].x, default[0].x, rtol=1e-6)
    np.testing.assert_allclose(given[1].x, default[1].x, rtol=1e-6)
    with pytest.raises(ValueError, match="images must be uint8"):
        pixel_statistics(images.astype(np.float32))


def test_overlay_train_test_matches_two_calls(fashion_like):
    images, labels = fashion_like
    train, test = overlay_train_test((images, labels), (images[:300], labels[:300]), eta=0.5, epsilon=0.2, seed=7,
                                     n_per_class=10, test_per_class=20, **FASHION_MNIST_OVERLAY)
    alone = overlay_classes(images, labels, eta=0.5, epsilon=0.2, seed=7, n_per_class=10, **FASHION_MNIST_OVERLAY)
    np.testing.assert_array_equal(train.x, alone.x)
    np.testing.assert_array_equal(train.overlay, alone.overlay)
    # the test split: seed + 1, the training split's standardisation (of its blended images), the same rates
    again = overlay_classes(images[:300], labels[:300], eta=0.5, epsilon=0.2, seed=8, n_per_class=20,
                            mean=train.pixel_mean, std=train.pixel_std, **FASHION_MNIST_OVERLAY)
    np.testing.assert_array_equal(test.x, again.x)
    assert (test.pixel_mean, test.pixel_std) == (train.pixel_mean, train.pixel_std)
    np.testing.assert_array_equal(train.counts(), [[7, 3], [3, 7]])   # round(10 * 0.7) = 7 with group 0
    np.testing.assert_array_equal(test.counts(), [[14, 6], [6, 14]])  # round(20 * 0.7) = 14
    with pytest.raises(ValueError, match=r"eta must be in \[0, 1\]; got 2"):
        overlay_train_test((images, labels), (images, labels), eta=2.0, epsilon=0.2, seed=0, **FASHION_MNIST_OVERLAY)
