"""Kernel Inception Distance (Bińkowski et al. 2018).

The squared MMD between feature distributions with the cubic polynomial kernel
k(x, y) = (x·y / d + 1)^3, estimated without bias on random subsets: the
diagonal (k(x, x)) terms are left out, so the estimate of two sets from one
distribution is 0 in expectation and can be negative. Reported as the mean and
standard deviation over subsets.
"""

import numpy as np


def polynomial_kernel(x, y, degree=3, coef0=1.0):
    return (x @ y.T / x.shape[1] + coef0) ** degree


def mmd2_unbiased(x, y, kernel=polynomial_kernel) -> float:
    m, n = len(x), len(y)
    k_xx, k_yy, k_xy = kernel(x, x), kernel(y, y), kernel(x, y)
    return float(
        (k_xx.sum() - np.trace(k_xx)) / (m * (m - 1))
        + (k_yy.sum() - np.trace(k_yy)) / (n * (n - 1))
        - 2.0 * k_xy.mean()
    )


def kid(features_1, features_2, subsets=100, subset_size=1000, seed=0):
    """(mean, std) of the unbiased MMD² over `subsets` random subset pairs.

    `subset_size` is capped at the smaller set's size.
    """
    x = np.asarray(features_1, np.float64)
    y = np.asarray(features_2, np.float64)
    if x.ndim != 2 or y.ndim != 2 or x.shape[1] != y.shape[1]:
        raise ValueError(
            f"expected two feature sets [N, D] with the same D, found {x.shape} and {y.shape}"
        )
    size = min(subset_size, len(x), len(y))
    if size < 2:
        raise ValueError(f"KID needs at least 2 samples per set, found {len(x)} and {len(y)}")
    rng = np.random.default_rng(seed)
    values = [
        mmd2_unbiased(
            x[rng.choice(len(x), size, replace=False)], y[rng.choice(len(y), size, replace=False)]
        )
        for _ in range(subsets)
    ]
    return float(np.mean(values)), float(np.std(values))
