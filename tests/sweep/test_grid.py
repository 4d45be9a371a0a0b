"""Grids of configurations and seed batches (biascourse/sweep/_grid.py): order, and bad input."""
from __future__ import annotations

import numpy as np
import pytest

from biascourse import sweep
from biascourse.sweep._grid import configurations, seed_batches, seed_list


def test_grid_is_the_product_with_the_last_name_fastest():
    assert sweep.grid(a=[1, 2], b=["x", "y"]) == [{"a": 1, "b": "x"}, {"a": 1, "b": "y"},
                                                  {"a": 2, "b": "x"}, {"a": 2, "b": "y"}]
    assert sweep.grid(lr=np.array([0.1, 0.2])) == [{"lr": 0.1}, {"lr": 0.2}]
    assert type(sweep.grid(n=np.arange(2))[1]["n"]) is int  # numpy scalars become plain values


@pytest.mark.parametrize("axes, match", [({}, "at least one"), ({"a": []}, "a must be a non-empty"),
                                          ({"a": 3}, "a must be a list"), ({"a": "xy"}, "a must be a list"),
                                          ({"a": [object()]}, "number, text"), ({"seed": [1]}, "'seed'")])
def test_grid_rejects_bad_axes(axes, match):
    with pytest.raises(ValueError, match=match):
        sweep.grid(**axes)


def test_configurations_are_checked():
    with pytest.raises(ValueError, match="distinct"):
        configurations([{"a": 1, "b": 2}, {"b": 2, "a": 1}])
    with pytest.raises(ValueError, match="non-empty"):
        configurations([])
    with pytest.raises(ValueError, match="list of dicts"):
        configurations({"a": 1})
    with pytest.raises(ValueError, match="text names"):
        configurations([{1: 2}])


def test_seeds_are_checked_and_batched():
    assert seed_list(5).tolist() == [0, 1, 2, 3, 4]
    assert [b.tolist() for b in seed_batches(seed_list(5), 2)] == [[0, 1], [2, 3], [4]]
    for bad, match in ((0, r"\[1, inf\)"), ([1, 1], "distinct"), ([-1], "0, 2"), ([0.5], "integers"), (True, "seeds")):
        with pytest.raises(ValueError, match=match):
            seed_list(bad)
