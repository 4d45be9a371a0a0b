"""The seeding helper: same seed, same numbers, in numpy and torch."""
import random

import numpy as np
import pytest
import torch

import biascourse as bc


def _draw(seed):
    rng = bc.seed_everything(seed)
    return rng.standard_normal(5), np.random.standard_normal(5), torch.randn(5), random.random()


def test_same_seed_same_numbers():
    first, second = _draw(123), _draw(123)
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])
    assert torch.equal(first[2], second[2])
    assert first[3] == second[3]


def test_different_seed_different_numbers():
    first, second = _draw(1), _draw(2)
    assert not np.allclose(first[0], second[0])
    assert not torch.allclose(first[2], second[2])


def test_generator_matches_numpy_default_rng():
    np.testing.assert_array_equal(bc.seed_everything(7).random(3), np.random.default_rng(7).random(3))


@pytest.mark.parametrize("seed", [-1, 2**32])
def test_seed_out_of_range(seed):
    with pytest.raises(ValueError, match=r"seed must be in \[0, 4294967295\]"):
        bc.seed_everything(seed)


@pytest.mark.parametrize("seed", [1.5, "3", True, None])
def test_seed_not_an_integer(seed):
    with pytest.raises(TypeError, match="seed must be an integer"):
        bc.seed_everything(seed)


def test_numpy_integers_are_accepted():
    assert bc.check_seed(np.int64(5)) == 5
