import dataclasses
import io
import tarfile
import urllib.error

import numpy as np
import pytest

from biascourse.datasets import (ChecksumError, DatasetUnavailableError, load_celeba_attributes, load_celeba_images,
                                 load_cifar10, load_fashion_mnist, load_mnist, load_or_fashion_mnist, sha256_file)
from biascourse.datasets import _download, _sources


@pytest.fixture
def no_network(monkeypatch):
    """Make every download fail as it does offline."""

    def offline(*args, **kwargs):
        raise urllib.error.URLError("offline")

    monkeypatch.setattr(_download.urllib.request, "urlopen", offline)


def test_load_mnist_from_root(mnist_like):
    root, arrays = mnist_like
    for split in ("train", "test"):
        images, labels = load_mnist(split, root=root, download=False)
        assert images.dtype == np.uint8 and labels.dtype == np.int64
        np.testing.assert_array_equal(images, arrays[split][0])
        np.testing.assert_array_equal(labels, arrays[split][1])


def test_bad_split():
    with pytest.raises(ValueError, match="split must be one of"):
        load_mnist("validation")


def test_offline_error_says_what_and_where(tmp_path, monkeypatch, no_network):
    monkeypatch.setenv("BIASCOURSE_DATA", str(tmp_path / "data"))
    monkeypatch.setattr(_sources, "SYSTEM_DATA_DIRS", ())
    with pytest.raises(DatasetUnavailableError) as info:
        load_mnist("train")
    message = str(info.value)
    assert "train-images-idx3-ubyte.gz" in message and "t10k-labels-idx1-ubyte.gz" in message
    assert str(tmp_path / "data" / "mnist") in message and "https://" in message
    with pytest.raises(DatasetUnavailableError, match="cifar-10-binary.tar.gz"):
        load_cifar10("test")
    with pytest.raises(DatasetUnavailableError, match="cannot be downloaded automatically"):
        load_celeba_attributes("train")
    with pytest.raises(DatasetUnavailableError, match="apt install dataset-fashion-mnist"):
        _sources.load_fashion_mnist("test", download=False)


def test_download_into_data_dir_with_checksum(mnist_like, tmp_path, monkeypatch):
    """A download from a (file://) mirror is checked and stored; a wrong checksum is refused."""
    mirror, arrays = mnist_like
    files = {split: tuple((name, sha256_file(mirror / name)) for name, _ in pair)
             for split, pair in _sources.MNIST.files.items()}
    monkeypatch.setattr(_sources, "MNIST", dataclasses.replace(_sources.MNIST, mirrors=(mirror.as_uri() + "/",), files=files))
    monkeypatch.setenv("BIASCOURSE_DATA", str(tmp_path / "data"))
    monkeypatch.setattr(_sources, "SYSTEM_DATA_DIRS", ())
    images, _ = load_mnist("test")
    np.testing.assert_array_equal(images, arrays["test"][0])
    assert (tmp_path / "data" / "mnist" / "t10k-images-idx3-ubyte.gz").is_file()

    wrong = {split: tuple((name, "f" * 64) for name, _ in pair) for split, pair in files.items()}
    monkeypatch.setattr(_sources, "MNIST", dataclasses.replace(_sources.MNIST, files=wrong))
    with pytest.raises(ChecksumError):
        load_mnist("train")
    assert not (tmp_path / "data" / "mnist" / "train-images-idx3-ubyte.gz").exists()


def test_corrupted_file_in_data_dir_is_refused(mnist_like, tmp_path, monkeypatch):
    mirror, _ = mnist_like
    monkeypatch.setenv("BIASCOURSE_DATA", str(tmp_path / "data"))
    folder = tmp_path / "data" / "mnist"
    folder.mkdir(parents=True)
    for name, _ in _sources.MNIST.files["test"]:
        (folder / name).write_bytes((mirror / name).read_bytes())  # not the published MNIST bytes
    with pytest.raises(ChecksumError, match="delete it"):
        load_mnist("test")


def _cifar_archive(path, writers):
    rng = np.random.default_rng(3)
    arrays = {}
    with tarfile.open(path, "w:gz") as tar:
        for name in _sources.CIFAR10_FILES["train"] + _sources.CIFAR10_FILES["test"]:
            images = rng.integers(0, 256, (3, 32, 32, 3), dtype=np.uint8)
            labels = rng.integers(0, 10, 3)
            data = writers.cifar_bytes(images, labels)
            info = tarfile.TarInfo(f"cifar-10-batches-bin/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            arrays[name] = (images, labels)
    return arrays


def test_cifar10_archive_is_checked_and_extracted(tmp_path, monkeypatch, writers):
    root = tmp_path / "cifar"
    root.mkdir()
    arrays = _cifar_archive(root / "cifar-10-binary.tar.gz", writers)
    monkeypatch.setattr(_sources, "CIFAR10_SHA256", sha256_file(root / "cifar-10-binary.tar.gz"))
    images, labels = load_cifar10("train", root=root, download=False)
    assert images.shape == (15, 32, 32, 3) and labels.shape == (15,)
    np.testing.assert_array_equal(images[:3], arrays["data_batch_1.bin"][0])
    test_images, test_labels = load_cifar10("test", root=root, download=False)
    np.testing.assert_array_equal(test_labels, arrays["test_batch.bin"][1])
    assert (root / "cifar-10-batches-bin" / "test_batch.bin").is_file()


def test_cifar10_corrupted_archive(tmp_path, monkeypatch, writers):
    root = tmp_path / "cifar"
    root.mkdir()
    _cifar_archive(root / "cifar-10-binary.tar.gz", writers)
    with pytest.raises(ChecksumError):
        load_cifar10("train", root=root, download=False)


def _celeba(root):
    from PIL import Image

    names = ("Blond_Hair", "Male", "Smiling")
    rows, parts = [], []
    rng = np.random.default_rng(4)
    (root / "img_align_celeba").mkdir(parents=True)
    for i in range(12):
        name = f"{i + 1:06d}.jpg"
        values = rng.choice([-1, 1], size=3)
        rows.append(name + " " + " ".join(f"{v:2d}" for v in values))
        parts.append(f"{name} {0 if i < 8 else 2}")
        Image.fromarray(np.full((218, 178, 3), 20 * i, np.uint8)).save(root / "img_align_celeba" / name)
    (root / "list_attr_celeba.txt").write_text(f"12\n{' '.join(names)}\n" + "\n".join(rows) + "\n")
    (root / "list_eval_partition.txt").write_text("\n".join(parts) + "\n")


def test_celeba_attributes_and_images(tmp_path):
    _celeba(tmp_path)
    table = load_celeba_attributes("train", root=tmp_path)
    assert len(table.filenames) == 8 and table.names == ("Blond_Hair", "Male", "Smiling")
    assert set(np.unique(table.column("Male"))) <= {0, 1}
    images = load_celeba_images(table, [0, 3], size=16)
    assert images.shape == (2, 16, 16, 3) and images.dtype == np.uint8
    assert abs(int(images[1].mean()) - 60) <= 2  # image 4 is uniformly grey level 60 (JPEG rounding)
    assert len(load_celeba_attributes("test", root=tmp_path).filenames) == 4
    with pytest.raises(ValueError, match="attribute must be one of"):
        table.column("Wavy")


def test_fashion_mnist_for_real():
    """The real Fashion-MNIST (Debian's copy, the data folder, or a download)."""
    try:
        train_images, train_labels = load_fashion_mnist("train")
        test_images, test_labels = load_fashion_mnist("test")
    except DatasetUnavailableError as err:
        pytest.skip(f"Fashion-MNIST unavailable: {err}")
    assert train_images.shape == (60000, 28, 28) and train_images.dtype == np.uint8
    assert test_images.shape == (10000, 28, 28)
    np.testing.assert_array_equal(np.bincount(train_labels), np.full(10, 6000))
    np.testing.assert_array_equal(np.bincount(test_labels), np.full(10, 1000))
    assert abs(train_images.mean() / 255 - 0.2860) < 1e-3  # the published pixel mean


def test_stand_in_when_offline(tmp_path, monkeypatch, no_network):
    monkeypatch.setenv("BIASCOURSE_DATA", str(tmp_path / "data"))
    monkeypatch.setattr(_sources, "SYSTEM_DATA_DIRS", ())
    fashion = (np.zeros((3, 28, 28), np.uint8), np.arange(3))
    monkeypatch.setattr(_sources, "load_fashion_mnist", lambda split, **kw: fashion)
    stand_in = load_or_fashion_mnist("MNIST")
    assert stand_in.substituted and stand_in.name == "Fashion-MNIST (standing in for MNIST)"
    assert "train-images-idx3-ubyte.gz" in stand_in.reason and stand_in.train is fashion
    with pytest.raises(ValueError, match="name must be one of"):
        load_or_fashion_mnist("SVHN")


def test_no_stand_in_when_available(mnist_like, monkeypatch):
    root, arrays = mnist_like
    monkeypatch.setattr(_sources, "_LOADERS", {**_sources._LOADERS, "MNIST": lambda split, **kw: load_mnist(split, root=root)})
    loaded = load_or_fashion_mnist("MNIST", download=False)
    assert not loaded.substituted and loaded.name == "MNIST"
    np.testing.assert_array_equal(loaded.test[0], arrays["test"][0])
