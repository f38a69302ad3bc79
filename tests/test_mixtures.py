import math

import numpy as np
import pytest

from tfgan_zoo.data.mixtures import (
    MIXTURES,
    get_mixture,
    grid_centres,
    ring_centres,
    sample_mixture,
)


def test_ring_centres():
    centres = ring_centres()
    assert centres.shape == (8, 2) and centres.dtype == np.float64
    np.testing.assert_allclose(np.linalg.norm(centres, axis=1), 1.0, atol=1e-12)
    angles = np.arctan2(centres[:, 1], centres[:, 0]) % (2 * math.pi)
    np.testing.assert_allclose(np.diff(angles), 2 * math.pi / 8, atol=1e-12)
    np.testing.assert_allclose(centres[0], [1.0, 0.0], atol=1e-12)
    pairwise = np.linalg.norm(centres[:, None] - centres[None], axis=-1)
    # No repeated centre: neighbours are 2 sin(pi/8) apart.
    assert pairwise[~np.eye(8, dtype=bool)].min() == pytest.approx(2 * math.sin(math.pi / 8))


def test_grid_centres():
    centres = grid_centres()
    assert centres.shape == (25, 2)
    expected = {(x, y) for x in (-4, -2, 0, 2, 4) for y in (-4, -2, 0, 2, 4)}
    assert {tuple(c) for c in centres} == expected
    # Row-major, x outer: mode k = (-4 + 2 * (k // 5), -4 + 2 * (k % 5)).
    np.testing.assert_array_equal(centres[0], [-4, -4])
    np.testing.assert_array_equal(centres[1], [-4, -2])
    np.testing.assert_array_equal(centres[5], [-2, -4])
    np.testing.assert_array_equal(centres[24], [4, 4])


def test_registry():
    assert get_mixture("ring").sigma == 0.01 and get_mixture("ring").num_modes == 8
    assert get_mixture("grid").sigma == 0.05 and get_mixture("grid").num_modes == 25
    assert set(MIXTURES) == {"ring", "grid"}
    with pytest.raises(ValueError, match="unknown mixture 'spiral'"):
        get_mixture("spiral")


@pytest.mark.parametrize("name", ["ring", "grid"])
def test_samples_spread_sigma_around_assigned_centre(name):
    mixture = get_mixture(name)
    points, modes = sample_mixture(name, 20000, seed=0)
    assert points.shape == (20000, 2) and points.dtype == np.float32
    assert modes.dtype == np.int64
    offsets = points - mixture.centres[modes]
    np.testing.assert_allclose(offsets.std(axis=0), mixture.sigma, rtol=0.1)
    np.testing.assert_allclose(offsets.mean(axis=0), 0.0, atol=0.1 * mixture.sigma)


@pytest.mark.parametrize("name", ["ring", "grid"])
def test_mode_labels_uniform(name):
    num_modes = get_mixture(name).num_modes
    _, modes = sample_mixture(name, 20000, seed=1)
    counts = np.bincount(modes, minlength=num_modes)
    expected = 20000 / num_modes
    # Within 5 binomial standard deviations of the uniform count for each mode.
    assert np.abs(counts - expected).max() < 5 * math.sqrt(expected)


def test_seed_determinism():
    a, la = sample_mixture("grid", 100, seed=5)
    b, lb = sample_mixture("grid", 100, seed=5)
    c, _ = sample_mixture("grid", 100, seed=6)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(la, lb)
    assert not np.array_equal(a, c)
