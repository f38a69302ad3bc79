import numpy as np
import pytest
import tensorflow as tf

from tfgan_zoo.data.pipeline import image_dataset, points_dataset, scale_images, unscale_images


def test_scale_exact_values():
    pixels = np.array([0, 255, 127, 128], np.uint8)
    scaled = scale_images(pixels)
    assert scaled.dtype == np.float32
    assert scaled[0] == -1.0 and scaled[1] == 1.0
    np.testing.assert_allclose(scaled[2:], [127 / 127.5 - 1, 128 / 127.5 - 1], atol=1e-7)
    tensor = scale_images(tf.constant(pixels))
    assert tensor.dtype == tf.float32
    np.testing.assert_allclose(tensor.numpy(), scaled, atol=1e-7)


def test_unscale_rounding_and_clipping():
    values = np.array([-1.0, 1.0, 0.0, -5.0, 3.0, 127 / 127.5 - 1], np.float32)
    # 0.0 maps to 127.5, which rounds half up to 128.
    np.testing.assert_array_equal(unscale_images(values), [0, 255, 128, 0, 255, 127])
    np.testing.assert_array_equal(
        unscale_images(tf.constant(values)).numpy(), [0, 255, 128, 0, 255, 127]
    )


def test_scale_unscale_round_trip_every_pixel_value():
    pixels = np.arange(256, dtype=np.uint8)
    np.testing.assert_array_equal(unscale_images(scale_images(pixels)), pixels)
    np.testing.assert_array_equal(unscale_images(scale_images(tf.constant(pixels))).numpy(), pixels)


def _labelled_images(count=50):
    """uint8 images whose every pixel equals 5 * label, so alignment is checkable."""
    labels = np.arange(count) % 10
    images = np.broadcast_to(
        (5 * labels).astype(np.uint8)[:, None, None, None], (count, 4, 4, 1)
    ).copy()
    return images, labels


def test_image_batches_drop_remainder_and_range():
    images, _ = _labelled_images(50)
    batches = list(image_dataset(images, batch_size=16))
    assert [b.shape.as_list() for b in batches] == [[16, 4, 4, 1]] * 3
    values = np.concatenate([b.numpy() for b in batches])
    assert values.dtype == np.float32 and values.min() >= -1.0 and values.max() <= 1.0


def test_same_seed_same_first_batch():
    images, _ = _labelled_images(50)
    first = lambda seed: next(iter(image_dataset(images, batch_size=8, seed=seed))).numpy()
    np.testing.assert_array_equal(first(3), first(3))
    assert not np.array_equal(first(3), first(4))


def test_reshuffles_each_epoch():
    images, labels = _labelled_images(50)
    ds = image_dataset(images, labels, batch_size=50, seed=1)
    epoch1, epoch2 = [next(iter(ds))[1].numpy() for _ in range(2)]
    assert sorted(epoch1) == sorted(epoch2) and not np.array_equal(epoch1, epoch2)


def test_labels_stay_aligned_with_images():
    images, labels = _labelled_images(50)
    ds = image_dataset(images, labels, batch_size=10, seed=7, repeat=True)
    for batch_images, batch_labels in ds.take(12):
        assert batch_labels.dtype == tf.int32
        expected = scale_images(5 * batch_labels.numpy().astype(np.uint8))
        np.testing.assert_allclose(batch_images.numpy()[:, 2, 3, 0], expected, atol=1e-7)
        assert batch_images.shape == (10, 4, 4, 1)


def test_float_images_pass_through_unchanged():
    images = np.linspace(-1, 1, 8 * 2 * 2, dtype=np.float32).reshape(8, 2, 2, 1)
    batch = next(iter(image_dataset(images, batch_size=8, shuffle=False))).numpy()
    np.testing.assert_array_equal(batch, images)
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        image_dataset(images * 3)


def test_points_dataset():
    points = np.arange(20, dtype=np.float64).reshape(10, 2)
    labels = np.arange(10)
    batches = list(points_dataset(points, labels, batch_size=4, seed=0))
    assert len(batches) == 2
    for batch_points, batch_labels in batches:
        assert batch_points.dtype == tf.float32 and batch_points.shape == (4, 2)
        np.testing.assert_array_equal(batch_points.numpy()[:, 0], 2 * batch_labels.numpy())
    unshuffled = next(iter(points_dataset(points, batch_size=3, shuffle=False))).numpy()
    np.testing.assert_array_equal(unshuffled, points[:3])
    with pytest.raises(ValueError, match="batch_size"):
        points_dataset(points, batch_size=11)
