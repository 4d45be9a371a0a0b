"""Distributional simplicity bias: Gaussian and mean clones of each class, and optimal-transport edits.

https://biascourse.github.io/biascourse/book/derivations/simplicity_biases.html#deriv-simp-dsb (Refinetti, Ingrosso and Goldt; Belrose et al.). A
network that has so far used only the class means and covariances classifies samples of the
maximum-entropy distribution with those moments, the **Gaussian clone**
:math:`\\mathcal N(\\mu_c,\\Sigma_c)`, as well as the real data; one that has used only the means
classifies the **mean clone** :math:`\\mathcal N(\\mu_c,\\sigma_c^2\\,\\mathrm{Id})`,
:math:`\\sigma_c^2=\\mathrm{tr}\\,\\Sigma_c/d`, as well. Image covariances are singular (border pixels
are always 0), so the sampler factors :math:`\\Sigma_c` by an eigendecomposition with negative
eigenvalues clipped to 0, or by a Cholesky factorisation after adding a small jitter.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import ArgumentTypeError, array, choice, integer, real, same_length
from .._random import check_seed

#: The clone kinds of https://biascourse.github.io/biascourse/book/derivations/simplicity_biases.html#deriv-simp-dsb.
CLONE_KINDS = ("gaussian", "mean")
#: The two ways of factoring a singular covariance.
FACTORISATIONS = ("clip", "jitter")
#: Default jitter, relative to the mean variance :math:`\mathrm{tr}\,\Sigma/d` (https://biascourse.github.io/biascourse/book/derivations/simplicity_biases.html#deriv-simp-dsb).
DEFAULT_JITTER = 1e-5


@dataclass(frozen=True)
class ClassStatistics:
    """First and second moments of each class (computed from *training* data).

    Attributes
    ----------
    means : :math:`\\mu_c`, shape (C, d).
    covariances : :math:`\\Sigma_c=\\frac1{n_c}\\sum_{i\\in c}(x_i-\\mu_c)(x_i-\\mu_c)^\\top`, shape (C, d, d).
    counts : :math:`n_c`, shape (C,).
    """

    means: np.ndarray
    covariances: np.ndarray
    counts: np.ndarray

    @property
    def n_classes(self) -> int:
        """The number C of classes."""
        return len(self.counts)

    @property
    def mean_variances(self) -> np.ndarray:
        """Isotropic variance of each mean clone, :math:`\\sigma_c^2=\\mathrm{tr}\\,\\Sigma_c/d`, shape (C,)."""
        return np.trace(self.covariances, axis1=1, axis2=2) / self.means.shape[1]


def class_statistics(x: np.ndarray, labels: np.ndarray, n_classes: int | None = None) -> ClassStatistics:
    """Per-class mean and (maximum-likelihood, 1/n_c) covariance of the rows of ``x``.

    Parameters
    ----------
    x : inputs (n, d), flattened.
    labels : integer labels in [0, C), shape (n,).
    n_classes : C (default: ``labels.max() + 1``); every class needs at least 2 samples.

    Raises
    ------
    ValueError
        If ``x`` is not a non-empty array (n, d) of finite numbers, ``labels`` not n integers >= 0,
        ``n_classes`` not an integer >= 1, or a class has fewer than 2 samples.
    """
    x = array("x", x, ndim=2, dtype=None)  # float32 images stay float32 here: each class is converted on its own
    labels = array("labels", labels, ndim=1, dtype=None, low=0)
    if not np.issubdtype(labels.dtype, np.integer):
        raise ArgumentTypeError(f"labels must be integer classes in [0, inf); got dtype {labels.dtype}")
    same_length(x=x, labels=labels)
    n_classes = int(labels.max()) + 1 if n_classes is None else integer("n_classes", n_classes, 1)
    counts = np.bincount(labels, minlength=n_classes)
    if len(counts) != n_classes or counts.min() < 2:
        raise ValueError(f"every class in [0, {n_classes}) needs >= 2 samples; got counts {counts.tolist()}")
    means, covariances = [], []
    for c in range(n_classes):
        xc = x[labels == c].astype(np.float64)
        means.append(xc.mean(axis=0))
        covariances.append(np.cov(xc, rowvar=False, bias=True).reshape(x.shape[1], x.shape[1]))
    return ClassStatistics(np.stack(means), np.stack(covariances), counts)


def covariance_factor(cov: np.ndarray, method: str = "clip", jitter: float = DEFAULT_JITTER) -> np.ndarray:
    """A factor :math:`L` with :math:`LL^\\top` equal to a regularised covariance.

    Parameters
    ----------
    cov : a symmetric covariance (d, d), possibly singular.
    method : ``"clip"``: eigendecomposition with the (round-off) negative eigenvalues set to 0, so
        :math:`LL^\\top=\\Sigma` up to round-off (the course default); ``"jitter"``: Cholesky factor of
        :math:`\\Sigma+\\epsilon\\,\\mathrm{Id}` with
        :math:`\\epsilon=` ``jitter`` :math:`\\cdot\\mathrm{tr}\\,\\Sigma/d`.
    jitter : relative jitter of the ``"jitter"`` method.

    Returns
    -------
    numpy.ndarray
        Shape (d, d).

    Raises
    ------
    ValueError
        If ``cov`` is not a non-empty square matrix of finite numbers, ``method`` is not one of
        :data:`FACTORISATIONS` or ``jitter`` not a finite number > 0.
    """
    cov = array("cov", cov, ndim=2)
    choice("method", method, FACTORISATIONS)
    if cov.ndim != 2 or cov.shape[0] != cov.shape[1]:
        raise ValueError(f"cov must be a square matrix; got shape {cov.shape}")
    if method == "clip":
        eigenvalues, vectors = np.linalg.eigh(cov)
        return vectors * np.sqrt(np.clip(eigenvalues, 0.0, None))
    if method == "jitter":
        jitter = real("jitter", jitter, 0, low_open=True)
        eps = jitter * np.trace(cov) / len(cov)
        return np.linalg.cholesky(cov + eps * np.eye(len(cov)))
    raise ValueError(f"method must be one of {FACTORISATIONS}; got {method!r}")


def sample_clones(
    stats: ClassStatistics,
    labels: np.ndarray,
    kind: str,
    seed: int,
    method: str = "clip",
    jitter: float = DEFAULT_JITTER,
) -> np.ndarray:
    """Draw one clone sample per label (https://biascourse.github.io/biascourse/book/derivations/simplicity_biases.html#deriv-simp-dsb, step 2).

    Parameters
    ----------
    stats : class statistics of the training set.
    labels : the class of each sample to draw; pass the real test labels to get a clone test set
        of the same size and class balance.
    kind : ``"gaussian"``, :math:`x\\sim\\mathcal N(\\mu_c,\\Sigma_c)`, or ``"mean"``,
        :math:`x=\\mu_c+\\sigma_c\\epsilon` with :math:`\\sigma_c^2=\\mathrm{tr}\\,\\Sigma_c/d`.
    seed : seed of the draw.
    method, jitter : how a singular :math:`\\Sigma_c` is factored (see :func:`covariance_factor`).

    Returns
    -------
    numpy.ndarray
        Samples of shape (len(labels), d).
    """
    if kind not in CLONE_KINDS:
        raise ValueError(f"kind must be one of {CLONE_KINDS}; got {kind!r}")
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.size == 0 or labels.min() < 0 or labels.max() >= stats.n_classes:
        raise ValueError(f"labels must be a non-empty 1-D array of classes in [0, {stats.n_classes})")
    rng = np.random.default_rng(check_seed(seed))
    d = stats.means.shape[1]
    out = np.empty((len(labels), d))
    for c in np.unique(labels):
        rows = np.flatnonzero(labels == c)
        noise = rng.standard_normal((len(rows), d))
        if kind == "gaussian":
            out[rows] = stats.means[c] + noise @ covariance_factor(stats.covariances[c], method, jitter).T
        else:
            out[rows] = stats.means[c] + np.sqrt(stats.mean_variances[c]) * noise
    return out


def _sym_sqrt(a: np.ndarray, inverse: bool = False) -> np.ndarray:
    eigenvalues, vectors = np.linalg.eigh(a)
    eigenvalues = np.clip(eigenvalues, 0.0, None)
    root = 1 / np.sqrt(eigenvalues) if inverse else np.sqrt(eigenvalues)
    return (vectors * root) @ vectors.T


def gaussian_transport_map(cov_a: np.ndarray, cov_b: np.ndarray, jitter: float = 0.0) -> np.ndarray:
    """Linear part :math:`A` of the optimal-transport map between two Gaussians.

    :math:`A=\\Sigma_A^{-1/2}(\\Sigma_A^{1/2}\\Sigma_B\\Sigma_A^{1/2})^{1/2}\\Sigma_A^{-1/2}`, so that
    :math:`T(x)=\\mu_B+A(x-\\mu_A)` maps :math:`\\mathcal N(\\mu_A,\\Sigma_A)` onto
    :math:`\\mathcal N(\\mu_B,\\Sigma_B)` and :math:`A\\Sigma_AA^\\top=\\Sigma_B` (https://biascourse.github.io/biascourse/book/derivations/simplicity_biases.html#deriv-simp-dsb,
    step 6). A singular :math:`\\Sigma_A` needs ``jitter`` > 0: both covariances then get
    ``jitter`` :math:`\\cdot\\mathrm{tr}\\,\\Sigma/d` added on the diagonal.

    Raises
    ------
    ValueError
        If ``cov_a`` or ``cov_b`` is empty or holds NaN, infinite or text values, they are not
        square matrices of one shape, ``jitter`` is not a finite number >= 0, or ``cov_a`` is
        singular with ``jitter = 0``.
    """
    cov_a, cov_b = array("cov_a", cov_a), array("cov_b", cov_b)
    if cov_a.shape != cov_b.shape or cov_a.ndim != 2 or cov_a.shape[0] != cov_a.shape[1]:
        raise ValueError(f"cov_a and cov_b must be square matrices of one shape; got {cov_a.shape}, {cov_b.shape}")
    jitter = real("jitter", jitter, 0)
    d = len(cov_a)
    cov_a = cov_a + jitter * np.trace(cov_a) / d * np.eye(d)
    cov_b = cov_b + jitter * np.trace(cov_b) / d * np.eye(d)
    if np.linalg.eigvalsh(cov_a)[0] <= 1e-12 * np.trace(cov_a) / d:
        raise ValueError("cov_a is singular; pass jitter > 0 (e.g. 1e-3) to regularise it")
    root_a = _sym_sqrt(cov_a)
    inv_root_a = _sym_sqrt(cov_a, inverse=True)
    middle = _sym_sqrt(root_a @ cov_b @ root_a)
    a = inv_root_a @ middle @ inv_root_a
    return (a + a.T) / 2


def transport(x: np.ndarray, stats: ClassStatistics, source: int, target: int, jitter: float = 1e-3) -> np.ndarray:
    """Edit inputs of class ``source`` so that they get the mean and covariance of class ``target``.

    :math:`T(x)=\\mu_B+A(x-\\mu_A)` with :math:`A` from :func:`gaussian_transport_map` on the class
    statistics (https://biascourse.github.io/biascourse/book/derivations/simplicity_biases.html#deriv-simp-dsb, step 6).
    """
    for name, c in (("source", source), ("target", target)):
        if not 0 <= c < stats.n_classes:
            raise ValueError(f"{name} must be a class in [0, {stats.n_classes}); got {c}")
    a = gaussian_transport_map(stats.covariances[source], stats.covariances[target], jitter)
    return stats.means[target] + (np.asarray(x, dtype=float) - stats.means[source]) @ a.T
