"""Sub-population constructions on real images: the teacher-mixture analogues of chapter 5.

Each construction returns a :class:`GroupedDataset`: inputs, binary labels ``y`` in {-1, +1} and
sub-population labels ``group`` in {-1, +1} (+1 is group ``+``, drawn blue in the course).
:func:`bell_sagun_cifar10` (:func:`group_label_mixture`) follows the CIFAR-10 protocol presented in the
lecture on Jain et al. (2024) and :data:`CELEBA_PAIRS` lists the lecture's CelebA pairs. The other
construction choices (which classes are positive, how variance is scaled, how the label balance is
set) are the course's, standing in for the teacher-mixture quantities of https://biascourse.github.io/biascourse/book/derivations/tm_model.html#deriv-tm-data:
representation ``rho``, per-group variance ``Delta_c`` and label imbalance inside a group
(https://biascourse.github.io/biascourse/book/derivations/deep_networks.html#deriv-deep-unknown).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from .._checks import array as check_array, integer as check_integer, real
from .._random import check_seed
from ._formats import CIFAR10_CLASSES
from ._sources import CelebAAttributes, load_celeba_images


@dataclass(frozen=True)
class GroupedDataset:
    """Labelled inputs with a sub-population label, ready for :func:`biascourse.train.train`.

    Attributes
    ----------
    x : float32 inputs, (n, d) when flattened or (n, C, H, W) for convolutional networks.
    y : int64 labels in {-1, +1}.
    group : int64 sub-population labels in {-1, +1}.
    source : index of each sample in the source arrays it was drawn from.
    pixel_mean, pixel_std : the scalars of the standardisation ``(pixel/255 - mean)/std``; pass
        them to build a test set standardised like this training set.
    """

    x: np.ndarray
    y: np.ndarray
    group: np.ndarray
    source: np.ndarray
    pixel_mean: float = 0.0
    pixel_std: float = 1.0

    def __len__(self) -> int:
        return len(self.y)

    def counts(self) -> dict:
        """Number of samples in each (group, label) cell, keys ``(g, y)``."""
        return {(g, c): int(np.sum((self.group == g) & (self.y == c))) for g in (1, -1) for c in (1, -1)}


def _cell_counts(n: int, rho: float, positive_fraction: Sequence[float]) -> dict:
    n = check_integer("n", n, 2)
    real("rho", rho, 0, 1, low_open=True, high_open=True)
    if len(positive_fraction) != 2:
        raise ValueError(f"positive_fraction must be a pair (group +, group -); got {positive_fraction!r}")
    n_group = {1: int(round(rho * n))}
    n_group[-1] = n - n_group[1]
    cells = {}
    for g, frac in zip((1, -1), positive_fraction):
        real("positive_fraction", frac, 0, 1)
        cells[(g, 1)] = int(round(frac * n_group[g]))
        cells[(g, -1)] = n_group[g] - cells[(g, 1)]
    return cells


def _draw(pools: dict, cells: dict, rng: np.random.Generator, what: str) -> tuple[np.ndarray, ...]:
    """Draw each (group, label) cell without replacement from its pool of source indices."""
    chosen = {}
    for key, count in cells.items():
        pool = pools[key]
        if count > len(pool):
            raise ValueError(
                f"{what}: cell (group {key[0]:+d}, label {key[1]:+d}) needs {count} images but only {len(pool)} "
                "are available; lower n or change rho / positive_fraction"
            )
        chosen[key] = pool[:count]
    source = np.concatenate([chosen[k] for k in cells])
    group = np.concatenate([np.full(cells[k], k[0]) for k in cells]).astype(np.int64)
    y = np.concatenate([np.full(cells[k], k[1]) for k in cells]).astype(np.int64)
    order = rng.permutation(len(source))
    return source[order], group[order], y[order]


def standardise_images(images: np.ndarray, mean: float | None = None,
                       std: float | None = None) -> tuple[np.ndarray, float, float]:
    """uint8 images as float32 ``(pixel / 255 - mean) / std``, same shape, with the mean and std used.

    ``mean`` and ``std`` default to those of ``images`` (one number over all pixels); give the
    training set's to standardise a test set alike. Float32 halves the memory of float64 (190 MB for
    Fashion-MNIST's training set) and is what the networks take.

    Raises
    ------
    ArgumentTypeError
        If ``images`` holds no numbers, or ``mean`` or ``std`` is not a number.
    ValueError
        If ``images`` is empty or holds values outside [0, 255] (NaN included), ``mean`` is not
        finite, or ``std`` (given, or the images' own) is not in (0, inf), e.g. constant images.
    """
    x = check_array("images", images, low=0, high=255).astype(np.float32) / np.float32(255)
    mean = float(x.mean()) if mean is None else real("mean", mean)
    std = float(x.std()) if std is None else real("std", std, 0, low_open=True)
    if not std > 0:  # the images' own spread: zero for constant images
        raise ValueError(f"std must be in (0, inf); got {std:g} (the images are constant)")
    x -= np.float32(mean)
    x /= np.float32(std)
    return x, mean, std


def _shape(x: np.ndarray, flatten: bool) -> np.ndarray:
    if flatten:
        return np.ascontiguousarray(x.reshape(len(x), -1))
    if x.ndim == 3:  # (n, H, W) grey images
        return np.ascontiguousarray(x[:, None])
    return np.ascontiguousarray(x.transpose(0, 3, 1, 2))  # (n, H, W, C) -> (n, C, H, W)


def rotate_images(images: np.ndarray, angle: float) -> np.ndarray:
    """Rotate images (n, H, W) or (n, H, W, C) counter-clockwise by ``angle`` degrees.

    Multiples of 90 degrees are exact (``numpy.rot90``); other angles use bilinear interpolation
    and keep the image size (corners are filled with 0).

    Raises
    ------
    ArgumentTypeError
        If ``images`` holds no numbers or ``angle`` is not a number.
    ValueError
        If ``images`` is not (n, H, W) or (n, H, W, C), or ``angle`` is NaN or infinite.
    """
    angle = real("angle", angle)
    images = check_array("images", images, ndim=(3, 4), dtype=None, nonempty=False)
    if angle % 90 == 0:
        return np.rot90(images, k=int(angle // 90) % 4, axes=(1, 2)).copy()
    return ndimage.rotate(images, angle, axes=(2, 1), reshape=False, order=1, mode="constant", cval=0)


def rotated_mixture(
    images: np.ndarray,
    labels: np.ndarray,
    n: int,
    *,
    rho: float,
    seed: int,
    angle: float = 90.0,
    delta_plus: float = 1.0,
    delta_minus: float = 1.0,
    positive_classes: Sequence[int] = (0, 1, 2, 3, 4),
    positive_fraction: Sequence[float] = (0.5, 0.5),
    mean: float | None = None,
    std: float | None = None,
    flatten: bool = True,
) -> GroupedDataset:
    """The rotated-image analogue of the teacher-mixture model (chapter 5; https://biascourse.github.io/biascourse/book/derivations/tm_model.html#deriv-tm-data, https://biascourse.github.io/biascourse/book/derivations/deep_networks.html#deriv-deep-unknown).

    Group ``+`` holds upright images, group ``-`` the same kind of images rotated by ``angle``: the
    two groups share the task but need different "teachers". The knobs mirror the model:

    * representation: a fraction ``rho`` of the n samples is in group ``+``;
    * per-group variance: after standardising the pixels (``(x/255 - mean)/std``), group ``c`` is
      multiplied by ``sqrt(delta_c)``, so its mean squared pixel is about ``delta_c``;
    * label imbalance (the offsets ``alpha_c``): a fraction ``positive_fraction[c]`` of group ``c``
      has label +1.

    The binary label is +1 for ``positive_classes`` and -1 otherwise. No source image is used
    twice, and the two groups never share an image. These choices are the course's: the source
    paper's exact MNIST construction is not known (https://biascourse.github.io/biascourse/book/derivations/deep_networks.html#deriv-deep-unknown).

    Parameters
    ----------
    images, labels : source images uint8 (m, H, W) and class labels (m,), e.g. from
        :func:`load_mnist` or :func:`load_fashion_mnist`.
    n : number of samples to draw.
    rho : fraction of group ``+``, in (0, 1).
    seed : seed of the draw.
    angle : rotation of group ``-`` in degrees.
    delta_plus, delta_minus : variance scale of each group (> 0).
    positive_classes : source classes with label +1.
    positive_fraction : fraction of label +1 in group ``+`` and in group ``-``.
    mean, std : pixel statistics of the standardisation; by default those of the drawn images.
        Pass the training set's ``pixel_mean`` and ``pixel_std`` when building a test set.
    flatten : return (n, H*W) vectors (for MLPs) instead of (n, 1, H, W) images.

    Returns
    -------
    GroupedDataset
    """
    rng = np.random.default_rng(check_seed(seed))
    for name, value in (("delta_plus", delta_plus), ("delta_minus", delta_minus)):
        real(name, value, 0, low_open=True)
    labels = np.asarray(labels)
    if len(labels) != len(images):
        raise ValueError(f"images and labels must have the same length; got {len(images)} and {len(labels)}")
    cells = _cell_counts(n, rho, positive_fraction)
    positive = np.isin(labels, positive_classes)
    perm = rng.permutation(len(labels))
    pos, neg = perm[positive[perm]], perm[~positive[perm]]
    # split each label's pool between the groups in proportion to their needs, so they never share an image
    cut_pos = int(round(len(pos) * cells[(1, 1)] / max(cells[(1, 1)] + cells[(-1, 1)], 1)))
    cut_neg = int(round(len(neg) * cells[(1, -1)] / max(cells[(1, -1)] + cells[(-1, -1)], 1)))
    pools = {(1, 1): pos[:cut_pos], (-1, 1): pos[cut_pos:], (1, -1): neg[:cut_neg], (-1, -1): neg[cut_neg:]}
    source, group, y = _draw(pools, cells, rng, "rotated_mixture")
    picked = np.asarray(images)[source]
    minus = group == -1
    picked[minus] = rotate_images(picked[minus], angle)  # in pixel space: corners of other angles are black
    x, mean, std = standardise_images(picked, mean, std)
    x *= np.where(minus, np.sqrt(delta_minus), np.sqrt(delta_plus)).astype(np.float32).reshape(-1, *[1] * (x.ndim - 1))
    return GroupedDataset(_shape(x, flatten), y, group, source, mean, std)


#: The Bell & Sagun grouping of CIFAR-10 in the lecture's protocol (chapter 5): group 1 (label +1) and
#: group 2 (label -1) as class names; the course calls them group + and group -.
BELL_SAGUN_GROUPS = {1: ("deer", "bird", "frog", "horse"), -1: ("cat", "airplane", "automobile", "truck")}

#: The (target, group) attribute pairs of CelebA shown in the lecture on Jain et al. (2024).
CELEBA_PAIRS = (("Eyeglasses", "Bags_Under_Eyes"), ("Bangs", "Blurry"), ("Young", "Blond_Hair"))


def _check_class_groups(groups: dict) -> None:
    if set(groups) != {1, -1}:
        raise ValueError(f"groups must have the keys +1 and -1; got {sorted(groups)}")
    if set(groups[1]) & set(groups[-1]):
        raise ValueError(f"the two groups must not share a class; both contain {sorted(set(groups[1]) & set(groups[-1]))}")


def group_label_mixture(
    images: np.ndarray,
    labels: np.ndarray,
    n: int,
    *,
    groups: dict,
    rho: float,
    seed: int,
    mean: float | None = None,
    std: float | None = None,
    flatten: bool = True,
) -> GroupedDataset:
    """Two sub-populations made of classes, whose label is the group (https://biascourse.github.io/biascourse/book/derivations/deep_networks.html#deriv-deep-images).

    This is the protocol of the CIFAR-10 experiment presented in the lecture on Jain et al. (2024),
    after Bell and Sagun: the classes ``groups[+1]`` form group ``+`` and have label +1, the classes
    ``groups[-1]`` form group ``-`` and have label -1, and the data set is a mixture of a fraction
    ``rho`` of group ``+`` and ``1 - rho`` of group ``-``. Inside a group the images are drawn
    uniformly, so its classes keep their proportions in the source. The per-group errors are then the
    errors on each label, and ``rho`` is the label balance. Pixels are standardised with one scalar
    mean and std, as in :func:`rotated_mixture`.

    Parameters
    ----------
    images, labels : source images uint8 (m, H, W[, C]) and class labels (m,).
    n : number of samples to draw (no image is used twice).
    groups : ``{+1: classes of group +, -1: classes of group -}``, each non-empty, sharing no class.
    rho : fraction of group ``+``, in (0, 1).
    seed : seed of the draw.
    mean, std, flatten : as in :func:`rotated_mixture`.

    Returns
    -------
    GroupedDataset
        With ``y == group``.

    Examples
    --------
    >>> groups = {1: (4, 2, 6, 7), -1: (3, 0, 1, 9)}   # CIFAR-10's deer, bird, frog, horse | cat, airplane, ...
    >>> data = group_label_mixture(images, labels, 1000, groups=groups, rho=0.9, seed=0)
    >>> data.counts()[(1, 1)], data.counts()[(-1, -1)]
    (900, 100)
    """
    rng = np.random.default_rng(check_seed(seed))
    _check_class_groups(groups)
    for g in (1, -1):
        if len(groups[g]) == 0:
            raise ValueError(f"groups[{g:+d}] must list at least one class; got {list(groups[g])}")
    labels = np.asarray(labels)
    if len(labels) != len(images):
        raise ValueError(f"images and labels must have the same length; got {len(images)} and {len(labels)}")
    cells = _cell_counts(n, rho, (1.0, 0.0))  # label +1 for the whole of group +, -1 for the whole of group -
    perm = rng.permutation(len(labels))
    empty = perm[:0]
    pools = {(1, 1): perm[np.isin(labels[perm], list(groups[1]))], (1, -1): empty,
             (-1, 1): empty, (-1, -1): perm[np.isin(labels[perm], list(groups[-1]))]}
    source, group, y = _draw(pools, cells, rng, "group_label_mixture")
    x, mean, std = standardise_images(np.asarray(images)[source], mean, std)
    return GroupedDataset(_shape(x, flatten), y, group, source, mean, std)


def class_group_mixture(
    images: np.ndarray,
    labels: np.ndarray,
    n: int,
    *,
    groups: dict,
    rho: float,
    seed: int,
    positive_fraction: Sequence[float] = (0.5, 0.5),
    mean: float | None = None,
    std: float | None = None,
    flatten: bool = True,
) -> GroupedDataset:
    """Sub-populations made of classes, each group with its own binary task (the course's construction).

    ``groups[+1]`` and ``groups[-1]`` list the source classes of each group; inside a group the
    first half of its classes has label +1 and the second half label -1 (the course's choice; in
    :func:`group_label_mixture`, the lecture's protocol, the label is the group instead).
    A fraction ``rho`` of the samples is drawn from group ``+`` and ``positive_fraction[c]`` of
    group ``c`` has label +1. Pixels are standardised with one scalar mean and std.

    Parameters
    ----------
    images, labels : source images uint8 (m, H, W[, C]) and class labels (m,).
    groups : ``{+1: classes of group +, -1: classes of group -}``, each with an even number of
        distinct classes; the two groups must not share a class.
    rho, seed, positive_fraction, mean, std, flatten : as in :func:`rotated_mixture`.
    """
    rng = np.random.default_rng(check_seed(seed))
    _check_class_groups(groups)
    labels = np.asarray(labels)
    if len(labels) != len(images):
        raise ValueError(f"images and labels must have the same length; got {len(images)} and {len(labels)}")
    cells = _cell_counts(n, rho, positive_fraction)
    perm = rng.permutation(len(labels))
    pools = {}
    for g in (1, -1):
        classes = list(groups[g])
        if len(classes) < 2 or len(classes) % 2:
            raise ValueError(f"groups[{g:+d}] must list an even number (>= 2) of classes; got {classes}")
        half = len(classes) // 2
        pools[(g, 1)] = perm[np.isin(labels[perm], classes[:half])]
        pools[(g, -1)] = perm[np.isin(labels[perm], classes[half:])]
    source, group, y = _draw(pools, cells, rng, "class_group_mixture")
    x, mean, std = standardise_images(np.asarray(images)[source], mean, std)
    return GroupedDataset(_shape(x, flatten), y, group, source, mean, std)


def bell_sagun_cifar10(images: np.ndarray, labels: np.ndarray, n: int, *, rho: float, seed: int,
                       **kwargs) -> GroupedDataset:
    """CIFAR-10 as two groups of classes after Bell and Sagun, in the lecture's protocol (https://biascourse.github.io/biascourse/book/derivations/deep_networks.html#deriv-deep-images).

    Group ``+`` = {deer, bird, frog, horse} with label +1 and group ``-`` = {cat, airplane,
    automobile, truck} with label -1 (:data:`BELL_SAGUN_GROUPS`), mixed in proportions ``rho`` and
    ``1 - rho`` (0.9 and 0.1 in the lecture's opening example). Other keywords (``mean``, ``std``,
    ``flatten``) go to :func:`group_label_mixture`.
    """
    index = {name: i for i, name in enumerate(CIFAR10_CLASSES)}
    groups = {g: tuple(index[c] for c in names) for g, names in BELL_SAGUN_GROUPS.items()}
    return group_label_mixture(images, labels, n, groups=groups, rho=rho, seed=seed, **kwargs)


def celeba_attribute_pair(
    table: CelebAAttributes,
    n: int,
    *,
    target: str,
    group: str,
    seed: int,
    rho: float | None = None,
    positive_fraction: Sequence[float] | None = None,
    size: int = 32,
    mean: float | None = None,
    std: float | None = None,
    flatten: bool = True,
) -> GroupedDataset:
    """A CelebA (target attribute, group attribute) pair, e.g. target ``Eyeglasses``, group ``Bags_Under_Eyes``.

    The label is +1 where the target attribute is present, the group +1 where the group attribute
    is present. With ``rho`` and ``positive_fraction`` left at None the n samples are a uniform
    draw (CelebA's own proportions); otherwise the cells are drawn with the given proportions.

    Parameters
    ----------
    table : the split's attribute table from :func:`load_celeba_attributes`.
    n : number of samples.
    target, group : attribute names (see ``table.names``); the lecture's pairs are :data:`CELEBA_PAIRS`.
    rho, positive_fraction : cell proportions, as in :func:`rotated_mixture` (default: CelebA's own).
    size : side of the square images loaded.
    """
    rng = np.random.default_rng(check_seed(seed))
    for name, value in (("target", target), ("group", group)):
        if value not in table.names:
            raise ValueError(f"{name} must be one of CelebA's {len(table.names)} attributes {table.names}; got {value!r}")
    y_all = 2 * table.column(target).astype(np.int64) - 1
    g_all = 2 * table.column(group).astype(np.int64) - 1
    if rho is None and positive_fraction is None:
        check_integer("n", n, 2, len(y_all))
        source = rng.choice(len(y_all), size=n, replace=False)
        grp, y = g_all[source], y_all[source]
    else:
        rho = float(np.mean(g_all == 1)) if rho is None else rho
        positive_fraction = positive_fraction or tuple(float(np.mean(y_all[g_all == g] == 1)) for g in (1, -1))
        cells = _cell_counts(n, rho, positive_fraction)
        perm = rng.permutation(len(y_all))
        pools = {(g, c): perm[(g_all[perm] == g) & (y_all[perm] == c)] for g in (1, -1) for c in (1, -1)}
        source, grp, y = _draw(pools, cells, rng, "celeba_attribute_pair")
    x, mean, std = standardise_images(load_celeba_images(table, source, size=size), mean, std)
    return GroupedDataset(_shape(x, flatten), y, grp, source, mean, std)
