"""Fréchet Inception Distance (Heusel et al. 2017) on any feature network.

FID = ||mu_1 - mu_2||^2 + Tr(S_1 + S_2 - 2 (S_1 S_2)^(1/2)).

The matrix square root is where implementations go wrong: `scipy.linalg.sqrtm`
of the non-symmetric S_1 S_2 can return complex parts and needs ad-hoc fixes.
Here the trace term is computed from the symmetric matrix
A = S_1^(1/2) S_2 S_1^(1/2), which has the same eigenvalues as S_1 S_2, so
Tr((S_1 S_2)^(1/2)) = sum(sqrt(eig(A))) with two symmetric eigendecompositions
in float64 and no complex arithmetic.
"""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class GaussianStats:
    """Mean and covariance of a feature set, in float64."""

    mean: np.ndarray
    cov: np.ndarray
    count: int


def gaussian_stats(features) -> GaussianStats:
    features = np.asarray(features, np.float64)
    if features.ndim != 2 or len(features) < 2:
        raise ValueError(f"expected features of shape [N >= 2, D], found {features.shape}")
    if not np.all(np.isfinite(features)):
        raise ValueError("features contain NaN or inf")
    return GaussianStats(features.mean(axis=0), np.cov(features, rowvar=False), len(features))


def _symmetric_sqrt(matrix: np.ndarray) -> np.ndarray:
    values, vectors = np.linalg.eigh((matrix + matrix.T) / 2)
    return (vectors * np.sqrt(np.clip(values, 0.0, None))) @ vectors.T


def trace_sqrt_product(cov_1, cov_2) -> float:
    """Tr((S_1 S_2)^(1/2)) for symmetric positive semi-definite S_1, S_2."""
    root_1 = _symmetric_sqrt(np.asarray(cov_1, np.float64))
    inner = root_1 @ np.asarray(cov_2, np.float64) @ root_1
    values = np.linalg.eigvalsh((inner + inner.T) / 2)
    return float(np.sqrt(np.clip(values, 0.0, None)).sum())


def frechet_distance(stats_1: GaussianStats, stats_2: GaussianStats) -> float:
    if stats_1.mean.shape != stats_2.mean.shape:
        raise ValueError(
            f"feature sizes differ: {stats_1.mean.shape[0]} and {stats_2.mean.shape[0]}"
        )
    diff = stats_1.mean - stats_2.mean
    value = (
        diff @ diff
        + np.trace(stats_1.cov)
        + np.trace(stats_2.cov)
        - 2.0 * trace_sqrt_product(stats_1.cov, stats_2.cov)
    )
    return max(float(value), 0.0)  # round-off can leave -1e-12 for identical sets


def fid(features_1, features_2) -> float:
    """FID between two feature sets [N, D] (the usual entry point)."""
    return frechet_distance(gaussian_stats(features_1), gaussian_stats(features_2))
