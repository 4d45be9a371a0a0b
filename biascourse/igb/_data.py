"""Preparing images for the IGB measurements: the per-pixel centring subtlety (https://biascourse.github.io/biascourse/book/derivations/initial_guessing_bias.html#deriv-igb-centring).

The usual Fashion-MNIST normalisation subtracts one scalar, the mean over all pixels and images
(0.2860), and divides by one scalar (0.3530). It does not centre each pixel: a border pixel, black
in almost every image, becomes -0.81 for every input. A linear or tanh network then sees
un-centred data and shows IGB. Subtracting the mean *image* removes it.
"""
from __future__ import annotations

import numpy as np

from .._checks import array as check_array, choice, real

#: Mean and standard deviation of Fashion-MNIST pixels (in [0, 1]) over the training set.
FASHION_MNIST_MEAN, FASHION_MNIST_STD = 0.2860, 0.3530

CENTRINGS = ("global", "per_pixel")


def prepare_images(
    images: np.ndarray,
    centring: str = "global",
    reference: np.ndarray | None = None,
    mean: float = FASHION_MNIST_MEAN,
    std: float = FASHION_MNIST_STD,
) -> np.ndarray:
    """Flatten uint8 images to float32 vectors, normalised in one of two ways.

    Parameters
    ----------
    images : uint8 array (n, H, W) or (n, H, W, C).
    centring : ``"global"`` gives :math:`(x/255-\\text{mean})/\\text{std}` with scalar mean and std;
        ``"per_pixel"`` gives :math:`(x/255-\\bar x_{\\text{pixel}})/\\text{std}`, the mean image of
        ``reference`` subtracted. Both divide by the same scalar, so they differ only in the centring.
    reference : images whose mean image is subtracted (default: ``images`` itself; pass the
        training set to centre a test set the same way).
    mean, std : the scalars of the global normalisation (Fashion-MNIST's by default).

    Returns
    -------
    numpy.ndarray
        float32, shape (n, H*W*C).

    Raises
    ------
    ArgumentTypeError
        If ``images`` or ``reference`` holds no numbers, or ``mean`` or ``std`` is not a number.
    ValueError
        If ``images`` or ``reference`` is empty, not (n, H, W) or (n, H, W, C), or holds values
        outside [0, 255] (NaN included); if ``std <= 0``, ``centring`` is unknown, or ``reference``
        has another number of pixels.
    """
    choice("centring", centring, CENTRINGS)
    mean = real("mean", mean)
    std = real("std", std, 0, low_open=True)
    x = check_array("images", images, ndim=(3, 4), low=0, high=255).astype(np.float32).reshape(len(images), -1) / 255.0
    if centring == "global":
        return (x - mean) / std
    ref = x if reference is None else (
        check_array("reference", reference, ndim=(3, 4), low=0, high=255).astype(np.float32).reshape(len(reference), -1) / 255.0)
    if ref.shape[1] != x.shape[1]:
        raise ValueError(f"reference images must have {x.shape[1]} pixels like images; got {ref.shape[1]}")
    return (x - ref.mean(axis=0)) / std
