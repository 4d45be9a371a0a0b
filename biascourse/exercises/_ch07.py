"""Checks of chapter 7 (initial guessing bias): ex-7-1 to ex-7-4 (ex-7-5 is answered in words)."""
from __future__ import annotations

import numpy as np
import torch

from .. import igb
from .._checks import ArgumentTypeError
from .._config import sized
from ._core import compare, number, register


@register("ex-7-1", ("official", "from_fractions", "measurement"))
def three_gamma_estimators(official, from_fractions, measurement):
    """The squared InitVarComp ratio and the gamma inverted from Var(G_0), on ``measurement``."""
    official = number("ex-7-1", "official", official)
    from_fractions = number("ex-7-1", "from_fractions", from_fractions)
    if not all(hasattr(measurement, f) for f in ("output_mean", "output_var", "g0")):
        raise ArgumentTypeError("ex-7-1: measurement must be the result of igb.init_statistics "
                        "(measured['ReLU, 1 hidden layer']); got " + type(measurement).__name__)
    mean, var, g0 = (np.asarray(getattr(measurement, f), dtype=float) for f in ("output_mean", "output_var", "g0"))
    ratio = mean.std() / np.sqrt(var).mean()
    return [
        compare("official", official, ratio**2, rtol=1e-3, mistakes=(
            (ratio, "InitVarComp is a ratio of standard deviations: square it to compare with gamma."),
            ((mean.std() / np.sqrt(var.mean())) ** 2, "the official code averages the standard deviations over the "
             "initialisations, not the variances (a mean of square roots)."),
        ), hint="std over initialisations of output_mean, divided by the mean over initialisations of sqrt(output_var), squared."),
        compare("from_fractions", from_fractions, igb.gamma_from_g0_variance(g0.var()), rtol=1e-3, mistakes=(
            (igb.gamma_from_g0_variance(g0.std()), "pass the variance of G_0 over initialisations, not its standard deviation."),
        ), hint="igb.gamma_from_g0_variance of the variance of measurement.g0."),
    ]


def _batchnorm_spreads(x: np.ndarray) -> dict[str, float]:
    dim = x.shape[1]
    g0 = {"train": [], "eval": []}
    for seed in range(sized(200, fast=40)):
        torch.manual_seed(seed)
        net = torch.nn.Sequential(torch.nn.Linear(dim, 100), torch.nn.ReLU(), torch.nn.BatchNorm1d(100), torch.nn.Linear(100, 2))
        for mode in g0:
            net.train(mode == "train")
            g0[mode].append(igb.guess_fractions(net, x)[0])
    return {mode: float(np.std(values)) for mode, values in g0.items()}


@register("ex-7-2", ("spread_train", "spread_eval", "inputs"))
def batchnorm_modes(spread_train, spread_eval, inputs):
    """The standard deviation of G_0 over initialisations with BatchNorm in train and in eval mode."""
    spread_train, spread_eval = number("ex-7-2", "spread_train", spread_train), number("ex-7-2", "spread_eval", spread_eval)
    x = np.asarray(inputs, dtype=np.float32)
    if x.ndim != 2 or x.shape[1] != 100:
        raise ValueError(f"ex-7-2: inputs must be the data x, an array of shape (n, 100); got shape {x.shape}")
    reference = _batchnorm_spreads(x)
    swapped = "train and eval are swapped: in train mode BatchNorm centres every unit over the data."
    return [
        compare("spread_train", spread_train, reference["train"], rtol=0.05, atol=0.01,
                mistakes=((reference["eval"], swapped),), hint="net.train(True), then the std of G_0 over the seeds."),
        compare("spread_eval", spread_eval, reference["eval"], rtol=0.05, atol=0.01,
                mistakes=((reference["train"], swapped),), hint="net.train(False) (eval mode), then the std of G_0 over the seeds."),
    ]


@register("ex-7-3", ("gmax_model",))
def ten_classes(gmax_model):
    """The mean G_max of the ten-class Gaussian-mean model at gamma = 1/(pi - 1)."""
    gmax_model = number("ex-7-3", "gmax_model", gmax_model)
    n = 5000
    reference = igb.sample_guess_fractions(igb.GAMMA_RELU, 10, n, seed=0).max(axis=1).mean()
    return [compare("gmax_model", gmax_model, reference, atol=0.01, mistakes=(
        (igb.sample_guess_fractions(igb.GAMMA_RELU, 2, n, seed=0).max(axis=1).mean(), "that is two classes: pass n_classes = 10."),
        (igb.sample_guess_fractions(1e-6, 10, n, seed=0).max(axis=1).mean(), "that is a nearly neutral model: use gamma = igb.GAMMA_RELU = 1/(pi - 1)."),
    ), hint="the mean over initialisations of the largest of the ten guess fractions of igb.sample_guess_fractions.")]


def _gamma(sigma_w2: float, depth: int) -> float:
    return igb.gamma_mean_field(igb.MLPSpec(100, 100, depth, activation="tanh", sigma_w2=float(sigma_w2), sigma_b2=0.1))


@register("ex-7-4", ("gamma_neutral", "gamma_chaos"))
def neutrality_line(gamma_neutral, gamma_chaos):
    """Mean-field gamma of depth-30 tanh networks on the neutrality line and at the edge of chaos (sigma_b^2 = 0.1)."""
    gamma_neutral, gamma_chaos = number("ex-7-4", "gamma_neutral", gamma_neutral), number("ex-7-4", "gamma_chaos", gamma_chaos)
    neutral, chaos = float(igb.iso_gamma_line(1.0, 0.1, "tanh")), float(igb.edge_of_chaos(0.1, "tanh"))
    shallow = "that is a shallower network: the exercise asks for depth 30 (igb.gamma_mean_field(spec) with depth=30)."
    return [
        compare("gamma_neutral", gamma_neutral, _gamma(neutral, 30), rtol=0.01, mistakes=((_gamma(neutral, 8), shallow),),
                hint="igb.gamma_mean_field of the depth-30 tanh spec at sigma_w^2 = igb.iso_gamma_line(1.0, 0.1, 'tanh')."),
        compare("gamma_chaos", gamma_chaos, _gamma(chaos, 30), rtol=0.01, mistakes=((_gamma(chaos, 8), shallow),),
                hint="igb.gamma_mean_field of the depth-30 tanh spec at sigma_w^2 = igb.edge_of_chaos(0.1, 'tanh')."),
    ]
