"""Tests of biascourse/igb/_activations.py: activations and their Gaussian moments."""
import numpy as np
import pytest
import torch
from scipy import integrate

from biascourse.igb import SHIFTED_RELU_SHIFT, Activation


def _quad(f, q):
    def integrand(z):
        return f(np.sqrt(q) * z) * np.exp(-z * z / 2) / np.sqrt(2 * np.pi)

    return integrate.quad(integrand, -np.inf, np.inf, epsabs=1e-13)[0]


def test_relu_closed_forms():
    relu = Activation("relu")
    q = np.array([0.5, 2.0, 7.0])
    np.testing.assert_allclose(relu.mean(q), np.sqrt(q / (2 * np.pi)))
    np.testing.assert_allclose(relu.second_moment(q), q / 2)
    np.testing.assert_allclose(relu.kernel(q, q, 0.0), q / (2 * np.pi))  # independent: (E relu)^2
    np.testing.assert_allclose(relu.derivative_kernel(1.0, 1.0, np.array([-1.0, 0.0, 1.0])), [0.0, 0.25, 0.5])


def test_shifted_relu_is_centred_at_variance_two():
    shifted = Activation("relu", SHIFTED_RELU_SHIFT)
    assert abs(shifted.mean(2.0)) < 1e-15
    assert shifted.mean(1.0) < 0 < shifted.mean(3.0)


@pytest.mark.parametrize("q", [0.3, 1.0, 3.0, 10.0, 50.0])
def test_tanh_one_dimensional_moments_match_adaptive_quadrature(q):
    tanh = Activation("tanh")
    assert tanh.second_moment(q) == pytest.approx(_quad(lambda u: np.tanh(u) ** 2, q), abs=1e-9)
    assert tanh.derivative_second_moment(q) == pytest.approx(_quad(lambda u: (1 - np.tanh(u) ** 2) ** 2, q), abs=1e-9)
    if q <= 10:  # the 2-d rule is accurate to 1e-5 up to q = 10
        assert tanh.kernel(q, q, 1.0) == pytest.approx(tanh.second_moment(q), abs=1e-5)


@pytest.mark.parametrize(
    "activation",
    [Activation("relu"), Activation("relu", 0.4), Activation("tanh"), Activation("tanh", 0.2), Activation("linear", 0.3)],
)
def test_kernel_matches_monte_carlo(activation):
    rng = np.random.default_rng(0)
    q_a, q_b, c = 1.7, 0.6, 0.45
    z1, z2 = rng.standard_normal((2, 400_000))
    u_a = np.sqrt(q_a) * z1
    u_b = np.sqrt(q_b) * (c * z1 + np.sqrt(1 - c**2) * z2)
    prod = activation.numpy(u_a) * activation.numpy(u_b)
    se = prod.std() / np.sqrt(prod.size)
    assert abs(activation.kernel(q_a, q_b, c) - prod.mean()) < 4 * se
    dprod = activation.derivative(u_a) * activation.derivative(u_b)
    assert abs(activation.derivative_kernel(q_a, q_b, c) - dprod.mean()) < 4 * dprod.std() / np.sqrt(dprod.size) + 1e-12
    phi = activation.numpy(u_a)
    assert abs(activation.mean(q_a) - phi.mean()) < 4 * phi.std() / np.sqrt(phi.size)


def test_torch_and_numpy_agree():
    z = np.linspace(-3, 3, 13)
    for activation in (Activation("relu", 0.5), Activation("tanh"), Activation("linear", -1.0)):
        np.testing.assert_allclose(activation.torch(torch.tensor(z)).numpy(), activation.numpy(z))


def test_invalid_activation():
    with pytest.raises(ValueError, match="activation must be one of"):
        Activation("gelu")
    with pytest.raises(ValueError, match="shift must be a finite number"):
        Activation("relu", float("nan"))
