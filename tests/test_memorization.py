import json

import numpy as np
import pytest
from PIL import Image

from tfgan_zoo.data.pipeline import scale_images
from tfgan_zoo.images import BORDER
from tfgan_zoo.metrics import memorization
from tfgan_zoo.metrics.memorization import (
    memorization_report,
    nearest_grid,
    nearest_neighbours,
    write_nearest,
)

SHAPE = (8, 8, 1)


def _brute_force(queries, reference):
    q = np.asarray(queries, np.float64).reshape(len(queries), -1)
    r = np.asarray(reference, np.float64).reshape(len(reference), -1)
    distances = np.linalg.norm(q[:, None, :] - r[None, :, :], axis=-1)
    return distances.argmin(axis=1), distances.min(axis=1)


def _images(n, seed):
    """Random uint8 'images': nearest-neighbour distances concentrate, as for real data."""
    return np.random.default_rng(seed).integers(0, 256, (n,) + SHAPE, dtype=np.uint8)


# ------------------------------------------------------------------ search
@pytest.mark.parametrize("batch_size", [1, 8, 37, 1024])
def test_nearest_neighbours_equals_brute_force(batch_size, monkeypatch):
    # Small chunks on both sides exercise the chunk boundaries (37 queries, 50 references).
    monkeypatch.setattr(memorization, "_REFERENCE_CHUNK", 16)
    rng = np.random.default_rng(0)
    queries, reference = rng.normal(size=(37, 3, 4, 2)), rng.normal(size=(50, 3, 4, 2))
    indices, distances = nearest_neighbours(queries, reference, batch_size=batch_size)
    expected_indices, expected_distances = _brute_force(queries, reference)
    assert indices.dtype == np.int64 and distances.dtype == np.float64
    np.testing.assert_array_equal(indices, expected_indices)
    np.testing.assert_allclose(distances, expected_distances, rtol=1e-12)


def test_nearest_neighbours_of_uint8_and_exact_copies():
    reference = _images(30, seed=1)
    queries = reference[[4, 0, 29]]
    indices, distances = nearest_neighbours(queries, reference, batch_size=2)
    np.testing.assert_array_equal(indices, [4, 0, 29])
    np.testing.assert_array_equal(distances, 0.0)  # exactly, despite the expansion
    # uint8 is widened before subtracting: no wrap-around at 0 - 255.
    far = nearest_neighbours(np.zeros((1, 2), np.uint8), np.full((1, 2), 255, np.uint8))[1]
    np.testing.assert_allclose(far, [255 * np.sqrt(2)])


def test_nearest_neighbours_rejects_bad_input():
    with pytest.raises(ValueError, match="differ in size"):
        nearest_neighbours(np.zeros((2, 3)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match="queries is empty"):
        nearest_neighbours(np.zeros((0, 3)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="reference is empty"):
        nearest_neighbours(np.zeros((2, 3)), np.zeros((0, 3)))
    with pytest.raises(ValueError, match="batch_size"):
        nearest_neighbours(np.zeros((2, 3)), np.zeros((2, 3)), batch_size=0)


# ------------------------------------------------------------------ report
def test_memorizing_generator_is_caught():
    train, heldout = _images(200, seed=2), _images(100, seed=3)
    copied = np.random.default_rng(4).permutation(200)[:50]
    generated = scale_images(train[copied])  # float in [-1, 1], as a generator returns
    report = memorization_report(
        generated, train, heldout, feature_fn=lambda x: x.reshape(len(x), -1)[:, ::3]
    )
    for space in (report.pixel, report.feature):
        np.testing.assert_array_equal(space.generated_distances, 0.0)
        np.testing.assert_array_equal(space.generated_nearest, copied)
        assert space.copy_rate == 1.0 and space.median_ratio == 0.0
        assert space.heldout_quantiles["min"] > 0
    assert report.pixel.generated_quantiles == dict.fromkeys(
        ["min", "p5", "p25", "p50", "p75", "p95"], 0.0
    )
    assert (report.num_generated, report.num_train, report.num_heldout) == (50, 200, 100)


def test_fresh_samples_look_like_heldout_images():
    train, heldout, generated = _images(200, seed=2), _images(100, seed=3), _images(80, seed=5)
    report = memorization_report(generated, train, heldout)
    assert report.feature is None
    assert 0.9 < report.pixel.median_ratio < 1.1
    assert report.pixel.copy_rate < 0.1
    # Pixel distances are in [-1, 1] units: uint8 input is scaled first.
    expected = _brute_force(scale_images(generated), scale_images(train))[1]
    np.testing.assert_allclose(report.pixel.generated_distances, expected, rtol=1e-12)
    # Noisy copies (noise std 1/3 of the pixel range) still count as new images.
    noisy = np.clip(
        scale_images(train[:80]) + np.random.default_rng(6).normal(0, 0.66, (80,) + SHAPE), -1, 1
    )
    assert memorization_report(noisy, train, heldout).pixel.median_ratio > 0.5


def test_report_serializes_and_summarizes():
    train, heldout = _images(40, seed=2), _images(20, seed=3)
    report = memorization_report(
        train[:10], train, heldout, feature_fn=lambda x: x.mean(axis=(1, 2))
    )
    data = json.loads(json.dumps(report.as_dict()))
    assert data["pixel"]["copy_rate"] == 1.0
    assert data["pixel"]["generated_nearest"] == list(range(10))
    assert data["feature"]["space"] == "feature"
    text = report.summary()
    for word in ("pixel", "feature", "generated", "held-out", "copy rate", "p95"):
        assert word in text
    # Held-out images that duplicate training images leave no reference: the
    # ratio is inf (or nan for 0 / 0), None in JSON.
    far = memorization_report(heldout, train, train)
    assert far.pixel.median_ratio == np.inf and far.as_dict()["pixel"]["median_ratio"] is None
    same = memorization_report(train[:5], train, train)
    assert np.isnan(same.pixel.median_ratio) and same.as_dict()["pixel"]["median_ratio"] is None


def test_report_rejects_bad_input():
    train = _images(10, seed=0)
    with pytest.raises(ValueError, match="one shape"):
        memorization_report(np.zeros((3, 8, 7, 1)), train, train)
    with pytest.raises(ValueError, match="heldout is empty"):
        memorization_report(train, train, train[:0])
    with pytest.raises(ValueError, match="feature_fn returned 1 rows"):
        memorization_report(train, train, train, feature_fn=lambda x: np.zeros((1, 3)))


# ------------------------------------------------------------------ picture
def _group_tile(grid, group, tile, columns, neighbours):
    h, w = SHAPE[:2]
    group_h, group_w = h + 2 * BORDER, (1 + neighbours) * w + (2 + neighbours) * BORDER
    top = BORDER + (group // columns) * (group_h + BORDER) + BORDER
    left = BORDER + (group % columns) * (group_w + BORDER) + BORDER + tile * (w + BORDER)
    return grid[top : top + h, left : left + w]


@pytest.mark.parametrize("neighbours", [1, 2])
def test_nearest_grid_shows_neighbour_beside_sample(neighbours):
    train, generated = _images(20, seed=7), _images(5, seed=8)
    indices = np.random.default_rng(9).integers(0, 20, (5, neighbours))
    grid = nearest_grid(
        scale_images(generated), train, indices[:, 0] if neighbours == 1 else indices, columns=2
    )
    group_h = SHAPE[0] + 2 * BORDER
    group_w = (1 + neighbours) * SHAPE[1] + (2 + neighbours) * BORDER
    assert grid.shape == (3 * group_h + 4 * BORDER, 2 * group_w + 3 * BORDER, 1)
    for g in range(5):
        np.testing.assert_array_equal(_group_tile(grid, g, 0, 2, neighbours), generated[g])
        for k in range(neighbours):
            np.testing.assert_array_equal(
                _group_tile(grid, g, 1 + k, 2, neighbours), train[indices[g, k]]
            )


def test_nearest_grid_rejects_bad_input_and_writes_png(tmp_path):
    train, generated = _images(6, seed=0), _images(3, seed=1)
    with pytest.raises(ValueError, match="indices must be"):
        nearest_grid(generated, train, [0, 1])
    with pytest.raises(ValueError, match=r"in \[0, 6\)"):
        nearest_grid(generated, train, [0, 1, 6])
    with pytest.raises(ValueError, match="one shape"):
        nearest_grid(generated[:, :4], train, [0, 1, 2])
    with pytest.raises(ValueError, match="non-empty"):
        nearest_grid(generated[:0], train, [])
    path = write_nearest(generated, train, [2, 0, 1], tmp_path / "nearest.png", columns=3)
    np.testing.assert_array_equal(
        np.asarray(Image.open(path)), nearest_grid(generated, train, [2, 0, 1], columns=3)[..., 0]
    )
