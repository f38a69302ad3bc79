"""Stateless latent noise that is the same with and without XLA.

`tf.random.stateless_normal` gives different numbers under `jit_compile=True`
than without it on CPU (max |diff| 2.5 for the same seed, TF 2.21), and so
does `stateless_uniform` for floats; only the raw uint32 Philox bits agree.
We therefore draw the bits and map them to N(0, 1) by the inverse normal CDF:
a seed means the same noise in eager, graph, XLA and serving code (to ~2e-5).
"""
import tensorflow as tf

# 23 bits, not 24: (k + 0.5) / 2**24 with k = 2**24 - 1 rounds to exactly 1.0
# in float32, and ndtri(1.0) = inf. With 23 bits every value stays in
# [2**-24, 1 - 2**-24], all exactly representable.
_UNIFORM_BITS = 23


def bits_to_open_unit(bits):
    """Maps uint32 random bits to float32 in the open interval (0, 1)."""
    top = tf.bitwise.right_shift(bits, tf.constant(32 - _UNIFORM_BITS, tf.uint32))
    return (tf.cast(top, tf.float32) + 0.5) * (2.0 ** -_UNIFORM_BITS)


def stateless_uniform_open(shape, seed):
    """U(0, 1) excluding both ends, from the top 23 random bits of each draw."""
    return bits_to_open_unit(tf.random.stateless_uniform(
        shape, seed=seed, minval=None, maxval=None, dtype=tf.uint32))


def stateless_normal(shape, seed):
    """N(0, 1) draws, a pure function of `shape` and the int64 `seed` of shape [2].

    Tails are cut at |z| ~ 5.29 (the extreme quantiles 2**-24), which no latent
    prior of a GAN depends on.
    """
    return tf.math.ndtri(stateless_uniform_open(shape, seed))


# Seeds are composed arithmetically, not with `stateless_fold_in`: under XLA,
# fold_in of a computed (non-constant) seed returns other numbers than without.
# Philox keeps streams with different seed[1] apart, so distinct
# (counter, stream, replica) triples give independent noise.
MAX_STREAMS = 8
MAX_REPLICAS = 4096


def step_seed(base_seed, stream, counter, replica_id=0):
    """The [2] int64 seed of one noise draw: `base_seed` and a unique code for
    (counter, stream < MAX_STREAMS, replica_id < MAX_REPLICAS)."""
    code = ((tf.cast(counter, tf.int64) * MAX_STREAMS + stream) * MAX_REPLICAS
            + tf.cast(replica_id, tf.int64))
    return tf.stack([tf.constant(base_seed, tf.int64), code])
