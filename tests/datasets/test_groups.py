import numpy as np
import pytest

from biascourse.datasets import (BELL_SAGUN_GROUPS, CELEBA_PAIRS, CIFAR10_CLASSES, bell_sagun_cifar10,
                                 celeba_attribute_pair, class_group_mixture, group_label_mixture, read_cifar10_binary,
                                 rotate_images, rotated_mixture, standardise_images)


@pytest.fixture(scope="module")
def digits():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (2000, 28, 28), dtype=np.uint8)
    images[:, :, :14] //= 4  # left half darker: rotations are visible
    return images, np.arange(2000) % 10


def test_rotated_mixture_counts_and_disjoint_groups(digits):
    images, labels = digits
    data = rotated_mixture(images, labels, 600, rho=0.7, seed=1, positive_fraction=(0.8, 0.3))
    assert data.x.shape == (600, 784) and data.x.dtype == np.float32
    assert data.counts() == {(1, 1): 336, (1, -1): 84, (-1, 1): 54, (-1, -1): 126}
    assert len(np.unique(data.source)) == 600  # no image used twice
    positive = np.isin(labels[data.source], (0, 1, 2, 3, 4))
    np.testing.assert_array_equal(np.where(positive, 1, -1), data.y)


def test_rotated_mixture_rotation_and_variance(digits):
    images, labels = digits
    data = rotated_mixture(images, labels, 400, rho=0.5, seed=2, delta_plus=0.5, delta_minus=2.0, flatten=False)
    assert data.x.shape == (400, 1, 28, 28)
    for i in np.flatnonzero(data.group == -1)[:5]:
        expected = (np.rot90(images[data.source[i]]) / 255.0 - data.pixel_mean) / data.pixel_std * np.sqrt(2.0)
        np.testing.assert_allclose(data.x[i, 0], expected, rtol=1e-5, atol=1e-5)
    for g, delta in ((1, 0.5), (-1, 2.0)):
        assert abs(np.mean(data.x[data.group == g] ** 2) / delta - 1) < 0.05  # standardised, then scaled


def test_rotated_mixture_is_reproducible_and_reuses_statistics(digits):
    images, labels = digits
    a = rotated_mixture(images, labels, 100, rho=0.8, seed=5)
    b = rotated_mixture(images, labels, 100, rho=0.8, seed=5)
    np.testing.assert_array_equal(a.x, b.x)
    c = rotated_mixture(images[:500], labels[:500], 50, rho=0.8, seed=5, mean=a.pixel_mean, std=a.pixel_std)
    assert (c.pixel_mean, c.pixel_std) == (a.pixel_mean, a.pixel_std)


def test_rotate_images_other_angles(digits):
    images, _ = digits
    out = rotate_images(images[:3], 45)
    assert out.shape == (3, 28, 28) and out[:, 0, 0].max() == 0  # corners filled with black
    np.testing.assert_array_equal(rotate_images(images[:2], 180), images[:2, ::-1, ::-1])


def test_rotated_mixture_errors(digits):
    images, labels = digits
    with pytest.raises(ValueError, match=r"rho must be in \(0, 1\); got 1.3"):
        rotated_mixture(images, labels, 100, rho=1.3, seed=0)
    with pytest.raises(ValueError, match="only"):
        rotated_mixture(images, labels, 1900, rho=0.5, seed=0, positive_fraction=(1.0, 1.0))
    with pytest.raises(ValueError, match=r"delta_minus must be in \(0, inf\); got 0"):
        rotated_mixture(images, labels, 100, rho=0.5, seed=0, delta_minus=0)


def test_bell_sagun_cifar10_follows_the_lecture_protocol(tmp_path, writers):
    # small CIFAR-10 binary files in the real format, read back by the package's reader
    rng = np.random.default_rng(3)
    labels = np.arange(3000) % 10
    images = rng.integers(0, 256, (3000, 32, 32, 3), dtype=np.uint8)
    path = tmp_path / "data_batch_1.bin"
    path.write_bytes(writers.cifar_bytes(images, labels))
    images, labels = read_cifar10_binary([path])
    data = bell_sagun_cifar10(images, labels, 1000, rho=0.9, seed=0)  # the lecture's opening example
    names = np.array(CIFAR10_CLASSES)[labels[data.source]]
    assert set(names[data.group == 1]) == {"deer", "bird", "frog", "horse"} == set(BELL_SAGUN_GROUPS[1])
    assert set(names[data.group == -1]) == {"cat", "airplane", "automobile", "truck"} == set(BELL_SAGUN_GROUPS[-1])
    np.testing.assert_array_equal(data.y, data.group)  # label +1 for group 1, -1 for group 2
    assert data.counts() == {(1, 1): 900, (1, -1): 0, (-1, 1): 0, (-1, -1): 100}
    assert len(np.unique(data.source)) == 1000 and data.x.shape == (1000, 3072)
    # inside a group, the classes keep their proportions in the source (300 images each here): 225 each on average
    # (hypergeometric: 900 drawn from 1200, a quarter of them per class)
    per_class = [np.sum(names == c) for c in BELL_SAGUN_GROUPS[1]]
    sd = np.sqrt(900 * 0.25 * 0.75 * 300 / 1199)
    assert sum(per_class) == 900 and all(abs(k - 225) < 4 * sd for k in per_class)
    x0 = (images[data.source[0]].astype(np.float64) / 255 - data.pixel_mean) / data.pixel_std
    np.testing.assert_allclose(data.x[0], x0.reshape(-1), rtol=1e-5, atol=1e-5)
    assert bell_sagun_cifar10(images, labels, 10, rho=0.5, seed=0, flatten=False).x.shape == (10, 3, 32, 32)


def test_group_label_mixture_on_fashion_like_idx_files(tmp_path, writers):
    from biascourse.datasets import read_idx_pair

    rng = np.random.default_rng(4)
    labels = (np.arange(400) % 10).astype(np.uint8)
    writers.write_idx(tmp_path / "images.gz", rng.integers(0, 256, (400, 28, 28), dtype=np.uint8))
    writers.write_idx(tmp_path / "labels.gz", labels)
    images, labels = read_idx_pair(tmp_path / "images.gz", tmp_path / "labels.gz")
    data = group_label_mixture(images, labels, 50, groups={1: (1, 8), -1: (0, 6, 2)}, rho=0.2, seed=1)
    assert data.counts() == {(1, 1): 10, (1, -1): 0, (-1, 1): 0, (-1, -1): 40}
    assert set(labels[data.source[data.group == 1]]) <= {1, 8}
    assert set(labels[data.source[data.group == -1]]) <= {0, 6, 2}
    np.testing.assert_array_equal(data.y, data.group)
    again = group_label_mixture(images, labels, 50, groups={1: (1, 8), -1: (0, 6, 2)}, rho=0.2, seed=1)
    np.testing.assert_array_equal(again.x, data.x)


def test_group_label_mixture_errors():
    labels = np.arange(100) % 10
    images = np.zeros((100, 28, 28), np.uint8)
    with pytest.raises(ValueError, match="must not share"):
        group_label_mixture(images, labels, 10, groups={1: (0, 1), -1: (1, 2)}, rho=0.5, seed=0)
    with pytest.raises(ValueError, match=r"groups\[-1\] must list at least one class"):
        group_label_mixture(images, labels, 10, groups={1: (0, 1), -1: ()}, rho=0.5, seed=0)
    with pytest.raises(ValueError, match=r"rho must be in \(0, 1\); got 1$"):
        group_label_mixture(images, labels, 10, groups={1: (0,), -1: (1,)}, rho=1.0, seed=0)
    with pytest.raises(ValueError, match="needs 18 images but only 10"):
        group_label_mixture(images, labels, 20, groups={1: (0,), -1: (1, 2)}, rho=0.9, seed=0)
    with pytest.raises(ValueError, match="same length"):
        group_label_mixture(images[:50], labels, 10, groups={1: (0,), -1: (1,)}, rho=0.5, seed=0)


def test_celeba_pairs_are_the_lecture_pairs():
    assert CELEBA_PAIRS == (("Eyeglasses", "Bags_Under_Eyes"), ("Bangs", "Blurry"), ("Young", "Blond_Hair"))


def test_class_group_mixture_errors():
    labels = np.arange(100) % 10
    images = np.zeros((100, 28, 28), np.uint8)
    with pytest.raises(ValueError, match="must not share"):
        class_group_mixture(images, labels, 10, groups={1: (0, 1), -1: (1, 2)}, rho=0.5, seed=0)
    with pytest.raises(ValueError, match="even number"):
        class_group_mixture(images, labels, 10, groups={1: (0, 1, 2), -1: (3, 4)}, rho=0.5, seed=0)


def test_celeba_attribute_pair(tmp_path):
    from PIL import Image

    from biascourse.datasets import CelebAAttributes

    (tmp_path / "img_align_celeba").mkdir()
    names = [f"{i:06d}.jpg" for i in range(40)]
    rng = np.random.default_rng(0)
    for name in names:
        Image.fromarray(rng.integers(0, 256, (218, 178, 3), dtype=np.uint8)).save(tmp_path / "img_align_celeba" / name)
    attrs = np.stack([np.arange(40) % 2, (np.arange(40) // 2) % 2], axis=1).astype(np.int8)
    table = CelebAAttributes(np.array(names), attrs, CELEBA_PAIRS[0], tmp_path)  # (Eyeglasses, Bags_Under_Eyes)
    data = celeba_attribute_pair(table, 20, target="Eyeglasses", group="Bags_Under_Eyes", seed=0, rho=0.25,
                                 positive_fraction=(0.4, 0.6), size=8)
    assert data.x.shape == (20, 192)
    assert data.counts() == {(1, 1): 2, (1, -1): 3, (-1, 1): 9, (-1, -1): 6}
    np.testing.assert_array_equal(data.y, 2 * attrs[data.source, 0] - 1)
    np.testing.assert_array_equal(data.group, 2 * attrs[data.source, 1] - 1)
    uniform = celeba_attribute_pair(table, 10, target="Eyeglasses", group="Bags_Under_Eyes", seed=1, size=8)
    assert len(np.unique(uniform.source)) == 10


def test_standardise_images_by_hand_and_with_given_statistics():
    images = np.array([[0, 255], [51, 102]], dtype=np.uint8)  # pixels/255: 0, 1, 0.2, 0.4
    x, mean, std = standardise_images(images)
    assert x.dtype == np.float32 and x.shape == (2, 2)
    assert mean == pytest.approx(0.4) and std == pytest.approx(np.sqrt((0.16 + 0.36 + 0.04 + 0) / 4))
    np.testing.assert_allclose(x, (np.array([[0, 1], [0.2, 0.4]]) - 0.4) / std, rtol=1e-6)
    y, mean_y, std_y = standardise_images(images[:1], mean, std)  # a test set, standardised alike
    assert (mean_y, std_y) == (mean, std)
    np.testing.assert_allclose(y, x[:1], rtol=1e-6)
    with pytest.raises(ValueError, match=r"std must be in \(0, inf\); got 0"):
        standardise_images(np.zeros((2, 2), dtype=np.uint8))
