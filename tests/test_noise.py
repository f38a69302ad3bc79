"""Latent noise: finite at the extremes, N(0, 1), and the same under XLA."""

from statistics import NormalDist

import numpy as np
import tensorflow as tf

from tfgan_zoo.engine.noise import (
    STREAM_NAMES,
    bits_to_open_unit,
    draw_seed,
    stateless_normal,
    sub_seed,
)


def test_extreme_bits_stay_strictly_inside_the_unit_interval():
    bits = tf.constant([0, 1, 2**31, 2**32 - 2, 2**32 - 1], dtype=tf.uint32)
    u = bits_to_open_unit(bits).numpy()
    assert u.min() == 2.0**-24 and u.max() == 1.0 - 2.0**-24
    z = tf.math.ndtri(u).numpy()
    assert np.all(np.isfinite(z))
    edge = NormalDist().inv_cdf(2.0**-24)  # -5.2947
    np.testing.assert_allclose(z[[0, -1]], [edge, -edge], atol=1e-4)


def test_noise_is_standard_normal():
    z = stateless_normal((200_000,), tf.constant([1, 2], tf.int64)).numpy()
    assert abs(z.mean()) < 0.01 and abs(z.std() - 1.0) < 0.01
    assert abs(np.mean(np.abs(z) > 1.96) - 0.05) < 0.003  # two-sided 5% tail


def test_same_noise_with_and_without_xla_for_a_computed_seed():
    counter = tf.Variable(41, dtype=tf.int64)

    def draw():
        seed = draw_seed(7, "d_noise_images", counter, 1, index=3)
        return tf.concat(
            [stateless_normal((256, 8), seed), stateless_normal((256, 8), sub_seed(seed, 1))],
            axis=0,
        )

    eager = draw().numpy()
    compiled = tf.function(draw, jit_compile=True)().numpy()
    np.testing.assert_allclose(eager, compiled, atol=1e-4)


def test_every_named_draw_has_the_same_bits_with_and_without_xla():
    # XLA reads only the low 32 bits of each seed word: every field must lie there.
    counter = tf.Variable(2**17 - 1, dtype=tf.int64)

    def bits():
        rows = []
        for name in STREAM_NAMES:
            for replica, index in ((0, 0), (31, 15)):
                seed = draw_seed(7, name, counter, replica, index)
                for s in (seed, sub_seed(seed, 1)):
                    rows.append(
                        tf.random.stateless_uniform(
                            [8], s, minval=None, maxval=None, dtype=tf.uint32
                        )
                    )
        return tf.stack(rows)

    eager = bits().numpy()
    compiled = tf.function(bits, jit_compile=True)().numpy()
    np.testing.assert_array_equal(eager, compiled)
    assert len({row.tobytes() for row in compiled}) == len(compiled)


def test_draw_seeds_are_distinct_across_name_counter_and_replica():
    names = ("d_latent", "g_latent", "sample", "pool_index", "interpolation")
    seeds = {
        tuple(draw_seed(3, name, counter, replica).numpy())
        for name in names
        for counter in range(50)
        for replica in range(4)
    }
    assert len(seeds) == len(names) * 50 * 4
