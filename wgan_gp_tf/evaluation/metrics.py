"""Sample-quality metrics with exact answers where one exists.

Distances between sample sets:
    `wasserstein_1d`: the exact Wasserstein-1 distance between two 1-D samples.
    `frechet_distance` / `fid`: the Fréchet distance between Gaussians fitted
        to two feature sets (FID when the features are a classifier's).
    `kid`: the kernel inception distance, the unbiased MMD^2 with the cubic
        polynomial kernel, averaged over random subsets.
Scores of one set of class probabilities:
    `inception_score` and `class_coverage`.

Everything is NumPy in float64: these run once per evaluation on at most tens
of thousands of feature rows, where exactness matters more than speed.
"""

import numpy as np


def wasserstein_1d(x, y):
    """The exact W1 distance between the empirical laws of two 1-D samples.

    W1 = integral |F_x(t) - F_y(t)| dt, the area between the two empirical
    CDFs; for equal sizes it is the mean absolute gap of the sorted samples.

    Args:
        x, y: 1-D arrays (any sizes).

    Returns:
        float.
    """
    x = np.sort(np.asarray(x, np.float64).ravel())
    y = np.sort(np.asarray(y, np.float64).ravel())
    points = np.sort(np.concatenate([x, y]))
    widths = np.diff(points)
    cdf_x = np.searchsorted(x, points[:-1], side="right") / len(x)
    cdf_y = np.searchsorted(y, points[:-1], side="right") / len(y)
    return float(np.sum(np.abs(cdf_x - cdf_y) * widths))


def gaussian_statistics(features):
    """Mean and covariance of feature rows `[N, D]`, N >= 2."""
    features = np.asarray(features, np.float64)
    if features.ndim != 2 or len(features) < 2:
        raise ValueError(f"need feature rows [N >= 2, D]; got shape {features.shape}")
    return features.mean(axis=0), np.cov(features, rowvar=False)


def _symmetric_sqrt(matrix):
    values, vectors = np.linalg.eigh(matrix)
    return (vectors * np.sqrt(np.clip(values, 0.0, None))) @ vectors.T


def frechet_distance(mean_a, covariance_a, mean_b, covariance_b):
    """||mu_a - mu_b||^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2)).

    The trace of the matrix square root is computed as the sum of the square
    roots of the eigenvalues of S_a^(1/2) S_b S_a^(1/2), which is symmetric
    positive semi-definite, so no complex round-off appears.

    Args:
        mean_a, covariance_a: mean `[D]` and covariance `[D, D]` of one set.
        mean_b, covariance_b: those of the other.

    Returns:
        float, >= 0 up to round-off.
    """
    root_a = _symmetric_sqrt(covariance_a)
    cross = np.linalg.eigvalsh(root_a @ covariance_b @ root_a)
    trace_root = np.sum(np.sqrt(np.clip(cross, 0.0, None)))
    difference = np.asarray(mean_a) - np.asarray(mean_b)
    return float(difference @ difference + np.trace(covariance_a)
                 + np.trace(covariance_b) - 2.0 * trace_root)


def fid(features_a, features_b):
    """The Fréchet distance between Gaussians fitted to two feature sets."""
    return frechet_distance(*gaussian_statistics(features_a),
                            *gaussian_statistics(features_b))


def _cubic_kernel(a, b):
    # In place, and cubed by products: np.power is slow over Gram matrices of
    # a million entries, a hundred times per evaluation.
    kernel = a @ b.T
    kernel /= a.shape[1]
    kernel += 1.0
    cube = kernel * kernel
    cube *= kernel
    return cube


def _polynomial_mmd(a, b):
    k_aa, k_bb, k_ab = _cubic_kernel(a, a), _cubic_kernel(b, b), _cubic_kernel(a, b)
    m, n = len(a), len(b)
    return ((k_aa.sum() - np.trace(k_aa)) / (m * (m - 1))
            + (k_bb.sum() - np.trace(k_bb)) / (n * (n - 1))
            - 2.0 * k_ab.mean())


def kid(features_a, features_b, subsets=100, subset_size=1000, seed=0):
    """The kernel inception distance and its spread over subsets.

    The unbiased estimate of MMD^2 with the kernel k(x, y) = (x.y / D + 1)^3
    (Binkowski et al. 2018), averaged over `subsets` random subsets of each set.

    Args:
        features_a, features_b: feature rows `[N, D]`, `[M, D]`.
        subsets: number of subset pairs.
        subset_size: rows per subset, capped at the smaller set's size.
        seed: seeds the subset draws.

    Returns:
        `(mean, standard deviation)` over the subsets.
    """
    a = np.asarray(features_a, np.float64)
    b = np.asarray(features_b, np.float64)
    size = min(subset_size, len(a), len(b))
    if size < 2:
        raise ValueError("KID needs at least 2 feature rows in each set")
    rng = np.random.default_rng(seed)
    values = [_polynomial_mmd(a[rng.choice(len(a), size, replace=False)],
                              b[rng.choice(len(b), size, replace=False)])
              for _ in range(subsets)]
    return float(np.mean(values)), float(np.std(values))


def inception_score(probabilities, splits=10):
    """exp(E_x KL(p(y|x) || p(y))), averaged over `splits` equal parts.

    Args:
        probabilities: class probabilities `[N, K]`, rows summing to 1.
        splits: parts the rows are cut into, as in Salimans et al. 2016; at most
            one per row.

    Returns:
        `(mean, standard deviation)` over the parts; 1 <= score <= K.
    """
    probabilities = np.asarray(probabilities, np.float64)
    scores = []
    for part in np.array_split(probabilities, min(splits, len(probabilities))):
        marginal = part.mean(axis=0, keepdims=True)
        kl = np.sum(part * (np.log(part + 1e-12) - np.log(marginal + 1e-12)), axis=1)
        scores.append(np.exp(kl.mean()))
    return float(np.mean(scores)), float(np.std(scores))


def class_coverage(probabilities):
    """How the samples spread over the classifier's classes.

    Args:
        probabilities: class probabilities `[N, K]`.

    Returns:
        A dict: `class_shares` (share of samples predicted as each class),
        `classes_covered` (classes with at least a fifth of the uniform share
        1/K) and `coverage_kl` (KL of the shares from uniform; 0 when even).
    """
    probabilities = np.asarray(probabilities)
    classes = probabilities.shape[1]
    counts = np.bincount(probabilities.argmax(axis=1), minlength=classes)
    shares = counts / counts.sum()
    nonzero = shares > 0
    return {
        "class_shares": shares.tolist(),
        "classes_covered": int(np.sum(shares >= 0.2 / classes)),
        "coverage_kl": float(np.sum(shares[nonzero] * np.log(shares[nonzero] * classes))),
    }
