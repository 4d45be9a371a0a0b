import numpy as np
import pytest
import torch

from biascourse.train import OnlineData, derived_seed
from biascourse.train._data import Stream, unpack


def test_derived_seeds_are_distinct_and_stable():
    seeds = {derived_seed(s, c) for s in range(5) for c in range(5)}
    assert len(seeds) == 25 and derived_seed(3, 1) == derived_seed(3, 1)
    assert all(0 <= s < 2**32 for s in seeds)


def test_online_stream_concatenates_chunks_per_network():
    def sampler(n, seed):
        return np.full((n, 2), seed, dtype=float), np.ones(n)

    stream = Stream(OnlineData(sampler, chunk=5), [10, 20], shared=False, device="cpu", dtype=torch.float64)
    batches = [stream.next(3)[0] for _ in range(4)]  # 12 samples: chunks 0, 1, 2 of each network
    x = torch.cat(batches, dim=1)
    assert x.shape == (2, 12, 2)
    expected = [derived_seed(10, 0)] * 5 + [derived_seed(10, 1)] * 5 + [derived_seed(10, 2)] * 2
    np.testing.assert_array_equal(x[0, :, 0].numpy(), expected)


def test_epoch_stream_visits_every_sample_once_per_epoch():
    x = np.arange(10.0)[:, None]
    stream = Stream((x, np.zeros(10, dtype=int)), [1, 2], shared=False, device="cpu", dtype=torch.float64)
    seen = torch.cat([stream.next(4)[0].clone() for _ in range(3)], dim=1)  # 4 + 4 + 2; batches share a buffer
    for k in range(2):
        assert sorted(seen[k, :, 0].tolist()) == list(range(10))
    assert not torch.equal(seen[0], seen[1])


def test_unpack():
    assert unpack((1, 2))[2] is None
    with pytest.raises(TypeError, match="attributes x and y"):
        unpack(5)
    with pytest.raises(ValueError, match="chunk must be >= 1"):
        OnlineData(lambda n, s: None, chunk=0)
