"""Latent noise: finite at the extremes, N(0, 1), and the same under XLA."""
from statistics import NormalDist

import numpy as np
import tensorflow as tf

from tfgan_zoo.engine.noise import bits_to_open_unit, stateless_normal, step_seed


def test_extreme_bits_stay_strictly_inside_the_unit_interval():
    bits = tf.constant([0, 1, 2**31, 2**32 - 2, 2**32 - 1], dtype=tf.uint32)
    u = bits_to_open_unit(bits).numpy()
    assert u.min() == 2.0 ** -24 and u.max() == 1.0 - 2.0 ** -24
    z = tf.math.ndtri(u).numpy()
    assert np.all(np.isfinite(z))
    edge = NormalDist().inv_cdf(2.0 ** -24)  # -5.2947
    np.testing.assert_allclose(z[[0, -1]], [edge, -edge], atol=1e-4)


def test_noise_is_standard_normal():
    z = stateless_normal((200_000,), tf.constant([1, 2], tf.int64)).numpy()
    assert abs(z.mean()) < 0.01 and abs(z.std() - 1.0) < 0.01
    assert abs(np.mean(np.abs(z) > 1.96) - 0.05) < 0.003  # two-sided 5% tail


def test_same_noise_with_and_without_xla_for_a_computed_seed():
    counter = tf.Variable(41, dtype=tf.int64)

    def draw():
        return stateless_normal((256, 8), step_seed(7, 1, counter, 1))

    eager = draw().numpy()
    compiled = tf.function(draw, jit_compile=True)().numpy()
    np.testing.assert_allclose(eager, compiled, atol=1e-4)


def test_step_seeds_are_distinct_across_counter_stream_and_replica():
    seeds = {tuple(step_seed(3, stream, counter, replica).numpy())
             for stream in range(3) for counter in range(50) for replica in range(4)}
    assert len(seeds) == 3 * 50 * 4
