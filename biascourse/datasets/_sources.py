"""Finding, downloading and loading the course's image datasets (MNIST, Fashion-MNIST, CIFAR-10, CelebA).

Search order for every dataset: the ``root`` folder when one is given; otherwise the course's data
folder (:func:`biascourse.data_dir`, e.g. ``~/.cache/biascourse/fashion-mnist``), then the system
folders where Linux distributions install datasets (Debian's ``/usr/share/datasets/fashion-mnist``).
A missing dataset is downloaded into the data folder with its published SHA-256 checked; when that
is impossible (offline) a :class:`DatasetUnavailableError` lists the files to fetch and where to put
them.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .._checks import integer as check_integer
from .._config import data_dir
from ._download import DatasetUnavailableError, download, safe_extract, verify_sha256
from ._formats import read_celeba_attributes, read_celeba_partition, read_cifar10_binary, read_idx_pair

SPLITS = ("train", "test")
SYSTEM_DATA_DIRS = (Path("/usr/share/datasets"), Path("/usr/local/share/datasets"))

FASHION_MNIST_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                         "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")


@dataclass(frozen=True)
class _IdxDataset:
    title: str
    folder: str
    mirrors: tuple[str, ...]
    files: dict  # split -> ((images file, sha256), (labels file, sha256))


MNIST = _IdxDataset(
    "MNIST", "mnist",
    ("https://ossci-datasets.s3.amazonaws.com/mnist/", "https://storage.googleapis.com/cvdf-datasets/mnist/"),
    {"train": (("train-images-idx3-ubyte.gz", "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
               ("train-labels-idx1-ubyte.gz", "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c")),
     "test": (("t10k-images-idx3-ubyte.gz", "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
              ("t10k-labels-idx1-ubyte.gz", "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"))},
)
FASHION_MNIST = _IdxDataset(
    "Fashion-MNIST", "fashion-mnist",
    ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
     "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/"),
    {"train": (("train-images-idx3-ubyte.gz", "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"),
               ("train-labels-idx1-ubyte.gz", "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845")),
     "test": (("t10k-images-idx3-ubyte.gz", "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"),
              ("t10k-labels-idx1-ubyte.gz", "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5"))},
)
CIFAR10_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"
CIFAR10_SHA256 = "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd"
CIFAR10_FILES = {"train": tuple(f"data_batch_{i}.bin" for i in range(1, 6)), "test": ("test_batch.bin",)}
CELEBA_URL = "https://mmlab.ie.cuhk.edu.hk/projects/CelebA.html"
CELEBA_FILES = ("list_attr_celeba.txt", "list_eval_partition.txt", "img_align_celeba/ (or img_align_celeba.zip)")
CELEBA_SPLITS = {"train": 0, "valid": 1, "test": 2}


def _check_split(split: str, allowed=SPLITS) -> str:
    if split not in allowed:
        raise ValueError(f"split must be one of {allowed}; got {split!r}")
    return split


def _search_dirs(root, folder: str) -> list[Path]:
    if root is not None:
        return [Path(root).expanduser()]
    return [data_dir() / folder, *(d / folder for d in SYSTEM_DATA_DIRS)]


#: Data sets that Debian ships for offline use, and how to install them there.
_DEBIAN_HINTS = {"Fashion-MNIST": " (on Debian or Ubuntu, `sudo apt install dataset-fashion-mnist` installs it for offline use)"}


def _offline_error(title: str, urls, folder: Path, extra: str = "") -> DatasetUnavailableError:
    listing = "\n  ".join(urls)
    return DatasetUnavailableError(
        f"{title} is not on this machine and could not be downloaded (no internet connection?).\n"
        f"Download these files:\n  {listing}\nand put them in the folder {folder}{extra}, then run again "
        "(or set BIASCOURSE_DATA to the folder that holds your datasets, or pass root=...)."
    )


def _load_idx(dataset: _IdxDataset, split: str, root, fetch: bool) -> tuple[np.ndarray, np.ndarray]:
    _check_split(split)
    dirs = _search_dirs(root, dataset.folder)
    target = dirs[0]
    paths = []
    every_url = [dataset.mirrors[0] + name for pair in dataset.files.values() for name, _ in pair]
    for name, sha in dataset.files[split]:
        candidates = [d / n for d in dirs for n in (name, name.removesuffix(".gz"))]
        found = next((p for p in candidates if p.is_file()), None)
        if found is None:
            urls = [m + name for m in dataset.mirrors]
            extra = _DEBIAN_HINTS.get(dataset.title, "")
            if not fetch:
                raise _offline_error(dataset.title, every_url, target, extra)
            try:
                found = download(urls, target / name, sha)
            except DatasetUnavailableError as err:
                raise _offline_error(dataset.title, every_url, target, extra) from err
        elif found.parent == data_dir(create=False) / dataset.folder and found.name == name:
            verify_sha256(found, sha)  # a file we downloaded or the user copied: must be the original
        paths.append(found)
    return read_idx_pair(*paths)


def load_mnist(split: str = "train", root: str | os.PathLike | None = None,
               download: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Load MNIST (LeCun, Cortes and Burges) from idx files.

    Parameters
    ----------
    split : ``"train"`` (60 000 images) or ``"test"`` (10 000).
    root : folder holding the four idx files (``.gz`` or not); default: the course's data folder
        ``data_dir()/mnist``, then ``/usr/share/datasets/mnist``.
    download : download the missing files (SHA-256 checked) into the data folder.

    Returns
    -------
    images : uint8 array (n, 28, 28).
    labels : int64 array (n,), digits 0-9.

    Raises
    ------
    DatasetUnavailableError
        When the files are missing and cannot be downloaded; the message says what to fetch and where.
    """
    return _load_idx(MNIST, split, root, download)


def load_fashion_mnist(split: str = "train", root: str | os.PathLike | None = None,
                       download: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Load Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017) from idx files.

    Parameters
    ----------
    split : ``"train"`` (60 000 images) or ``"test"`` (10 000).
    root : folder holding the four idx files; default: ``data_dir()/fashion-mnist``, then Debian's
        ``/usr/share/datasets/fashion-mnist`` (Debian package ``dataset-fashion-mnist``).
    download : download the missing files (SHA-256 checked) into the data folder.

    Returns
    -------
    images : uint8 array (n, 28, 28).
    labels : int64 array (n,), classes 0-9 named in :data:`FASHION_MNIST_CLASSES`.
    """
    return _load_idx(FASHION_MNIST, split, root, download)


def _cifar10_folder(root, fetch: bool) -> Path:
    dirs = _search_dirs(root, "cifar10")
    needed = CIFAR10_FILES["train"] + CIFAR10_FILES["test"]
    for d in dirs:
        for folder in (d / "cifar-10-batches-bin", d):
            if all((folder / f).is_file() for f in needed):
                return folder
    archive = next((d / "cifar-10-binary.tar.gz" for d in dirs if (d / "cifar-10-binary.tar.gz").is_file()), None)
    target = dirs[0]
    if archive is None:
        if not fetch:
            raise _offline_error("CIFAR-10 (binary version)", [CIFAR10_URL], target)
        try:
            archive = download(CIFAR10_URL, target / "cifar-10-binary.tar.gz", CIFAR10_SHA256)
        except DatasetUnavailableError as err:
            raise _offline_error("CIFAR-10 (binary version)", [CIFAR10_URL], target) from err
    verify_sha256(archive, CIFAR10_SHA256)
    folder = safe_extract(archive, target) / "cifar-10-batches-bin"
    missing = [f for f in needed if not (folder / f).is_file()]
    if missing:
        raise ValueError(f"{archive} does not contain {missing}; it is not the CIFAR-10 binary archive")
    return folder


def load_cifar10(split: str = "train", root: str | os.PathLike | None = None,
                 download: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Load CIFAR-10 (Krizhevsky, 2009) from its binary version (never from the pickled one).

    Parameters
    ----------
    split : ``"train"`` (50 000 images) or ``"test"`` (10 000).
    root : folder holding ``cifar-10-batches-bin/`` or ``cifar-10-binary.tar.gz``; default:
        ``data_dir()/cifar10``, then ``/usr/share/datasets/cifar10``.
    download : download ``cifar-10-binary.tar.gz`` (SHA-256 checked) and extract it safely.

    Returns
    -------
    images : uint8 array (n, 32, 32, 3), channels last.
    labels : int64 array (n,), classes named in :data:`CIFAR10_CLASSES`.
    """
    _check_split(split)
    folder = _cifar10_folder(root, download)
    return read_cifar10_binary([folder / f for f in CIFAR10_FILES[split]])


@dataclass(frozen=True)
class CelebAAttributes:
    """CelebA's attribute table for one split.

    Attributes
    ----------
    filenames : image file names, array of str (n,).
    attributes : int8 array (n, 40), 1 where the attribute is present, else 0.
    names : the 40 attribute names (``"Blond_Hair"``, ``"Male"``, ...).
    folder : the folder that holds the CelebA files.
    """

    filenames: np.ndarray
    attributes: np.ndarray
    names: tuple[str, ...]
    folder: Path

    def column(self, name: str) -> np.ndarray:
        """The 0/1 column of one attribute."""
        if name not in self.names:
            raise ValueError(f"attribute must be one of CelebA's {len(self.names)} attributes {self.names}; got {name!r}")
        return self.attributes[:, self.names.index(name)]


def _celeba_folder(root) -> Path:
    dirs = _search_dirs(root, "celeba")
    for d in dirs:
        if (d / "list_attr_celeba.txt").is_file() and (d / "list_eval_partition.txt").is_file():
            if not (d / "img_align_celeba").is_dir() and (d / "img_align_celeba.zip").is_file():
                safe_extract(d / "img_align_celeba.zip", d)
            if (d / "img_align_celeba").is_dir():
                return d
    raise _offline_error(
        "CelebA", [f"{f}   (from the 'Align&Cropped Images' and 'Anno'/'Eval' folders)" for f in CELEBA_FILES],
        dirs[0], extra=f" (CelebA is distributed through {CELEBA_URL} and cannot be downloaded automatically)",
    )


def load_celeba_attributes(split: str = "train", root: str | os.PathLike | None = None) -> CelebAAttributes:
    """Load CelebA's 40 binary face attributes for one split (Liu, Luo, Wang and Tang, 2015).

    Parameters
    ----------
    split : ``"train"``, ``"valid"`` or ``"test"`` (the official partition).
    root : folder holding ``list_attr_celeba.txt``, ``list_eval_partition.txt`` and
        ``img_align_celeba/`` (or its zip, extracted safely on first use); default
        ``data_dir()/celeba``. CelebA has no automatic download.
    """
    _check_split(split, tuple(CELEBA_SPLITS))
    folder = _celeba_folder(root)
    filenames, attributes, names = read_celeba_attributes(folder / "list_attr_celeba.txt")
    partition = read_celeba_partition(folder / "list_eval_partition.txt")
    keep = np.array([partition.get(f, -1) == CELEBA_SPLITS[split] for f in filenames], dtype=bool)
    return CelebAAttributes(filenames[keep], attributes[keep], names, folder)


def load_celeba_images(table: CelebAAttributes, indices=None, size: int = 64) -> np.ndarray:
    """Load CelebA images (aligned and cropped faces), centre-cropped to a square and resized.

    Parameters
    ----------
    table : the split's attribute table (it knows the folder).
    indices : rows of ``table`` to load (default: all of them; CelebA's train split has 162 770).
    size : side of the square output images in pixels.

    Returns
    -------
    numpy.ndarray
        uint8 array (n, size, size, 3).
    """
    from PIL import Image  # Pillow comes with matplotlib

    size = check_integer("size", size, 1)
    names = table.filenames if indices is None else table.filenames[np.asarray(indices)]
    out = np.empty((len(names), size, size, 3), dtype=np.uint8)
    for i, name in enumerate(names):
        with Image.open(table.folder / "img_align_celeba" / name) as img:
            img = img.convert("RGB")
            w, h = img.size
            side = min(w, h)
            box = ((w - side) // 2, (h - side) // 2, (w - side) // 2 + side, (h - side) // 2 + side)
            out[i] = np.asarray(img.resize((size, size), Image.BILINEAR, box=box))
    return out


@dataclass(frozen=True)
class StandIn:
    """A data set's train and test splits, or Fashion-MNIST's when it could not be obtained.

    Attributes
    ----------
    train, test : ``(images, labels)`` of each split.
    name : what the arrays are: ``"MNIST"``, or ``"Fashion-MNIST (standing in for MNIST)"``.
    reason : why the stand-in was used (the loader's message), or None.
    """

    train: tuple
    test: tuple
    name: str
    reason: str | None = None

    @property
    def substituted(self) -> bool:
        return self.reason is not None


_LOADERS = {"MNIST": load_mnist, "CIFAR-10": load_cifar10, "Fashion-MNIST": load_fashion_mnist}


def load_or_fashion_mnist(name: str, download: bool = True) -> StandIn:
    """Load a data set's two splits, falling back to Fashion-MNIST when it cannot be obtained.

    Chapters that need MNIST or CIFAR-10 run offline (e.g. in continuous integration, or on a
    machine without internet) by running the same experiment on Fashion-MNIST, which Debian
    ships; the returned ``name`` says which data the arrays hold, for figure titles.

    Parameters
    ----------
    name : ``"MNIST"``, ``"CIFAR-10"`` or ``"Fashion-MNIST"``.
    download : allow downloads (False: use only files already on disk).
    """
    if name not in _LOADERS:
        raise ValueError(f"name must be one of {tuple(_LOADERS)}; got {name!r}")
    try:
        return StandIn(_LOADERS[name]("train", download=download), _LOADERS[name]("test", download=download), name)
    except DatasetUnavailableError as err:
        if name == "Fashion-MNIST":
            raise
        return StandIn(load_fashion_mnist("train"), load_fashion_mnist("test"),
                       f"Fashion-MNIST (standing in for {name})", str(err))
