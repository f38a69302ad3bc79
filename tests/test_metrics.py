"""FID, KID, Inception Score, precision/recall: closed forms and properties."""

import numpy as np
import pytest
import scipy.linalg

from tfgan_zoo.metrics.fid import GaussianStats, fid, frechet_distance, gaussian_stats
from tfgan_zoo.metrics.inception_score import conditional_accuracy, inception_score
from tfgan_zoo.metrics.kid import kid, mmd2_unbiased, polynomial_kernel
from tfgan_zoo.metrics.precision_recall import knn_radii, precision_recall


def _random_cov(rng, dim):
    a = rng.normal(size=(dim, dim))
    return a @ a.T / dim + 0.1 * np.eye(dim)


def test_fid_of_a_set_with_itself_is_zero():
    features = np.random.default_rng(0).normal(size=(500, 16))
    assert fid(features, features) == pytest.approx(0.0, abs=1e-9)


def test_fid_closed_form_for_diagonal_gaussians():
    # Commuting covariances: Tr((S1 S2)^1/2) = sum sqrt(a b), so
    # FID = |mu1 - mu2|^2 + sum (sqrt(a) - sqrt(b))^2.
    a, b = np.array([1.0, 4.0, 9.0]), np.array([4.0, 1.0, 9.0])
    mu1, mu2 = np.zeros(3), np.array([1.0, 2.0, 2.0])
    value = frechet_distance(GaussianStats(mu1, np.diag(a), 0), GaussianStats(mu2, np.diag(b), 0))
    assert value == pytest.approx(9.0 + 1.0 + 1.0 + 0.0, rel=1e-12)


def test_fid_matches_scipy_sqrtm_in_float64():
    rng = np.random.default_rng(1)
    for dim in (2, 10, 64):
        s1, s2 = _random_cov(rng, dim), _random_cov(rng, dim)
        mu1, mu2 = rng.normal(size=dim), rng.normal(size=dim)
        expected = (
            np.sum((mu1 - mu2) ** 2)
            + np.trace(s1)
            + np.trace(s2)
            - 2 * np.trace(scipy.linalg.sqrtm(s1 @ s2)).real
        )
        ours = frechet_distance(GaussianStats(mu1, s1, 0), GaussianStats(mu2, s2, 0))
        assert ours == pytest.approx(expected, rel=1e-6)


def test_fid_is_stable_for_singular_covariances():
    # Fewer samples than dimensions: rank-deficient covariances, where a naive
    # sqrtm goes complex. The result stays real, finite and non-negative.
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(20, 64)), rng.normal(size=(20, 64)) + 0.1
    value = fid(x, y)
    assert np.isfinite(value) and value > 0


def test_fid_grows_with_the_mean_shift():
    rng = np.random.default_rng(3)
    real = rng.normal(size=(2000, 8))
    values = [fid(real, rng.normal(size=(2000, 8)) + shift) for shift in (0.0, 0.5, 1.0)]
    assert values[0] < 0.05 < values[1] < values[2]
    # The shift term alone: 8 * shift^2.
    assert values[2] == pytest.approx(8.0, rel=0.05)


def test_gaussian_stats_rejects_bad_features():
    with pytest.raises(ValueError, match="NaN"):
        gaussian_stats(np.array([[0.0, np.nan], [1.0, 2.0]]))
    with pytest.raises(ValueError, match="N >= 2"):
        gaussian_stats(np.zeros((1, 3)))


def test_mmd_matches_the_definition_on_a_tiny_example():
    x = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([[2.0, 0.0], [0.0, 0.5]])
    k = lambda a, b: (a @ b / 2 + 1) ** 3  # noqa: E731
    xx = sum(k(x[i], x[j]) for i in range(3) for j in range(3) if i != j) / 6
    yy = sum(k(y[i], y[j]) for i in range(2) for j in range(2) if i != j) / 2
    xy = sum(k(a, b) for a in x for b in y) / 6
    assert mmd2_unbiased(x, y, polynomial_kernel) == pytest.approx(xx + yy - 2 * xy, rel=1e-12)


def test_kid_is_unbiased_for_one_distribution():
    # Averaged over many small independent pairs, the unbiased estimate is ~0,
    # while the biased one (diagonal included) is clearly positive.
    rng = np.random.default_rng(4)
    unbiased, biased = [], []
    for _ in range(300):
        x, y = rng.normal(size=(10, 4)), rng.normal(size=(10, 4))
        unbiased.append(mmd2_unbiased(x, y))
        kxx, kyy = polynomial_kernel(x, x), polynomial_kernel(y, y)
        biased.append(kxx.mean() + kyy.mean() - 2 * polynomial_kernel(x, y).mean())
    standard_error = np.std(unbiased) / np.sqrt(len(unbiased))
    assert abs(np.mean(unbiased)) < 3 * standard_error
    assert np.mean(biased) > 10 * standard_error


def test_kid_ranks_distributions():
    rng = np.random.default_rng(5)
    real = rng.normal(size=(1000, 8))
    scores = [
        kid(real, rng.normal(size=(1000, 8)) + shift, subsets=10, subset_size=200)
        for shift in (0.0, 0.3, 1.0)
    ]
    means = [mean for mean, _ in scores]
    assert abs(means[0]) < 3 * scores[0][1]
    assert means[0] < means[1] < means[2]
    assert scores[1][0] > 2 * scores[1][1]


def test_inception_score_closed_forms():
    # Uniform predictions: p(y|x) = p(y), KL = 0, IS = 1.
    assert inception_score(np.zeros((100, 10)), splits=5)[0] == pytest.approx(1.0)
    # Confident and evenly spread over K classes: IS = K.
    logits = 50.0 * np.eye(10)[np.arange(1000) % 10]
    mean, std = inception_score(logits, splits=10)
    assert mean == pytest.approx(10.0, rel=1e-6) and std == pytest.approx(0.0, abs=1e-6)
    # Confident but all one class (collapse): IS = 1.
    assert inception_score(50.0 * np.eye(10)[np.zeros(100, int)], splits=2)[0] == pytest.approx(1.0)


def test_conditional_accuracy():
    logits = np.eye(4)[[0, 1, 2, 3, 0]]
    assert conditional_accuracy(logits, np.array([0, 1, 2, 0, 0])) == pytest.approx(0.8)
    with pytest.raises(ValueError):
        conditional_accuracy(logits, np.array([0, 1]))


def test_knn_radii_match_brute_force():
    x = np.random.default_rng(6).normal(size=(300, 5))
    brute = np.sort(np.linalg.norm(x[:, None] - x[None], axis=-1), axis=1)[:, 3]
    np.testing.assert_allclose(knn_radii(x, k=3), brute, rtol=1e-6, atol=1e-9)


def test_precision_recall_properties():
    rng = np.random.default_rng(7)
    real = rng.normal(size=(1000, 4))
    same = rng.normal(size=(1000, 4))
    precision, recall = precision_recall(real, same)
    assert precision > 0.9 and recall > 0.9
    far = precision_recall(real, same + 20.0)
    assert far == (0.0, 0.0)
    # Collapse: every sample is (nearly) the same realistic point. Precise, no recall.
    collapsed = np.zeros((1000, 4)) + 1e-3 * rng.normal(size=(1000, 4))
    precision, recall = precision_recall(real, collapsed)
    assert precision == 1.0 and recall < 0.01
