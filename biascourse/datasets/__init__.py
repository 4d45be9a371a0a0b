"""Image datasets for the course, without torchvision (chapter 5 and later).

Readers for MNIST and Fashion-MNIST (idx), CIFAR-10 (binary version) and CelebA (images and
attribute table); downloads checked by SHA-256; and the sub-population constructions of chapter 5
(rotated images, groups of classes, attribute pairs), including the lecture's CIFAR-10 protocol
(:func:`bell_sagun_cifar10`) and CelebA pairs (:data:`CELEBA_PAIRS`).

Examples
--------
>>> from biascourse.datasets import load_fashion_mnist
>>> images, labels = load_fashion_mnist("train")   # uint8 (60000, 28, 28), int64 (60000,)
"""
from ._download import ChecksumError, DatasetUnavailableError, download, safe_extract, sha256_file, verify_sha256
from ._formats import (CIFAR10_CLASSES, read_celeba_attributes, read_celeba_partition, read_cifar10_binary, read_idx,
                       read_idx_pair)
from ._groups import (BELL_SAGUN_GROUPS, CELEBA_PAIRS, GroupedDataset, bell_sagun_cifar10, celeba_attribute_pair,
                      class_group_mixture, group_label_mixture, rotate_images, rotated_mixture, standardise_images)
from ._sources import (FASHION_MNIST_CLASSES, CelebAAttributes, StandIn, load_celeba_attributes, load_celeba_images,
                       load_cifar10, load_fashion_mnist, load_mnist, load_or_fashion_mnist)

__all__ = [
    "BELL_SAGUN_GROUPS",
    "CELEBA_PAIRS",
    "CIFAR10_CLASSES",
    "FASHION_MNIST_CLASSES",
    "CelebAAttributes",
    "ChecksumError",
    "DatasetUnavailableError",
    "GroupedDataset",
    "StandIn",
    "bell_sagun_cifar10",
    "celeba_attribute_pair",
    "class_group_mixture",
    "download",
    "group_label_mixture",
    "load_celeba_attributes",
    "load_celeba_images",
    "load_cifar10",
    "load_fashion_mnist",
    "load_mnist",
    "load_or_fashion_mnist",
    "read_celeba_attributes",
    "read_celeba_partition",
    "read_cifar10_binary",
    "read_idx",
    "read_idx_pair",
    "rotate_images",
    "rotated_mixture",
    "safe_extract",
    "sha256_file",
    "standardise_images",
    "verify_sha256",
]
