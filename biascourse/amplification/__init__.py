r"""Chapter 6: bias amplification, measured on datasets of controlled bias (after Hall et al., 2022).

Directional bias amplification (Wang and Russakovsky, 2021) compares how strongly a model's
predictions and the labels co-occur with a group: positive values mean that the predictions are more
correlated with the group than the labels are. This sub-package builds datasets whose bias is known
exactly, trains stacks of networks on them, and measures amplification, calibration and their
intervals. Derivations: https://biascourse.github.io/biascourse/book/derivations/bias_amplification.html.
The chapter's notebook (``notebooks/06_bias_amplification.ipynb``) uses all of it.

Measure
    :func:`bias_amplification` (from labels), :func:`bias_amplification_from_counts`,
    :func:`bias_amplification_from_probabilities` (a population), :class:`BiasAmplification`,
    :func:`contingency_table`, :func:`accuracy_table` (per group x class), the conventions
    :data:`DIRECTIONS`, :data:`TIES`, :data:`EMPTY` and :class:`BiasAmplificationWarning`, and the
    values of reference predictors (:func:`reference_bias_amplification`).
Calibration
    :func:`calibration` (from logits), :func:`binned_calibration`, :class:`Calibration`, with Hall et
    al.'s :data:`N_BINS` = 15 right-closed bins.
Intervals and sweeps
    :func:`seed_interval` (Student-t), :func:`seed_bootstrap_interval` (stays in the measure's range),
    :func:`bootstrap_interval` (over test samples), :class:`Interval`; :func:`sweep_interval` and
    :func:`sweep_optimum` (is the optimum of a sweep inside the swept range, a V-shape?).
Evaluation of trained networks
    :func:`evaluate_amplification` (an :class:`AmplificationReport` per stack), :func:`report_values`,
    :func:`model_logits`, and :func:`predicted_counts_from_history` along a training History.
Training recipe
    :func:`network_stack` (small CNNs, ResNets or MLPs, one per seed), :func:`fit` (Hall et al.'s
    recipe, scaled down, then :func:`evaluate_amplification`), :func:`tracking_steps`.
Datasets of controlled bias
    :func:`inverted_superclasses` and :func:`inverted_train_test` (image inversion, over the random
    super-class splits of :func:`balanced_assignments`), :func:`overlay_classes` and
    :func:`overlay_train_test` (the relative difficulty of group and class, :func:`blend`,
    :data:`CIFAR10_OVERLAY`, :data:`FASHION_MNIST_OVERLAY`), :func:`swap_roles`,
    :class:`AmplificationDataset`, :func:`exact_count`, :func:`pixel_statistics`,
    :func:`superclass_names`.
Sweeps (seeds x configurations, in this process or on a Dask cluster, with :mod:`biascourse.sweep`)
    :func:`inversion_task` (one configuration, a batch of seeds), :func:`reports_from_sweep`, and the
    paper's full-scale grids :func:`weight_decay_sweep` and :func:`capacity_sweep` (100 seeds a point).
Theory
    :func:`teacher_mixture_amplification`: the amplification of the teacher-mixture student of
    chapter 4 over training.

Examples
--------
>>> from biascourse import amplification as amp
>>> counts = np.array([[30, 20], [20, 30]])            # rows: group, columns: class
>>> predicted = np.array([[35, 15], [18, 32]])         # rows: group, columns: predicted class
>>> amp.bias_amplification_from_counts(counts, predicted).value
0.07
"""
from ._calibration import N_BINS, Calibration, binned_calibration, calibration
from ._datasets import (CIFAR10_OVERLAY, FASHION_MNIST_OVERLAY, AmplificationDataset, balanced_assignments, blend,
                        exact_count, inverted_superclasses, inverted_train_test, overlay_classes, overlay_train_test,
                        pixel_statistics, superclass_names, swap_roles)
from ._evaluate import (AmplificationReport, evaluate_amplification, model_logits, predicted_counts_from_history,
                        report_values)
from ._intervals import (Interval, SweepOptimum, bootstrap_interval, seed_bootstrap_interval, seed_interval,
                         sweep_interval, sweep_optimum)
from ._measure import (DIRECTIONS, EMPTY, REFERENCE_PREDICTORS, TIES, BiasAmplification, BiasAmplificationWarning,
                       accuracy_table, bias_amplification, bias_amplification_from_counts,
                       bias_amplification_from_probabilities, contingency_table, reference_bias_amplification)
from ._sweeps import INVERSION_DEFAULTS, capacity_sweep, inversion_task, reports_from_sweep, weight_decay_sweep
from ._teacher_mixture import teacher_mixture_amplification
from ._training import MLP_HIDDEN, NETWORKS, Fit, fit, network_stack, tracking_steps

__all__ = [
    "INVERSION_DEFAULTS",
    "capacity_sweep",
    "inversion_task",
    "reports_from_sweep",
    "weight_decay_sweep",
    "CIFAR10_OVERLAY",
    "DIRECTIONS",
    "EMPTY",
    "FASHION_MNIST_OVERLAY",
    "MLP_HIDDEN",
    "NETWORKS",
    "N_BINS",
    "REFERENCE_PREDICTORS",
    "TIES",
    "AmplificationDataset",
    "AmplificationReport",
    "BiasAmplification",
    "BiasAmplificationWarning",
    "Calibration",
    "Fit",
    "Interval",
    "SweepOptimum",
    "accuracy_table",
    "balanced_assignments",
    "bias_amplification",
    "bias_amplification_from_counts",
    "bias_amplification_from_probabilities",
    "binned_calibration",
    "blend",
    "bootstrap_interval",
    "calibration",
    "contingency_table",
    "evaluate_amplification",
    "exact_count",
    "fit",
    "inverted_superclasses",
    "inverted_train_test",
    "model_logits",
    "network_stack",
    "overlay_classes",
    "overlay_train_test",
    "pixel_statistics",
    "predicted_counts_from_history",
    "reference_bias_amplification",
    "report_values",
    "seed_bootstrap_interval",
    "seed_interval",
    "superclass_names",
    "swap_roles",
    "sweep_interval",
    "sweep_optimum",
    "teacher_mixture_amplification",
    "tracking_steps",
]
