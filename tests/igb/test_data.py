"""Tests of biascourse/igb/_data.py: global versus per-pixel centring of images."""
import numpy as np
import pytest

from biascourse import igb


def test_global_and_per_pixel_centring():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(50, 4, 4), dtype=np.uint8)
    images[:, 0, :] = 0  # a black border row, as in Fashion-MNIST
    glob = igb.prepare_images(images, "global")
    assert glob.shape == (50, 16) and glob.dtype == np.float32
    np.testing.assert_allclose(glob[:, :4], (0 - igb.FASHION_MNIST_MEAN) / igb.FASHION_MNIST_STD, rtol=1e-6)  # -0.81
    pix = igb.prepare_images(images, "per_pixel")
    np.testing.assert_allclose(pix.mean(axis=0), 0.0, atol=1e-6)
    assert igb.gamma_linear(pix) == pytest.approx(0.0, abs=1e-10)
    assert igb.gamma_linear(glob) > 0.1
    # a test set centred with the training mean image
    test = igb.prepare_images(images[:10], "per_pixel", reference=images)
    np.testing.assert_allclose(test, pix[:10], atol=1e-6)
    with pytest.raises(ValueError, match="centring must be one of"):
        igb.prepare_images(images, "per_channel")
