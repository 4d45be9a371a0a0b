import gzip

import numpy as np
import pytest

from biascourse.datasets import (read_celeba_attributes, read_celeba_partition, read_cifar10_binary, read_idx,
                                 read_idx_pair)


@pytest.mark.parametrize("compress", [True, False])
def test_idx_round_trip(tmp_path, compress, writers):
    images = np.random.default_rng(1).integers(0, 256, (5, 28, 28), dtype=np.uint8)
    path = writers.write_idx(tmp_path / ("a.gz" if compress else "a"), images, compress)
    out = read_idx(path)
    assert out.dtype == np.uint8 and out.shape == (5, 28, 28)
    np.testing.assert_array_equal(out, images)


def test_idx_pair_types(tmp_path, writers):
    images = np.zeros((4, 28, 28), np.uint8)
    writers.write_idx(tmp_path / "i.gz", images)
    writers.write_idx(tmp_path / "l.gz", np.array([0, 9, 3, 3], np.uint8))
    x, y = read_idx_pair(tmp_path / "i.gz", tmp_path / "l.gz")
    assert x.shape == (4, 28, 28) and y.dtype == np.int64 and y.tolist() == [0, 9, 3, 3]


def test_idx_truncated_file_is_refused(tmp_path, writers):
    data = writers.idx_bytes(np.zeros((3, 28, 28), np.uint8))
    (tmp_path / "cut").write_bytes(data[:-10])
    with pytest.raises(ValueError, match="truncated or corrupted"):
        read_idx(tmp_path / "cut")


def test_idx_bad_magic_and_bad_gzip(tmp_path):
    (tmp_path / "bad").write_bytes(b"\x12\x34\x08\x01" + b"\x00" * 8)
    with pytest.raises(ValueError, match="not an idx file"):
        read_idx(tmp_path / "bad")
    (tmp_path / "bad.gz").write_bytes(b"this is not gzip")
    with pytest.raises(ValueError, match="not a valid gzip"):
        read_idx(tmp_path / "bad.gz")
    with gzip.open(tmp_path / "short.gz", "wb") as handle:
        handle.write(b"\x00\x00\x08")
    with pytest.raises(ValueError, match="not an idx file"):
        read_idx(tmp_path / "short.gz")


def test_idx_pair_mismatch_and_label_range(tmp_path, writers):
    writers.write_idx(tmp_path / "i.gz", np.zeros((4, 28, 28), np.uint8))
    writers.write_idx(tmp_path / "l.gz", np.array([0, 1, 2], np.uint8))
    with pytest.raises(ValueError, match="should hold 4 labels"):
        read_idx_pair(tmp_path / "i.gz", tmp_path / "l.gz")
    writers.write_idx(tmp_path / "l.gz", np.array([0, 1, 2, 12], np.uint8))
    with pytest.raises(ValueError, match="outside"):
        read_idx_pair(tmp_path / "i.gz", tmp_path / "l.gz")


def test_cifar_binary_layout(tmp_path, writers):
    rng = np.random.default_rng(2)
    images = rng.integers(0, 256, (6, 32, 32, 3), dtype=np.uint8)
    labels = np.array([0, 9, 4, 4, 1, 7])
    (tmp_path / "b1.bin").write_bytes(writers.cifar_bytes(images[:4], labels[:4]))
    (tmp_path / "b2.bin").write_bytes(writers.cifar_bytes(images[4:], labels[4:]))
    x, y = read_cifar10_binary([tmp_path / "b1.bin", tmp_path / "b2.bin"])
    np.testing.assert_array_equal(x, images)
    np.testing.assert_array_equal(y, labels)
    # the first 1024 pixel bytes of a record are the red plane
    raw = np.frombuffer((tmp_path / "b1.bin").read_bytes(), np.uint8)
    np.testing.assert_array_equal(raw[1:1025].reshape(32, 32), images[0, :, :, 0])


def test_cifar_corrupted(tmp_path, writers):
    good = writers.cifar_bytes(np.zeros((2, 32, 32, 3), np.uint8), np.array([1, 2]))
    (tmp_path / "cut.bin").write_bytes(good[:-1])
    with pytest.raises(ValueError, match="whole number"):
        read_cifar10_binary(tmp_path / "cut.bin")
    bad = bytearray(good)
    bad[0] = 200
    (tmp_path / "label.bin").write_bytes(bytes(bad))
    with pytest.raises(ValueError, match="labels outside"):
        read_cifar10_binary(tmp_path / "label.bin")


def test_celeba_tables(tmp_path):
    (tmp_path / "attr.txt").write_text("2\nSmiling Male\n000001.jpg  1 -1\n000002.jpg -1  1\n")
    files, attrs, names = read_celeba_attributes(tmp_path / "attr.txt")
    assert names == ("Smiling", "Male") and files.tolist() == ["000001.jpg", "000002.jpg"]
    np.testing.assert_array_equal(attrs, [[1, 0], [0, 1]])
    (tmp_path / "part.txt").write_text("000001.jpg 0\n000002.jpg 2\n")
    assert read_celeba_partition(tmp_path / "part.txt") == {"000001.jpg": 0, "000002.jpg": 2}


def test_celeba_corrupted_tables(tmp_path):
    (tmp_path / "attr.txt").write_text("3\nSmiling Male\n000001.jpg  1 -1\n000002.jpg -1  1\n")
    with pytest.raises(ValueError, match="should list 3 images"):
        read_celeba_attributes(tmp_path / "attr.txt")
    (tmp_path / "attr.txt").write_text("1\nSmiling Male\n000001.jpg  1 0\n")
    with pytest.raises(ValueError, match="should list"):
        read_celeba_attributes(tmp_path / "attr.txt")
    (tmp_path / "part.txt").write_text("000001.jpg 5\n")
    with pytest.raises(ValueError, match="line 1"):
        read_celeba_partition(tmp_path / "part.txt")
