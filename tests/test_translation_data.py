"""Offline image-to-image tasks and their pipelines."""

import numpy as np
import pytest

from tfgan_zoo.data import translation_tasks as translation
from tfgan_zoo.data.translation_tasks import (
    MASK_SIDE,
    low_resolution,
    masked,
    paired_batches,
    paired_task,
    sobel_edges,
    unpaired_batches,
    unpaired_task,
)
from tfgan_zoo.families.translators.networks import patch_discriminator, patch_receptive_field


def test_sobel_edges_mark_a_vertical_step_only_at_the_step():
    image = np.zeros((1, 8, 8, 1), np.uint8)
    image[:, :, 4:] = 200
    edges = sobel_edges(image)[0, 2:-2, :, 0]  # rows away from the top/bottom border
    assert edges.max() == 255
    assert set(np.nonzero(edges.max(axis=0))[0]) == {3, 4}  # the two columns at the step
    assert edges[:, :3].max() == 0 and edges[:, 5:].max() == 0


def test_masked_blanks_one_square_per_image_where_the_seed_says():
    images = np.full((20, 28, 28, 1), 9, np.uint8)
    out = masked(images, seed=3)
    changed = out != images
    assert (changed.reshape(20, -1).sum(axis=1) == MASK_SIDE**2).all()
    assert (out[changed] == 0).all()
    np.testing.assert_array_equal(out, masked(images, seed=3))
    assert not np.array_equal(out, masked(images, seed=4))


def test_low_resolution_averages_blocks():
    image = np.arange(16, dtype=np.uint8).reshape(1, 4, 4, 1) * 10
    out = low_resolution(image, factor=2)[0, :, :, 0]
    assert out[0, 0] == out[1, 1] == round((0 + 10 + 40 + 50) / 4)
    assert out[2, 2] == round((100 + 110 + 140 + 150) / 4)


def test_paired_batches_keep_pairs_aligned_and_scaled():
    rng = np.random.default_rng(0)
    target = rng.integers(0, 256, (40, 28, 28, 1), dtype=np.uint8)
    source = 255 - target  # the pairing is recoverable from the pixels
    source_batch, target_batch = next(iter(paired_batches(source, target, 8, 5, seed=1)))
    np.testing.assert_allclose(source_batch.numpy(), -target_batch.numpy(), atol=1e-6)
    assert source_batch.numpy().min() >= -1 and source_batch.numpy().max() <= 1
    with pytest.raises(ValueError, match="as many sources as targets"):
        paired_batches(source[:39], target, 8, 5)
    with pytest.raises(ValueError, match="uint8"):
        paired_batches(source.astype(np.float32), target, 8, 5)


def test_fashion_tasks_come_from_local_data():
    source, target, labels = paired_task("inpaint", "test", limit=50)
    assert source.shape == target.shape == (50, 28, 28, 1) and len(labels) == 50
    assert ((source != target).reshape(50, -1).sum(axis=1) <= MASK_SIDE**2).all()
    a, b, (class_a, class_b) = unpaired_task("sneaker2boot", "test", limit=30)
    assert (class_a, class_b) == (7, 9) and len(a) == len(b) == 30
    batch_a, batch_b = next(iter(unpaired_batches(a, b, 10, 3)))
    assert batch_a.shape == batch_b.shape == (10, 28, 28, 1)
    with pytest.raises(ValueError, match="unknown paired task"):
        paired_task("colourise")


def test_tfds_cyclegan_sets_use_the_same_pipeline():
    import tensorflow_datasets as tfds

    with tfds.testing.mock_data(num_examples=6, policy=tfds.testing.MockPolicy.USE_CODE):
        a, b = translation.tfds_unpaired("cycle_gan/horse2zebra", image_size=(16, 16))
    assert a.shape == b.shape == (6, 16, 16, 3) and a.dtype == np.uint8
    batch_a, batch_b = next(iter(unpaired_batches(a, b, 3, 2)))
    assert batch_a.shape == batch_b.shape == (3, 16, 16, 3)


def test_side_by_side_pairs_split_each_file(tmp_path):
    from PIL import Image

    for i in range(3):
        pair = np.zeros((32, 64, 3), np.uint8)
        pair[:, :32] = 40 * i  # left half: the photo (target)
        pair[:, 32:] = 200  # right half: the label map (source)
        Image.fromarray(pair).save(tmp_path / f"{i}.png")
    source, target = translation.side_by_side_pairs(tmp_path, image_size=(16, 16))
    assert source.shape == target.shape == (3, 16, 16, 3)
    assert (source == 200).all() and [int(t.mean()) for t in target] == [0, 40, 80]
    x, y = next(iter(paired_batches(source, target, 3, 1)))
    assert x.shape == (3, 16, 16, 3)
    with pytest.raises(FileNotFoundError, match="no .jpg or .png"):
        translation.side_by_side_pairs(
            tmp_path / "x" if (tmp_path / "x").mkdir() is None else tmp_path
        )


@pytest.mark.parametrize("downsamplings", [1, 2])
def test_patch_receptive_field_matches_the_gradient_support(downsamplings):
    import tensorflow as tf

    assert [patch_receptive_field(n) for n in (1, 2, 3)] == [16, 34, 70]
    d = patch_discriminator((64, 64, 1), filters=4, downsamplings=downsamplings, conditional=False)
    x = tf.random.normal((1, 64, 64, 1))
    with tf.GradientTape() as tape:
        tape.watch(x)
        logits = d(x)
        centre = logits[0, logits.shape[1] // 2, logits.shape[2] // 2, 0]
    support = np.nonzero(np.abs(tape.gradient(centre, x).numpy()[0, :, :, 0]).max(axis=0))[0]
    # One logit sees at most the analytic patch (zero taps at its edges can trim it).
    side = support.max() - support.min() + 1
    assert patch_receptive_field(downsamplings) - 4 <= side <= patch_receptive_field(downsamplings)
