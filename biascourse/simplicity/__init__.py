"""Chapter 8: simplicity biases, measured: what a network learns first.

Derivations: https://biascourse.github.io/biascourse/book/derivations/simplicity_biases.html (after Rahaman et al.; Fridovich-Keil et
al.; Hacohen and Weinshall; Refinetti, Ingrosso and Goldt; Belrose et al.; Huh et al.).

Spectral bias in 1-D regression
    :class:`SpectralTarget`, :func:`fourier_amplitudes`, :func:`normalised_amplitudes`,
    :func:`learning_times`, :func:`learning_time_exponent`, :func:`order_inversions`.
Spectral bias along interpolation paths
    :func:`interpolation_path`, :func:`detrend`, :func:`path_power`, :func:`band_energy_ratios`,
    :func:`high_frequency_fraction`, :func:`logit_margin`, :func:`sample_pairs`,
    :func:`path_outputs`, :func:`path_energy_probe`; the survey's ratio :func:`log_energy_ratios`,
    :func:`path_spectrum_probe`.
Principal-component bias
    :class:`PrincipalComponents`, :func:`principal_components`, :func:`least_squares_solution`,
    :func:`train_linear_network`, :func:`pc_residuals`, :func:`pc_residual_law`,
    :func:`mean_input_gradient`.
Training with measurements
    :func:`train_with_probes` (K networks, probes at logged steps), :class:`ProbeHistory`,
    :func:`accuracy_probe`, :func:`loss_probe`, :func:`fit_spectral`, :class:`SpectralHistory`.
Low-rank embeddings
    :func:`effective_rank`, :func:`hidden_features`, :func:`effective_rank_probe`.
Distributional simplicity bias
    :class:`ClassStatistics`, :func:`class_statistics`, :func:`covariance_factor`,
    :func:`sample_clones`, :func:`gaussian_transport_map`, :func:`transport`.
"""
from ._clones import (
    CLONE_KINDS,
    DEFAULT_JITTER,
    FACTORISATIONS,
    ClassStatistics,
    class_statistics,
    covariance_factor,
    gaussian_transport_map,
    sample_clones,
    transport,
)
from ._paths import (
    PATH_OUTPUTS,
    ZERO_ENERGY_RTOL,
    band_energy_ratios,
    detrend,
    high_frequency_fraction,
    interpolation_path,
    log_energy_ratios,
    logit_margin,
    path_energy_probe,
    path_outputs,
    path_power,
    path_spectrum_probe,
    sample_pairs,
)
from ._pc import (
    PrincipalComponents,
    least_squares_solution,
    mean_input_gradient,
    pc_residual_law,
    pc_residuals,
    principal_components,
    train_linear_network,
)
from ._rank import effective_rank, effective_rank_probe, hidden_features
from ._training import (
    ProbeHistory,
    SpectralHistory,
    accuracy_probe,
    fit_spectral,
    loss_probe,
    train_with_probes,
)
from ._spectral import (
    AMPLITUDE_PROFILES,
    RAHAMAN_FREQUENCIES,
    SpectralTarget,
    fourier_amplitudes,
    learning_times,
    learning_time_exponent,
    PowerLaw,
    normalised_amplitudes,
    order_inversions,
)

__all__ = [
    "AMPLITUDE_PROFILES",
    "ProbeHistory",
    "SpectralHistory",
    "accuracy_probe",
    "fit_spectral",
    "loss_probe",
    "train_with_probes",
    "CLONE_KINDS",
    "DEFAULT_JITTER",
    "FACTORISATIONS",
    "RAHAMAN_FREQUENCIES",
    "PATH_OUTPUTS",
    "ZERO_ENERGY_RTOL",
    "ClassStatistics",
    "PrincipalComponents",
    "SpectralTarget",
    "band_energy_ratios",
    "class_statistics",
    "covariance_factor",
    "detrend",
    "effective_rank",
    "effective_rank_probe",
    "fourier_amplitudes",
    "gaussian_transport_map",
    "hidden_features",
    "high_frequency_fraction",
    "interpolation_path",
    "learning_times",
    "learning_time_exponent",
    "PowerLaw",
    "least_squares_solution",
    "log_energy_ratios",
    "logit_margin",
    "mean_input_gradient",
    "normalised_amplitudes",
    "order_inversions",
    "path_energy_probe",
    "path_outputs",
    "path_power",
    "path_spectrum_probe",
    "pc_residual_law",
    "pc_residuals",
    "principal_components",
    "sample_clones",
    "sample_pairs",
    "train_linear_network",
    "transport",
]
