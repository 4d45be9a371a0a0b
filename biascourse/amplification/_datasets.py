"""Controlled-bias datasets of chapter 6: image inversion, overlay, and the role swap (Hall et al.).

https://biascourse.github.io/biascourse/book/derivations/bias_amplification.html#deriv-amp-datasets. Each construction returns an
:class:`AmplificationDataset` whose ``y`` is what the model predicts (the task, or class) and whose
``group`` is the attribute that is correlated with it:

* :func:`inverted_superclasses` (https://biascourse.github.io/biascourse/book/derivations/bias_amplification.html#deriv-amp-inversion): the classes are merged into two balanced
  super-classes; super-class 0 is inverted (``255 - pixel``) at the rate 1/2 + epsilon and
  super-class 1 at 1/2 - epsilon, with *exact* counts: in every original class of size s exactly
  ``round(s p)`` images are inverted, as in Hall et al.'s code;
* :func:`overlay_classes` (https://biascourse.github.io/biascourse/book/derivations/bias_amplification.html#deriv-amp-overlay): two task classes, each image blended with an image of one
  of two group classes, ``I = eta I_group + (1 - eta) I_class``; task class 0 gets group 0 at the
  rate 1/2 + epsilon, task class 1 at 1/2 - epsilon, each group image used once. It works on
  CIFAR-10 (Hall et al.'s setting) and on Fashion-MNIST (the course's offline variant);
* :func:`swap_roles` (https://biascourse.github.io/biascourse/book/derivations/bias_amplification.html#deriv-amp-datasets, "swapped"): the model predicts the group instead of the class.

:func:`inverted_train_test` builds a training split with its matching test split, once per
super-class split of :func:`balanced_assignments` (Hall et al. average over 20 such splits);
:func:`overlay_train_test` does the same for the overlay construction.

The random choices (which images are inverted, which overlay goes with which image, the random
super-class assignments) are the course's own, drawn from an explicit seed: Hall et al.'s
sample-to-slot files are not used, so the per-sample choices differ from theirs while every count
is the same.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from .. import _checks
from .._random import check_seed


@dataclass(frozen=True)
class AmplificationDataset:
    """Images with a task label and a correlated group label, for :func:`biascourse.train.train`.

    Attributes
    ----------
    x : float32 inputs (n, C, H, W), or (n, C*H*W) when flattened, standardised per channel
        with ``pixel_mean`` and ``pixel_std``.
    y : int64 task labels in ``[0, 2)``: what the model predicts.
    group : int64 group (attribute) labels in ``[0, 2)``.
    source : index of each image in the source arrays.
    label : the image's original class in the source data set.
    pixel_mean, pixel_std : per-channel statistics of the standardisation ``(pixel/255 - mean)/std``;
        pass them when building the matching test set.
    task_names, group_names : names of the two tasks and the two groups, for plots.
    overlay : for :func:`overlay_classes`, the index in the source arrays of the group image
        blended into each image (None for the other constructions).
    """

    x: np.ndarray
    y: np.ndarray
    group: np.ndarray
    source: np.ndarray
    label: np.ndarray
    pixel_mean: tuple
    pixel_std: tuple
    task_names: tuple = ("0", "1")
    group_names: tuple = ("0", "1")
    overlay: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.y)

    def counts(self) -> np.ndarray:
        """The (group, task) count table, shape (2, 2): rows are groups, columns tasks."""
        table = np.zeros((len(self.group_names), len(self.task_names)), dtype=np.int64)
        np.add.at(table, (self.group, self.y), 1)
        return table


def _check_epsilon(epsilon: float) -> float:
    return _checks.real("epsilon", epsilon, 0.0, 0.5)


def _check_images(images, labels) -> tuple[np.ndarray, np.ndarray]:
    images, labels = np.asarray(images), np.asarray(labels)
    if images.dtype != np.uint8 or images.ndim not in (3, 4):
        raise ValueError(f"images must be uint8 (n, H, W) or (n, H, W, C); got {images.dtype} {images.shape}")
    if labels.shape != (len(images),):
        raise ValueError(f"labels must have shape ({len(images)},); got {labels.shape}")
    return images, labels.astype(np.int64)


def pixel_statistics(images) -> tuple[tuple, tuple]:
    """Per-channel mean and standard deviation of ``pixel / 255`` of uint8 images (channels last).

    These are the default standardisation statistics of :func:`inverted_superclasses` (those of the
    un-inverted source images, as in Hall et al.'s code); computing them once and passing them as
    ``mean`` and ``std`` saves a pass over the whole source set for every split built from it.

    Returns
    -------
    (tuple, tuple)
        One mean and one standard deviation per channel.
    """
    images = np.asarray(images)
    if images.dtype != np.uint8 or images.ndim not in (3, 4):
        raise ValueError(f"images must be uint8 (n, H, W) or (n, H, W, C); got {images.dtype} {images.shape}")
    if images.size == 0:
        raise ValueError(f"images must hold at least one image with pixels; got shape {images.shape}")
    return _pixel_statistics(images, None, None)


def _pixel_statistics(images: np.ndarray, mean, std) -> tuple[tuple, tuple]:
    """Per-channel mean and std of pixel/255 (channels last), unless given."""
    channels = 1 if images.ndim == 3 else images.shape[-1]
    if mean is None or std is None:
        # float64 sums over blocks of pixels: no float64 copy of the whole set (380 MB for Fashion-MNIST)
        flat = images.reshape(-1, channels)
        total, squares = np.zeros(channels), np.zeros(channels)
        for start in range(0, len(flat), 1 << 20):
            block = flat[start:start + (1 << 20)] / 255.0
            total += block.sum(0)
            squares += (block * block).sum(0)
        centre = total / len(flat)
        mean = centre if mean is None else mean
        std = np.sqrt(np.maximum(squares / len(flat) - centre**2, 0.0)) if std is None else std
    mean, std = (tuple(float(v) for v in np.broadcast_to(np.asarray(s, dtype=float), (channels,)))
                 for s in (mean, std))
    if min(std) <= 0:
        raise ValueError(f"std must be > 0; got {std}")
    return mean, std


def _standardise(images: np.ndarray, mean: tuple, std: tuple, flatten: bool) -> np.ndarray:
    x = images.astype(np.float32) / np.float32(255)
    x = x[..., None] if x.ndim == 3 else x
    x = (x - np.asarray(mean, dtype=np.float32)) / np.asarray(std, dtype=np.float32)
    x = np.ascontiguousarray(x.transpose(0, 3, 1, 2))
    return np.ascontiguousarray(x.reshape(len(x), -1)) if flatten else x


def _class_subset(labels: np.ndarray, classes, n_per_class: int | None, rng: np.random.Generator) -> dict:
    """For each class, the indices of its images (all, or n_per_class drawn at random), in data order."""
    if n_per_class is not None:
        n_per_class = _checks.integer("n_per_class", n_per_class, 1)
    chosen = {}
    for c in classes:
        members = np.flatnonzero(labels == c)
        if n_per_class is not None:
            if not 1 <= n_per_class <= len(members):
                raise ValueError(f"n_per_class must be in [1, {len(members)}] (the images of class {c}); "
                                 f"got {n_per_class}")
            members = np.sort(rng.choice(members, size=n_per_class, replace=False))
        elif len(members) == 0:
            raise ValueError(f"class {c} has no images")
        chosen[c] = members
    return chosen


def exact_count(size: int, rate: float) -> int:
    """Number of images of a class of ``size`` that get the treatment: ``round(size * rate)``.

    This is Hall et al.'s count (numpy's round, halves to even); the rest of the class,
    ``size - round(size * rate)``, does not get it. For their class sizes (6000 and 1000 for
    Fashion-MNIST, 5000 and 1000 for CIFAR-10) and rates (two decimals) this equals their second
    count ``round(size * (1 - rate))``; for other sizes the course keeps the class size exact.

    Raises
    ------
    ArgumentTypeError
        If ``size`` is not an integer or ``rate`` not a number.
    ValueError
        If ``size < 0`` or ``rate`` is outside [0, 1].
    """
    size = _checks.integer("size", size, 0)
    rate = _checks.real("rate", rate, 0.0, 1.0)
    return int(np.round(size * rate))


def balanced_assignments(n_assignments: int, n_classes: int = 10, *, seed: int) -> np.ndarray:
    """Distinct random balanced assignments of ``n_classes`` classes to two super-classes.

    Hall et al. use 20 such assignments for Fashion-MNIST (https://biascourse.github.io/biascourse/book/derivations/bias_amplification.html#deriv-amp-inversion); these are the course's own.

    Returns
    -------
    numpy.ndarray
        int64 (n_assignments, n_classes), each row with ``n_classes // 2`` zeros and ones.
    """
    if _checks.integer("n_classes", n_classes, 2) % 2:
        raise ValueError(f"n_classes must be an even integer >= 2; got {n_classes}")
    from math import comb

    possible = comb(n_classes, n_classes // 2)
    if _checks.integer("n_assignments", n_assignments, 1) > possible:
        raise ValueError(f"n_assignments must be in [1, {possible}] for {n_classes} classes; got {n_assignments}")
    rng = np.random.default_rng(check_seed(seed))
    rows: list[tuple] = []
    while len(rows) < n_assignments:
        row = tuple(rng.permutation(np.repeat([0, 1], n_classes // 2)).tolist())
        if row not in rows:
            rows.append(row)
    return np.array(rows, dtype=np.int64)


def inverted_superclasses(
    images,
    labels,
    *,
    assignment: Sequence[int],
    epsilon: float,
    seed: int,
    n_per_class: int | None = None,
    mean: float | Sequence[float] | None = None,
    std: float | Sequence[float] | None = None,
    flatten: bool = False,
) -> AmplificationDataset:
    """Hall et al.'s image-inversion construction (https://biascourse.github.io/biascourse/book/derivations/bias_amplification.html#deriv-amp-inversion).

    The task is the super-class ``assignment[label]``; the group is whether the image is inverted
    (``255 - pixel``; group 1, Hall et al.'s attribute ``'b'``) or not (group 0, ``'a'``). Within
    every original class of size s whose super-class is c, exactly ``exact_count(s, p_c)`` images
    are inverted, with :math:`p_0 = 1/2 + \\varepsilon` and :math:`p_1 = 1/2 - \\varepsilon`, at
    positions shuffled by ``seed``. With balanced super-classes of equal-size classes,
    :math:`P(\\text{inverted}) = 1/2` and :math:`P(T=0\\mid\\text{inverted}) = 1/2 + \\varepsilon`
    exactly; build the test split with the same epsilon.

    Parameters
    ----------
    images : uint8 (n, H, W) or (n, H, W, C), e.g. from :func:`load_fashion_mnist`.
    labels : original classes (n,).
    assignment : super-class (0 or 1) of each original class, balanced, e.g. a row of
        :func:`balanced_assignments`.
    epsilon : dataset bias in [0, 1/2].
    seed : seed of the subset and of the inverted positions.
    n_per_class : use this many images of each class (drawn by ``seed``); default all.
    mean, std : per-channel pixel statistics for the standardisation; default: those of the
        *un-inverted* source ``images``, as Hall et al. normalise with the plain data set's
        statistics (so inversion also shifts the normalised mean: an easy group cue, https://biascourse.github.io/biascourse/book/derivations/bias_amplification.html#deriv-amp-inversion).
    flatten : return (n, C*H*W) vectors (for MLPs) instead of (n, C, H, W).
    """
    images, labels = _check_images(images, labels)
    epsilon = _check_epsilon(epsilon)
    assignment = _checks.array("assignment", assignment, dtype=None)
    if assignment.dtype.kind not in "iub":
        raise _checks.ArgumentTypeError(f"assignment must hold the super-class 0 or 1 of each class; got {assignment.tolist()}")
    assignment = assignment.astype(np.int64)
    if assignment.ndim != 1 or not np.isin(assignment, (0, 1)).all() or 2 * assignment.sum() != len(assignment):
        raise ValueError(f"assignment must give each class a super-class 0 or 1, half of the classes each; "
                         f"got {assignment.tolist()}")
    if labels.max() >= len(assignment):
        raise ValueError(f"assignment has {len(assignment)} entries but labels go up to {labels.max()}")
    rng = np.random.default_rng(check_seed(seed))
    mean, std = _pixel_statistics(images, mean, std)
    subsets = _class_subset(labels, range(len(assignment)), n_per_class, rng)
    rates = (0.5 + epsilon, 0.5 - epsilon)
    source, inverted = [], []
    for c, members in subsets.items():
        n_inv = exact_count(len(members), rates[assignment[c]])
        flags = np.zeros(len(members), dtype=np.int64)
        flags[:n_inv] = 1
        source.append(members)
        inverted.append(rng.permutation(flags))
    source, group = np.concatenate(source), np.concatenate(inverted)
    order = np.argsort(source, kind="stable")  # keep the source data's order
    source, group = source[order], group[order]
    picked = images[source]
    picked[group == 1] = 255 - picked[group == 1]
    return AmplificationDataset(_standardise(picked, mean, std, flatten), assignment[labels[source]], group, source,
                                labels[source], mean, std, ("super-class 0", "super-class 1"),
                                ("original", "inverted"))


def inverted_train_test(
    train,
    test,
    *,
    assignment: Sequence[int],
    epsilon: float,
    seed: int,
    n_per_class: int | None = None,
    test_per_class: int | None = None,
    mean: float | Sequence[float] | None = None,
    std: float | Sequence[float] | None = None,
    flatten: bool = False,
) -> tuple[AmplificationDataset, AmplificationDataset]:
    """A training split and its matching test split of the inversion construction (https://biascourse.github.io/biascourse/book/derivations/bias_amplification.html#deriv-amp-inversion).

    Both splits use the same super-class ``assignment`` and the same ``epsilon``, so the test
    table has the training table's rates exactly (Hall et al. build their test splits the same
    way), and the test split is standardised with the training split's ``pixel_mean`` and
    ``pixel_std``. Call it once per row of :func:`balanced_assignments` to run Hall et al.'s
    design of several random super-class splits, on Fashion-MNIST (10 classes, 5 per
    super-class) or on CIFAR-10, where it is the course's small version of their CIFAR-100
    construction (100 classes, 50 per super-class).

    Parameters
    ----------
    train, test : ``(images, labels)`` of the two source splits, e.g. from
        :func:`~biascourse.datasets.load_fashion_mnist` or
        :func:`~biascourse.datasets.load_or_fashion_mnist` (its ``train`` and ``test``).
    assignment, epsilon, flatten : see :func:`inverted_superclasses`.
    seed : the training split is drawn with ``seed``, the test split with ``seed + 1``.
    n_per_class, test_per_class : images per class in each split (default: all).
    mean, std : standardisation statistics of both splits; default: those of the un-inverted
        training images, :func:`pixel_statistics` (pass them when building several splits).

    Returns
    -------
    (AmplificationDataset, AmplificationDataset)
        The training and the test split.
    """
    seed = check_seed(seed)
    train_set = inverted_superclasses(*train, assignment=assignment, epsilon=epsilon, seed=seed,
                                      n_per_class=n_per_class, mean=mean, std=std, flatten=flatten)
    test_set = inverted_superclasses(*test, assignment=assignment, epsilon=epsilon, seed=seed + 1,
                                     n_per_class=test_per_class, mean=train_set.pixel_mean,
                                     std=train_set.pixel_std, flatten=flatten)
    return train_set, test_set


def superclass_names(assignment: Sequence[int], class_names: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The names of the classes in super-class 0 and in super-class 1 of an ``assignment``.

    Examples
    --------
    >>> superclass_names([0, 1, 1, 0], ["a", "b", "c", "d"])
    (('a', 'd'), ('b', 'c'))
    """
    assignment = np.asarray(assignment)
    if assignment.shape != (len(class_names),) or not np.isin(assignment, (0, 1)).all():
        raise ValueError(f"assignment must give each of the {len(class_names)} classes a super-class 0 or 1; "
                         f"got {assignment.tolist()}")
    return tuple(tuple(class_names[c] for c in np.flatnonzero(assignment == s)) for s in (0, 1))


def blend(images, overlays, eta: float) -> np.ndarray:
    """``PIL.Image.blend(images, overlays, eta)`` on uint8 arrays: ``(1 - eta) I + eta O``, truncated.

    Pillow computes ``I + eta (O - I)`` in single precision and truncates to uint8; this function
    does the same, so it gives Hall et al.'s overlay images bit for bit (checked in the tests).

    Raises
    ------
    ArgumentTypeError
        If ``images`` or ``overlays`` holds no numbers, or ``eta`` is not a number.
    ValueError
        If ``images`` or ``overlays`` holds values outside [0, 255] (NaN included), their shapes
        do not broadcast together, or ``eta`` is outside [0, 1].
    """
    eta = _checks.real("eta", eta, 0.0, 1.0)
    base = _checks.array("images", images, low=0, high=255, nonempty=False).astype(np.float32)
    over = _checks.array("overlays", overlays, low=0, high=255, nonempty=False).astype(np.float32)
    try:
        np.broadcast_shapes(base.shape, over.shape)
    except ValueError:
        raise ValueError(f"images and overlays must have the same shape; got {base.shape} and {over.shape}") from None
    mixed = base + np.float32(eta) * (over - base)
    return mixed.astype(np.uint8)


#: Hall et al.'s example CIFAR-10 overlay combination (https://biascourse.github.io/biascourse/book/derivations/bias_amplification.html#deriv-amp-overlay): task {dog, truck}, group {bird, deer}.
CIFAR10_OVERLAY = {"task_classes": (5, 9), "group_classes": (2, 4)}
#: The course's Fashion-MNIST variant: task {Pullover, Coat} (often confused), group {Trouser, Bag}.
FASHION_MNIST_OVERLAY = {"task_classes": (2, 4), "group_classes": (1, 8)}


def overlay_classes(
    images,
    labels,
    *,
    task_classes: Sequence[int],
    group_classes: Sequence[int],
    eta: float,
    epsilon: float,
    seed: int,
    n_per_class: int | None = None,
    mean: float | Sequence[float] | None = None,
    std: float | Sequence[float] | None = None,
    flatten: bool = False,
) -> AmplificationDataset:
    """Hall et al.'s overlay construction for the relative difficulty of group and class (https://biascourse.github.io/biascourse/book/derivations/bias_amplification.html#deriv-amp-overlay).

    Images of the two ``task_classes`` (task 0 and 1) are blended with images of the two
    ``group_classes`` (group 0 and 1): :math:`I = \\eta I_{group} + (1-\\eta) I_{class}`, as
    :func:`blend` (Pillow's ``Image.blend``). Task class 0 gets a group-0 overlay in exactly
    ``exact_count(s, 1/2 + epsilon)`` of its s images, task class 1 in
    ``exact_count(s, 1/2 - epsilon)``; the others get group 1. Each group image is used once. At
    :math:`\\eta = 0` the group is invisible; at :math:`\\eta = 1` the image *is* the group image and
    the class shows only through the correlation.

    Parameters
    ----------
    images, labels : uint8 source images and classes: CIFAR-10 (:func:`load_cifar10`, Hall et al.)
        or Fashion-MNIST (the course's variant, see :data:`FASHION_MNIST_OVERLAY`).
    task_classes, group_classes : two source classes each, all four distinct.
    eta : overlay strength in [0, 1].
    epsilon : dataset bias in [0, 1/2].
    seed : seed of the subsets, the group of each image and the pairing with group images.
    n_per_class : task images per task class (default all); the group images come from the
        whole of each group class.
    mean, std : per-channel pixel statistics of the standardisation; default: those of the
        blended images. Pass the training set's to the test set.
    flatten : return flattened inputs.
    """
    images, labels = _check_images(images, labels)
    epsilon = _check_epsilon(epsilon)
    task_classes, group_classes = tuple(int(c) for c in task_classes), tuple(int(c) for c in group_classes)
    if len(task_classes) != 2 or len(group_classes) != 2 or len(set(task_classes + group_classes)) != 4:
        raise ValueError(f"task_classes and group_classes must be two classes each, all four distinct; "
                         f"got {task_classes} and {group_classes}")
    rng = np.random.default_rng(check_seed(seed))
    tasks = _class_subset(labels, task_classes, n_per_class, rng)
    pools = {g: rng.permutation(members) for g, members in
             zip((0, 1), _class_subset(labels, group_classes, None, rng).values())}
    used = {0: 0, 1: 0}
    source, overlay, task, group = [], [], [], []
    for t, (c, members) in enumerate(tasks.items()):
        n_first = exact_count(len(members), 0.5 + epsilon if t == 0 else 0.5 - epsilon)
        groups = rng.permutation(np.repeat([0, 1], [n_first, len(members) - n_first]))
        for g in (0, 1):
            need = int((groups == g).sum())
            if used[g] + need > len(pools[g]):
                raise ValueError(f"group class {group_classes[g]} has {len(pools[g])} images but the construction "
                                 f"needs {used[g] + need}; lower n_per_class")
            overlay.append(pools[g][used[g]:used[g] + need])
            used[g] += need
            source.append(members[groups == g])
            group.append(np.full(need, g))
            task.append(np.full(need, t))
    source, overlay, task, group = (np.concatenate(v).astype(np.int64) for v in (source, overlay, task, group))
    order = np.argsort(source, kind="stable")
    source, overlay, task, group = source[order], overlay[order], task[order], group[order]
    blended = blend(images[source], images[overlay], eta)
    mean, std = _pixel_statistics(blended, mean, std)
    return AmplificationDataset(_standardise(blended, mean, std, flatten), task, group, source, labels[source],
                                mean, std, tuple(f"class {c}" for c in task_classes),
                                tuple(f"overlay {c}" for c in group_classes), overlay)


def overlay_train_test(
    train,
    test,
    *,
    task_classes: Sequence[int],
    group_classes: Sequence[int],
    eta: float,
    epsilon: float,
    seed: int,
    n_per_class: int | None = None,
    test_per_class: int | None = None,
    flatten: bool = False,
) -> tuple[AmplificationDataset, AmplificationDataset]:
    """A training split and its matching test split of the overlay construction (https://biascourse.github.io/biascourse/book/derivations/bias_amplification.html#deriv-amp-overlay).

    Both splits use the same classes, ``eta`` and ``epsilon``, so the test table has the training
    table's rates exactly; the test split is standardised with the training split's ``pixel_mean``
    and ``pixel_std`` (the statistics of the blended training images).

    Parameters
    ----------
    train, test : ``(images, labels)`` of the two source splits, e.g. from
        :func:`~biascourse.datasets.load_fashion_mnist`.
    task_classes, group_classes, eta, epsilon, flatten : see :func:`overlay_classes` (e.g.
        ``**FASHION_MNIST_OVERLAY`` for the classes).
    seed : the training split is drawn with ``seed``, the test split with ``seed + 1``.
    n_per_class, test_per_class : task images per task class in each split (default: all).

    Returns
    -------
    (AmplificationDataset, AmplificationDataset)
        The training and the test split.
    """
    seed = check_seed(seed)
    classes = dict(task_classes=task_classes, group_classes=group_classes, eta=eta, epsilon=epsilon, flatten=flatten)
    train_set = overlay_classes(*train, seed=seed, n_per_class=n_per_class, **classes)
    test_set = overlay_classes(*test, seed=seed + 1, n_per_class=test_per_class, mean=train_set.pixel_mean,
                               std=train_set.pixel_std, **classes)
    return train_set, test_set


def swap_roles(data: AmplificationDataset) -> AmplificationDataset:
    """The role swap of Hall et al. (https://biascourse.github.io/biascourse/book/derivations/bias_amplification.html#deriv-amp-datasets): the model predicts the group, the task becomes the group.

    For an inversion data set the new target is "inverted or not" and the new group is the
    super-class. BiasAmp A->T on the swapped set equals BiasAmp T->A on the original one.

    Raises
    ------
    ArgumentTypeError
        If ``data`` is not an :class:`AmplificationDataset`.
    """
    _checks.instance("data", data, AmplificationDataset)
    return replace(data, y=data.group, group=data.y, task_names=data.group_names, group_names=data.task_names)
