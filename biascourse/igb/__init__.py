"""Chapter 7: initial guessing bias (IGB), its theory, and its link to order and chaos.

An untrained network can send almost every input to one class; which class changes from one
initialisation to the next. This sub-package measures that over thousands of initialisations at
once and computes what the theory predicts. Derivations (after Francazi,
Lucchi, Baity-Jesi and collaborators): https://biascourse.github.io/biascourse/book/derivations/initial_guessing_bias.html.

Measure
    :class:`MLPSpec`, :class:`MLPEnsemble` (K initialisations in one batched pass),
    :func:`guess_fractions`, :func:`init_statistics`, :func:`estimate_gamma` (with its standard
    error), :func:`output_correlation`.
Law of the guess fraction given gamma
    :func:`g0_density`, :func:`g0_cdf`, :func:`g0_variance`, :func:`expected_gmax`,
    :func:`gmax_tail`, :func:`sample_guess_fractions`, :func:`c_from_gamma`, :func:`gamma_from_c`.
Architecture rules
    :data:`GAMMA_RELU`, :func:`relu_gamma_map`, :func:`gamma_relu_depth`, :func:`gamma_maxpool` (after
    a ReLU or pooling alone),
    :func:`gamma_linear`, :func:`gamma_mean_field` (activation, shift, bias, depth, normalisation).
Mean field
    :func:`variance_map`, :func:`correlation_map`, :func:`chi_1`, :func:`fixed_point_q`,
    :func:`fixed_point_c`, :func:`phase_diagram`, :func:`edge_of_chaos`, :func:`iso_gamma_line`.
Convolutional networks
    :func:`small_cnn` (batch normalisation before or after each ReLU), :func:`network_statistics`
    (any torch network, one initialisation at a time), :func:`init_seed`.
Data and training
    :func:`prepare_images` (global versus per-pixel centring); an :class:`MLPEnsemble` is a stack
    of networks for :func:`biascourse.train.train`, and :func:`favoured_first` orders its per-class
    metrics by the initial guess.
"""
from ._activations import ACTIVATIONS, SHIFTED_RELU_SHIFT, Activation
from ._architecture import GAMMA_RELU, POOL_INPUTS, gamma_linear, gamma_maxpool, gamma_relu_depth, relu_gamma_map
from ._convnets import CONV_NORMS, init_seed, network_statistics, small_cnn
from ._data import CENTRINGS, FASHION_MNIST_MEAN, FASHION_MNIST_STD, prepare_images
from ._distribution import (
    c_from_gamma,
    expected_gmax,
    g0_cdf,
    g0_density,
    g0_variance,
    gamma_from_c,
    gamma_from_g0_variance,
    gmax_tail,
    sample_guess_fractions,
)
from ._ensemble import NORMS, MLPEnsemble, MLPSpec, favoured_first, fractions_from_outputs, guess_fractions
from ._estimate import (
    GammaEstimate,
    InitStatistics,
    estimate_gamma,
    gamma_ratio,
    init_statistics,
    output_correlation,
    scalar_output,
)
from ._meanfield import (
    PhaseDiagram,
    chi_1,
    correlation_map,
    correlation_profile,
    edge_of_chaos,
    fixed_point_c,
    fixed_point_q,
    gamma_mean_field,
    input_moments,
    iso_gamma_line,
    phase_diagram,
    variance_map,
)

__all__ = [
    "ACTIVATIONS",
    "CENTRINGS",
    "CONV_NORMS",
    "FASHION_MNIST_MEAN",
    "FASHION_MNIST_STD",
    "GAMMA_RELU",
    "NORMS",
    "POOL_INPUTS",
    "SHIFTED_RELU_SHIFT",
    "Activation",
    "GammaEstimate",
    "InitStatistics",
    "MLPEnsemble",
    "MLPSpec",
    "PhaseDiagram",
    "c_from_gamma",
    "chi_1",
    "correlation_map",
    "correlation_profile",
    "edge_of_chaos",
    "estimate_gamma",
    "expected_gmax",
    "favoured_first",
    "fixed_point_c",
    "fixed_point_q",
    "fractions_from_outputs",
    "g0_cdf",
    "g0_density",
    "g0_variance",
    "gamma_from_c",
    "gamma_from_g0_variance",
    "gamma_linear",
    "gamma_maxpool",
    "gamma_mean_field",
    "gamma_ratio",
    "gamma_relu_depth",
    "guess_fractions",
    "init_seed",
    "init_statistics",
    "input_moments",
    "iso_gamma_line",
    "network_statistics",
    "output_correlation",
    "phase_diagram",
    "prepare_images",
    "relu_gamma_map",
    "sample_guess_fractions",
    "scalar_output",
    "small_cnn",
    "variance_map",
]
