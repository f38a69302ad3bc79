"""Bad training data is refused before the first step, with a message that says why."""

import numpy as np
import pytest
import tensorflow as tf

from tfgan_zoo.engine import DataValidationError
from tfgan_zoo.gans import DCGAN, ConditionalGAN, VanillaGAN

SHAPE = (8, 8, 1)


def images(n=32, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n,) + SHAPE).astype("float32")


def dcgan():
    model = DCGAN(image_shape=SHAPE, latent_dim=8, base_filters=4, seed=0)
    model.compile()
    return model


def cgan():
    model = ConditionalGAN(data_shape=SHAPE, num_classes=3, latent_dim=8, base_filters=4, seed=0)
    model.compile()
    return model


def assert_refused_before_training(model, match, *fit_args, **fit_kwargs):
    before = [w.numpy().copy() for w in model.generator.weights + model.discriminator.weights]
    with pytest.raises(DataValidationError, match=match):
        model.fit(*fit_args, verbose=0, **fit_kwargs)
    assert int(model.d_optimizer.iterations) == 0 and int(model.g_optimizer.iterations) == 0
    after = [w.numpy() for w in model.generator.weights + model.discriminator.weights]
    assert all(np.array_equal(a, b) for a, b in zip(before, after))


def test_wrong_rank_is_refused():
    assert_refused_before_training(
        dcgan(),
        r"expected samples of shape \(None, 8, 8, 1\).*"
        r"rank 3.*Add the channel axis",
        images()[..., 0],
        batch_size=16,
    )


def test_wrong_image_size_is_refused():
    bad = np.zeros((32, 16, 16, 1), np.float32)
    assert_refused_before_training(dcgan(), r"found \(16, 16, 16, 1\)", bad, batch_size=16)


def test_integer_pixels_outside_declared_range_are_refused():
    pixels = np.random.default_rng(0).integers(0, 256, (32,) + SHAPE).astype("uint8")
    pixels[0, 0, 0, 0] = 255
    assert_refused_before_training(
        dcgan(),
        r"floats in \[-1, 1\].*integer \(uint8\) values in \[0, 255\].*scale_images",
        pixels,
        batch_size=16,
    )


def test_float_pixels_outside_range_are_refused():
    assert_refused_before_training(
        dcgan(),
        r"floats in \[-1, 1\]; batch 0 holds values in \[-2\.9\d*, 2\.9\d*\]",
        images() * 3,
        batch_size=16,
    )


def test_nan_in_a_late_batch_is_refused():
    data = images(64)
    data[50, 3, 3, 0] = np.nan
    assert_refused_before_training(
        dcgan(),
        r"batch 3 holds 1 NaN or infinite",
        tf.data.Dataset.from_tensor_slices(data).batch(16),
    )


def test_the_scan_names_the_first_bad_batch_across_its_chunks(monkeypatch):
    # The scan fetches the stats of SCAN_CHUNK batches at a time; the batch it names
    # counts from the dataset's start, and the first bad batch wins over later ones.
    from tfgan_zoo.engine import validation

    monkeypatch.setattr(validation, "SCAN_CHUNK", 3)
    data = images(160)
    data[7 * 16 + 2, 0, 0, 0] = np.inf  # batch 7, in the third chunk
    data[9 * 16, 1, 1, 0] = 5.0  # batch 9: out of range, but later
    assert_refused_before_training(
        dcgan(),
        r"batch 7 holds 1 NaN or infinite",
        tf.data.Dataset.from_tensor_slices(data).batch(16),
    )
    data[7 * 16 + 2, 0, 0, 0] = 0.0
    assert_refused_before_training(
        dcgan(),
        r"batch 9 holds values in \[-0\.9\d*, 5\]",
        tf.data.Dataset.from_tensor_slices(data).batch(16),
    )


def test_labels_out_of_range_are_refused():
    labels = np.array([0, 1, 2, 3] * 8)
    assert_refused_before_training(
        cgan(), r"labels must be in \[0, 3\).*\[0, 3\]", images(), labels, batch_size=16
    )


def test_negative_labels_are_refused():
    labels = np.array([0, 1, 2, -1] * 8)
    assert_refused_before_training(
        cgan(), r"labels must be in \[0, 3\).*\[-1, 2\]", images(), labels, batch_size=16
    )


def test_conditional_gan_without_labels_is_refused():
    assert_refused_before_training(cgan(), "needs \\(samples, labels\\)", images(), batch_size=16)


def test_float_labels_are_refused():
    labels = np.zeros(32, np.float32)
    assert_refused_before_training(
        cgan(), "integer class ids.*float32", images(), labels, batch_size=16
    )


def test_points_given_to_an_image_gan_are_refused():
    points = np.random.default_rng(0).normal(size=(64, 2)).astype("float32")
    assert_refused_before_training(
        dcgan(),
        r"found rank 2 shape \(16, 2\).*points.*"
        r"VanillaGAN\(data_shape=\(2,\)\)",
        points,
        batch_size=16,
    )


def test_batch_not_divisible_by_d_steps_is_refused():
    model = VanillaGAN(hidden=(8,), seed=0)
    model.compile(d_steps=3)
    points = np.zeros((64, 2), np.float32)
    assert_refused_before_training(
        model,
        r"batch 0 has 32 samples.*d_steps x replicas = 3 x 1",
        tf.data.Dataset.from_tensor_slices(points).batch(32),
    )


def test_empty_dataset_is_refused():
    assert_refused_before_training(
        dcgan(),
        "yields no batches",
        tf.data.Dataset.from_tensor_slices(images(8)).batch(16, drop_remainder=True),
    )


def test_valid_data_passes_and_unbounded_points_may_take_any_finite_value():
    model = VanillaGAN(hidden=(8,), seed=0)
    model.compile()
    points = np.random.default_rng(0).normal(scale=100.0, size=(64, 2)).astype("float32")
    model.fit(points, batch_size=32, epochs=1, verbose=0)
    assert int(model.g_optimizer.iterations) == 2
