"""Tests of the principal-component bias measurement (https://biascourse.github.io/biascourse/book/derivations/simplicity_biases.html#deriv-simp-pc)."""
import numpy as np
import pytest
import torch

from biascourse.models import BatchedMLP
from biascourse.simplicity import (
    least_squares_solution,
    mean_input_gradient,
    pc_residual_law,
    pc_residuals,
    principal_components,
    train_linear_network,
)

VARIANCES = np.array([4.0, 2.0, 1.0, 0.5, 0.25, 0.1])


def rotated_data(n=400, seed=0):
    """Inputs whose empirical covariance is exactly R diag(VARIANCES) R^T, with a random rotation R."""
    rng = np.random.default_rng(seed)
    d = len(VARIANCES)
    z = rng.standard_normal((n, d))
    z -= z.mean(axis=0)
    q, _ = np.linalg.qr(z)  # orthonormal, centred columns
    rotation, _ = np.linalg.qr(rng.standard_normal((d, d)))
    x = np.sqrt(n) * q * np.sqrt(VARIANCES) @ rotation.T + rng.standard_normal(d)
    y = x @ rng.standard_normal((d, 3)) + 0.3 * rng.standard_normal((n, 3))
    return x, y, rotation


def test_principal_components_recover_the_prescribed_variances():
    x, _, rotation = rotated_data()
    pcs = principal_components(x)
    np.testing.assert_allclose(pcs.eigenvalues, VARIANCES, rtol=1e-12)
    np.testing.assert_allclose(np.abs(pcs.components.T @ rotation), np.eye(len(VARIANCES)), atol=1e-10)
    np.testing.assert_allclose(pcs.mean, x.mean(axis=0))


def test_linear_gd_follows_the_exact_law():
    x, y, _ = rotated_data()
    pcs = principal_components(x)
    lr, steps = 0.3, np.array([0, 1, 2, 5, 10, 30, 60])
    maps = train_linear_network(x, y, lr, steps, init_scale=1.0, seed=4)
    measured = pc_residuals(maps, pcs, least_squares_solution(x, y))
    np.testing.assert_allclose(measured, pc_residual_law(pcs.eigenvalues, lr, steps), rtol=1e-9, atol=1e-13)
    # larger variance converges faster, as the law says
    assert np.all(np.diff(measured[1:], axis=1) > 0)


def test_linear_gd_converges_to_least_squares():
    x, y, _ = rotated_data()
    maps = train_linear_network(x, y, 0.4, [0, 3000], init_scale=1.0, seed=1)
    np.testing.assert_allclose(maps[-1], least_squares_solution(x, y), atol=1e-8)


def test_deep_linear_network_learns_in_pc_order():
    """Two-layer linear net (width 256, initialisation 1e-3, lr 0.05, as in the note) on a target
    aligned with the principal directions (the PCA scores): the per-PC residual is ordered by
    lambda_j at every logged step, up to round-off once two directions have both converged."""
    x, _, _ = rotated_data()
    pcs = principal_components(x)
    scores = (x - pcs.mean) @ pcs.components
    steps = np.concatenate([[0], np.unique(np.geomspace(1, 1000, 14).astype(int))])
    for seed in (0, 1):
        maps = train_linear_network(x, scores, 0.05, steps, depth=2, width=256, seed=seed)
        residuals = pc_residuals(maps, pcs, least_squares_solution(x, scores))
        assert np.all(np.diff(residuals, axis=1) >= -1e-4)
        assert residuals[-1, 0] < 1e-3 and residuals[-1, -1] > 0.1  # sigmoidal: PC 1 done, PC 6 not yet


def test_pc_residual_law_hand_computed():
    law = pc_residual_law([2.0, 0.5], 0.5, [0, 1, 3])
    np.testing.assert_allclose(law, [[1, 1], [0, 0.75], [0, 0.75**3]])
    assert pc_residual_law([6.0], 0.5, [2])[0, 0] == 4.0  # |1 - eta lambda| > 1 diverges


def test_projections_split_the_data():
    x, _, _ = rotated_data(n=50)
    pcs = principal_components(x)
    top, bottom = pcs.project(x, 2), pcs.project(x, 2, top=False)
    np.testing.assert_allclose(top + bottom - pcs.mean, x, atol=1e-12)
    np.testing.assert_allclose(pcs.project(x, len(VARIANCES)), x, atol=1e-12)
    np.testing.assert_allclose(pcs.project(x, 0), np.broadcast_to(pcs.mean, x.shape), atol=1e-12)
    residual_var = principal_components(top).eigenvalues
    np.testing.assert_allclose(residual_var[:2], VARIANCES[:2], rtol=1e-10)
    assert residual_var[2:].max() < 1e-12
    with pytest.raises(ValueError, match="k must be"):
        pcs.project(x, 7)


def test_mean_input_gradient_of_a_linear_model_is_its_weight():
    model = torch.nn.Linear(5, 3)
    x = np.random.default_rng(0).standard_normal((20, 5))
    np.testing.assert_allclose(mean_input_gradient(model, x), model.weight.detach().numpy().T, rtol=1e-6)


def test_mean_input_gradient_of_a_stack_is_per_network():
    """Network k of a stack of ReLU MLPs gets its own gradient, equal to that of the network alone;
    for one hidden ReLU layer it is W_1 diag(mean activation slope) W_2, checked by hand."""
    stack = BatchedMLP(2, 4, [6], 3, seeds=[0, 1])
    x = np.random.default_rng(1).standard_normal((50, 4))
    grads = mean_input_gradient(stack, x)
    assert grads.shape == (2, 4, 3)
    for k in range(2):
        np.testing.assert_allclose(grads[k], mean_input_gradient(stack.model(k), x), rtol=1e-5, atol=1e-7)
        layers = (stack.weights[0][k], stack.biases[0][k, 0], stack.weights[1][k])
        w1, b1, w2 = (t.detach().double().numpy() for t in layers)
        slope = ((x @ w1 + b1) > 0).mean(axis=0)
        np.testing.assert_allclose(grads[k], w1 @ np.diag(slope) @ w2, rtol=1e-5, atol=1e-7)


def test_validation():
    x, y, _ = rotated_data(n=20)
    with pytest.raises(ValueError, match="record_at"):
        train_linear_network(x, y, 0.1, [3, 2])
    with pytest.raises(ValueError, match="depth"):
        train_linear_network(x, y, 0.1, [0, 1], depth=0)
    with pytest.raises(ValueError, match="lr"):
        train_linear_network(x, y, -0.1, [0, 1])
    with pytest.raises(ValueError, match="y must"):
        train_linear_network(x, y[:5], 0.1, [0, 1])


def test_a_diverging_linear_network_stops_with_an_error_naming_lr():
    from biascourse.train import DivergenceError

    x = np.random.default_rng(0).standard_normal((40, 3))
    lam = principal_components(x).eigenvalues[0]
    lr = 4.0 / lam  # |1 - lr lambda_1| = 3: the residual along u_1 grows 3-fold a step and overflows
    with pytest.raises(DivergenceError, match=rf"at step \d+ .*learning rate lr={lr:g}"):
        train_linear_network(x, x[:, 0], lr, record_at=[0, 2000])
    maps = train_linear_network(x, x[:, 0], 1.0 / lam, record_at=[0, 2000])  # stable: no error
    assert np.all(np.isfinite(maps))
