"""Checks of chapter 8 (simplicity biases): ex-8-1 and ex-8-2 (ex-8-3 and ex-8-4 are answered in words)."""
from __future__ import annotations

import numpy as np

from .. import simplicity as sb
from ._core import compare, number, numbers, register


@register("ex-8-1", ("amplitudes",))
def endpoint_grid(amplitudes):
    """Normalised amplitudes of section 2's target sampled on np.linspace(0, 1, N), endpoint included."""
    target = sb.SpectralTarget.sample(seed=0, amplitudes="equal")
    periodic = sb.normalised_amplitudes(target.values(), target)
    amplitudes = numbers("ex-8-1", "amplitudes", amplitudes, len(periodic), "one normalised amplitude per frequency")
    leaky = sb.normalised_amplitudes(target.values(np.linspace(0, 1, target.n_points)), target)
    return [compare("amplitudes", amplitudes, leaky, atol=1e-6, mistakes=(
        (periodic, "those are the amplitudes on the periodic grid z_j = j/N: sample on np.linspace(0, 1, N), which includes z = 1."),
    ), hint="target.values(np.linspace(0, 1, target.n_points)), then sb.normalised_amplitudes with the same target.")]


def _whitened_eigenvalue() -> float:
    """The mean eigenvalue of whitened inputs, measured on a small anisotropic sample (it is 1)."""
    x = np.random.default_rng(0).standard_normal((500, 20)) * np.geomspace(10, 0.1, 20)
    pcs = sb.principal_components(x)
    z = (x - pcs.mean) @ pcs.components / np.sqrt(pcs.eigenvalues)
    return float(sb.principal_components(z).eigenvalues.mean())


@register("ex-8-2", ("residual_10",))
def whitened_rate(residual_10):
    """The per-PC residual that (1 - eta lambda_j)^t predicts after 10 steps at eta = 0.5 on whitened inputs."""
    residual_10 = number("ex-8-2", "residual_10", residual_10)
    lam, eta, t = _whitened_eigenvalue(), 0.5, 10
    return [compare("residual_10", residual_10, (1 - eta * lam) ** t, rtol=0.01, mistakes=(
        (1 - eta * lam, "that is one step: the residual is multiplied by (1 - eta lambda) at every step, t = 10 times."),
        (np.exp(-eta * lam * t), "exp(-eta lambda t) is the small-step limit: with eta = 0.5 use (1 - eta lambda)^t."),
    ), hint="after whitening every eigenvalue is 1; the law gives the same residual (1 - eta lambda)^t for all directions.")]
