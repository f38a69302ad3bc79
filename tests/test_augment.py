"""DiffAugment functions: exact on known inputs, differentiable, XLA-compilable."""

import numpy as np
import pytest
import tensorflow as tf

from tfgan_zoo.engine.augment import (
    color,
    cutout,
    diff_augment,
    draws_needed,
    parse_policy,
    translation,
)


def _image(n=1, size=8):
    x = np.full((n, size, size, 1), -1.0, np.float32)
    x[:, 3, 4, 0] = 1.0  # one bright pixel on the -1 background
    return tf.constant(x)


def test_translation_moves_content_by_whole_pixels_and_pads_with_background():
    x = _image(3)
    # ratio 0.25 of 8 px: shifts in [-2, 2]; u -> floor(u * 5) - 2.
    u = tf.constant([[0.5, 0.5], [0.99, 0.0], [0.0, 0.7]])
    out = translation(x, u, ratio=0.25).numpy()[..., 0]
    assert np.argwhere(out[0] == 1.0).tolist() == [[3, 4]]  # (0, 0)
    assert np.argwhere(out[1] == 1.0).tolist() == [[5, 2]]  # (+2, -2)
    assert np.argwhere(out[2] == 1.0).tolist() == [[1, 5]]  # (-2, +1)
    assert set(np.unique(out)) == {-1.0, 1.0}


def test_cutout_blanks_a_square_of_the_given_side():
    x = tf.ones((2, 8, 8, 1))
    out = cutout(x, tf.constant([[0.5, 0.5], [0.0, 0.0]]), ratio=0.5).numpy()[..., 0]
    assert (out[0] == -1).sum() == 16 and (out[0][2:6, 2:6] == -1).all()  # centred at (4, 4)
    assert (out[1] == -1).sum() == 4 and (out[1][:2, :2] == -1).all()  # clipped at a corner


def test_color_is_identity_at_neutral_draws_and_shifts_brightness():
    x = tf.constant(np.random.default_rng(0).uniform(-1, 1, (2, 4, 4, 3)).astype(np.float32))
    neutral = tf.constant([[0.5, 0.5, 0.5]] * 2)  # +0, x1 saturation, x1 contrast
    np.testing.assert_allclose(color(x, neutral).numpy(), x.numpy(), atol=1e-6)
    brighter = color(x, tf.constant([[0.75, 0.5, 0.5]] * 2)).numpy()
    np.testing.assert_allclose(brighter - x.numpy(), 0.25, atol=1e-6)


def test_augmentations_are_differentiable_and_compile_under_xla():
    policy = parse_policy("color,translation,cutout")
    assert draws_needed(policy) == 7
    x = tf.constant(np.random.default_rng(1).uniform(-1, 1, (4, 8, 8, 1)).astype(np.float32))
    u = tf.constant(np.random.default_rng(2).uniform(0, 1, (4, 7)).astype(np.float32))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(diff_augment(x, policy, u) ** 2)
    grad = tape.gradient(y, x).numpy()
    assert np.isfinite(grad).all() and np.abs(grad).max() > 0
    compiled = tf.function(lambda a, b: diff_augment(a, policy, b), jit_compile=True)
    np.testing.assert_allclose(
        compiled(x, u).numpy(), diff_augment(x, policy, u).numpy(), atol=1e-5
    )
    with pytest.raises(ValueError, match="unknown augmentation"):
        parse_policy("flip")
