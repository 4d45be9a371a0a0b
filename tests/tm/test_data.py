"""Tests of biascourse.tm (module _data): the geometry of teachers and shift, and sampled data sets."""
import numpy as np
import pytest
import torch

from biascourse.tm import EXAMPLES, TMParams, fixed_coordinates, sample, teacher_shift_gram

GENERAL = EXAMPLES["general"].params


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_fixed_coordinates_have_the_prescribed_gram_matrix(name):
    params = EXAMPLES[name].params
    frame = np.stack(fixed_coordinates(params))
    np.testing.assert_allclose(frame @ frame.T, teacher_shift_gram(params), atol=1e-12)


def test_geometry_and_sample_statistics():
    N, n = 400, 20_000
    data = sample(GENERAL, n, N, seed=3)
    geo = data.geometry
    U = np.stack([geo.teacher_plus, geo.teacher_minus, geo.shift])
    np.testing.assert_allclose(U @ U.T / N, teacher_shift_gram(GENERAL), atol=1e-10)
    assert data.x.shape == (n, N) and data.y.shape == (n,) and data.group.shape == (n,)
    plus = data.group > 0
    assert plus.mean() == pytest.approx(GENERAL.rho, abs=4 * np.sqrt(0.21 / n))
    for c, mask, delta, E in ((1, plus, GENERAL.delta_plus, GENERAL.E_plus), (-1, ~plus, GENERAL.delta_minus, GENERAL.E_minus)):
        x = data.x[mask]
        # mean along the shift direction is c V, variance per coordinate Delta_c
        proj = x @ geo.shift / np.sqrt(N)
        assert proj.mean() == pytest.approx(c * GENERAL.V, abs=4 * np.sqrt(delta * GENERAL.V / mask.sum()))
        assert np.var(x[:, 5]) == pytest.approx(delta, rel=4 * np.sqrt(2 / mask.sum()))
        assert data.y[mask].mean() == pytest.approx(E, abs=4 / np.sqrt(mask.sum()))
    teacher = np.where(plus, data.x @ geo.teacher_plus / np.sqrt(N) + GENERAL.alpha_plus,
                       data.x @ geo.teacher_minus / np.sqrt(N) + GENERAL.alpha_minus)
    np.testing.assert_array_equal(data.y, np.where(teacher >= 0, 1.0, -1.0))


def test_same_seed_same_data_and_reused_geometry():
    a = sample(GENERAL, 50, 30, seed=1)
    b = sample(GENERAL, 50, 30, seed=1)
    np.testing.assert_array_equal(a.x, b.x)
    test = sample(GENERAL, 20, 30, seed=2, geometry=a.geometry)
    np.testing.assert_array_equal(test.geometry.shift, a.geometry.shift)
    assert not np.allclose(test.x, a.x[:20])
    with pytest.raises(ValueError, match="geometry has dimension 30 but N=31"):
        sample(GENERAL, 5, 31, seed=0, geometry=a.geometry)


def test_torch_backend_and_dtype():
    data = sample(GENERAL, 10, 20, seed=0, backend="torch")
    assert isinstance(data.x, torch.Tensor) and data.x.dtype == torch.float32
    data64 = sample(GENERAL, 10, 20, seed=0, backend="torch", dtype="float64", geometry=data.geometry)
    assert data64.x.dtype == torch.float64
    assert set(torch.unique(data64.y).tolist()) <= {-1.0, 1.0}
    assert sample(GENERAL, 10, 20, seed=0).x.dtype == np.float64


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_sample_on_gpu():
    data = sample(GENERAL, 10, 20, seed=0, backend="torch", device="cuda")
    assert data.x.device.type == "cuda" and data.geometry.shift.device.type == "cuda"


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (dict(n=0), ValueError, r"n must be an integer in \[1, inf\)"),
        (dict(N=2), ValueError, r"N must be an integer in \[3, inf\)"),
        (dict(seed=-1), ValueError, "seed must be in"),
        (dict(backend="jax"), ValueError, "backend must be one of 'numpy', 'torch'; got 'jax'"),
        (dict(dtype="float16"), ValueError, "dtype must be one of 'float32', 'float64'; got 'float16'"),
        (dict(device="cuda"), ValueError, "backend='numpy' runs on the CPU only"),
        (dict(params=TMParams(rho=np.array([0.3, 0.6]))), ValueError, "single parameter set"),
    ],
)
def test_bad_arguments_raise(kwargs, error, message):
    args = dict(params=GENERAL, n=5, N=10, seed=0)
    args.update(kwargs)
    with pytest.raises(error, match=message):
        sample(**args)
