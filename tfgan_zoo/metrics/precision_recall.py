"""Improved precision and recall (Kynkäänniemi et al. 2019).

Each set's manifold is the union of balls around its feature vectors, with
radius the distance to the k-th nearest neighbour within the set. Precision is
the share of generated samples inside the real manifold (are samples
realistic?); recall is the share of real samples inside the generated manifold
(is the data's variety covered?). A collapsed generator has recall ≈ 0.
"""

import numpy as np

_CHUNK = 2048


def _squared_distances(a, b):
    return np.maximum((a * a).sum(1)[:, None] - 2.0 * a @ b.T + (b * b).sum(1)[None, :], 0.0)


def knn_radii(features, k=3) -> np.ndarray:
    """Distance from each row to its k-th nearest other row."""
    features = np.asarray(features, np.float64)
    if len(features) <= k:
        raise ValueError(f"need more than k={k} samples, found {len(features)}")
    radii = np.empty(len(features))
    for start in range(0, len(features), _CHUNK):
        block = _squared_distances(features[start : start + _CHUNK], features)
        # Column 0 of the sorted row is the point itself (distance 0).
        radii[start : start + _CHUNK] = np.sqrt(np.partition(block, k, axis=1)[:, k])
    return radii


def manifold_coverage(manifold, radii, queries) -> float:
    """Share of `queries` within radii[j] of some manifold point j."""
    manifold, queries = np.asarray(manifold, np.float64), np.asarray(queries, np.float64)
    inside = np.zeros(len(queries), bool)
    for start in range(0, len(queries), _CHUNK):
        block = _squared_distances(queries[start : start + _CHUNK], manifold)
        inside[start : start + _CHUNK] = (block <= radii[None, :] ** 2).any(axis=1)
    return float(inside.mean())


def precision_recall(real_features, fake_features, k=3):
    """(precision, recall) of generated features against real ones."""
    real = np.asarray(real_features, np.float64)
    fake = np.asarray(fake_features, np.float64)
    if real.ndim != 2 or fake.ndim != 2 or real.shape[1] != fake.shape[1]:
        raise ValueError(
            f"expected two feature sets [N, D] with the same D, found {real.shape} and {fake.shape}"
        )
    precision = manifold_coverage(real, knn_radii(real, k), fake)
    recall = manifold_coverage(fake, knn_radii(fake, k), real)
    return precision, recall
