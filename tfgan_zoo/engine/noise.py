"""Stateless latent noise that is the same with and without XLA.

`tf.random.stateless_normal` gives different numbers under `jit_compile=True`
than without it on CPU (max |diff| 2.5 for the same seed, TF 2.21), and so
does `stateless_uniform` for floats; only the raw uint32 Philox bits agree.
We therefore draw the bits and map them to N(0, 1) by the inverse normal CDF:
a seed means the same noise in eager, graph, XLA and serving code (to ~2e-5).
"""

import contextlib
import operator

import tensorflow as tf

# 23 bits, not 24: (k + 0.5) / 2**24 with k = 2**24 - 1 rounds to exactly 1.0
# in float32, and ndtri(1.0) = inf. With 23 bits every value stays in
# [2**-24, 1 - 2**-24], all exactly representable.
_UNIFORM_BITS = 23


def bits_to_open_unit(bits):
    """Maps uint32 random bits to float32 in the open interval (0, 1)."""
    top = tf.bitwise.right_shift(bits, tf.constant(32 - _UNIFORM_BITS, tf.uint32))
    return (tf.cast(top, tf.float32) + 0.5) * (2.0**-_UNIFORM_BITS)


def stateless_uniform_open(shape, seed):
    """U(0, 1) excluding both ends, from the top 23 random bits of each draw."""
    return bits_to_open_unit(
        tf.random.stateless_uniform(shape, seed=seed, minval=None, maxval=None, dtype=tf.uint32)
    )


def stateless_normal(shape, seed):
    """N(0, 1) draws, a pure function of `shape` and the int64 `seed` of shape [2].

    Tails are cut at |z| ~ 5.29 (the extreme quantiles 2**-24), which no latent
    prior of a GAN depends on.
    """
    return tf.math.ndtri(stateless_uniform_open(shape, seed))


# Named random streams. Every draw has a name, and its stateless [2] int64 seed
# is (base seed, code), the code packing (name, counter, index, part, replica)
# into disjoint bit fields of a non-negative int64, so two draws that differ in
# any of them never share a seed (Philox keeps seeds apart):
#
#   bits  0-4   replica id   < 32
#   bit   5     part         < 2     (sub-draw of one sampler, `sub_seed`)
#   bits  6-9   index        < 16    (the i-th draw of a name in one step)
#   bits 10-14  name code    < 32    (STREAM_CODES)
#   bits 15-46  counter      < 2**32 (optimizer step, or a `sample` seed)
#
# Under XLA the stateless RNGs read only the low 32 bits of each seed word (TF
# 2.21 on CPU), so every field but the counter's high bits lies in them: draws
# agree with and without XLA, and stay distinct there, for counters < 2**17
# (131,072 steps, as in 0.1) and base seeds < 2**32.
# Seeds are composed arithmetically, not with `stateless_fold_in`: under XLA,
# fold_in of a computed (non-constant) seed returns other numbers than without.
# The codes of d_latent, g_latent, sample, penalty, pool_uniform and pool_index
# put them where 0.1's stream numbers 1, 2, 3, 4, 6 and 7 put them (code =
# 4 x stream), so those draws are unchanged: `sample(seed)` of a saved model
# gives the images it gave. Add names with free codes; never renumber.
STREAM_CODES = {
    "d_augment_real": 0,  # DiffAugment of the reals of a D step
    "d_augment_fake": 1,  # DiffAugment of the fakes of a D step
    "g_augment": 2,  # DiffAugment of the fakes of a G step
    "d_codes": 3,  # InfoGAN codes, index 0 categorical, 1 continuous
    "d_latent": 4,  # z of a D step's fakes
    "g_codes": 5,
    "d_epsilon": 6,  # BicycleGAN's reparameterisation noise
    "g_epsilon": 7,
    "g_latent": 8,  # z of a G step's fakes
    "d_mix_latent": 9,  # StyleGAN's second latent for style mixing
    "g_mix_latent": 10,
    "d_mixing": 11,  # StyleGAN: whether and where to mix
    "sample": 12,  # `sample(seed)`: counter = the seed
    "g_mixing": 13,
    "d_noise_images": 14,  # StyleGAN per-layer noise, index = layer
    "g_noise_images": 15,
    "penalty": 16,  # a D penalty's uniforms, index = draw number
    "d_mixup": 17,  # Semi-StyleGAN's mixup weights
    "g_mixup": 18,
    "epsilon": 19,  # VAE's reparameterisation noise
    "corruption": 20,  # denoising autoencoder's input noise
    "serving": 21,  # serving `sample`: base = the request's seed
    "serving_truncated": 22,  # BigGAN's serving `sample_truncated`
    "interpolation": 23,  # tfgan_zoo.latent's endpoints: base = the caller's seed
    "pool_uniform": 24,  # CycleGAN image pool: keep or swap
    "pool_index": 28,  # CycleGAN image pool: which stored image
}
STREAM_NAMES = tuple(STREAM_CODES)

REPLICA_BITS, PART_BITS, INDEX_BITS, NAME_BITS, COUNTER_BITS = 5, 1, 4, 5, 32
MAX_REPLICAS, MAX_PARTS, MAX_INDEX = 2**REPLICA_BITS, 2**PART_BITS, 2**INDEX_BITS
MAX_COUNTER = 2**COUNTER_BITS
_PART_SHIFT = REPLICA_BITS
_INDEX_SHIFT = _PART_SHIFT + PART_BITS
_NAME_SHIFT = _INDEX_SHIFT + INDEX_BITS
_COUNTER_SHIFT = _NAME_SHIFT + NAME_BITS
assert _COUNTER_SHIFT + COUNTER_BITS < 63  # the sign bit stays 0
assert len(set(STREAM_CODES.values())) == len(STREAM_CODES)
assert all(0 <= code < 2**NAME_BITS for code in STREAM_CODES.values())


def stream_code(name):
    """The integer code of a declared stream name."""
    try:
        return STREAM_CODES[name]
    except KeyError:
        raise ValueError(
            f"unknown random stream {name!r}; declare it in tfgan_zoo.engine.noise.STREAM_CODES"
        ) from None


def _checked(value, bound, what):
    """`value` as int64; Python/NumPy integers are checked against [0, bound) here,
    tensors (optimizer steps, replica ids) are trusted to stay below it."""
    if tf.is_tensor(value) or isinstance(value, tf.Variable):
        return tf.cast(value, tf.int64)
    value = operator.index(value)
    if not 0 <= value < bound:
        raise ValueError(f"{what} must be in [0, {bound}), got {value}.")
    return tf.constant(value, tf.int64)


_recorders = []  # lists that `recorded_draws` fills


@contextlib.contextmanager
def recorded_draws():
    """Yields a list that receives (key, seed) for every seed handed out inside
    the block, key = (name, counter, replica_id, index) for a `draw_seed` and
    (parent seed, part) for a `sub_seed`; for tests, on eagerly run code
    (traced code records symbolic tensors, once per trace)."""
    log = []
    _recorders.append(log)
    try:
        yield log
    finally:
        _recorders.remove(log)


def _record(key, seed):
    for log in _recorders:
        log.append((key, seed))


def _value(x):
    return int(x.numpy()) if tf.is_tensor(x) or isinstance(x, tf.Variable) else int(x)


def draw_code(name, counter, replica_id=0, index=0):
    """The int64 code of draw `name` (see the layout above)."""
    index = operator.index(index)
    if not 0 <= index < MAX_INDEX:
        raise ValueError(f"index must be in [0, {MAX_INDEX}), got {index}.")
    fixed = (stream_code(name) << _NAME_SHIFT) + (index << _INDEX_SHIFT)
    return (
        tf.constant(fixed, tf.int64)
        + _checked(counter, MAX_COUNTER, "counter") * 2**_COUNTER_SHIFT
        + _checked(replica_id, MAX_REPLICAS, "replica_id")
    )


def draw_seed(base_seed, name, counter=0, replica_id=0, index=0):
    """The [2] int64 seed of draw `name` at `counter` (a training step, or the
    seed of a `sample` request) on replica `replica_id`; `index` tells apart
    several draws of one name in one step. A pure function of its arguments."""
    base = (
        tf.cast(base_seed, tf.int64)
        if tf.is_tensor(base_seed)
        else tf.constant(base_seed, tf.int64)
    )
    seed = tf.stack([base, draw_code(name, counter, replica_id, index)])
    if _recorders:
        _record((name, _value(counter), _value(replica_id), index), seed)
    return seed


def sub_seed(seed, part):
    """The seed of sub-draw `part` (only 1: MAX_PARTS is 2) of a sampler handed
    `seed` (part 0 of a `draw_seed`), e.g. the codes drawn beside a latent."""
    if not 0 < part < MAX_PARTS:
        raise ValueError(f"part must be in [1, {MAX_PARTS}), got {part}.")
    derived = seed + tf.constant([0, part << _PART_SHIFT], tf.int64)
    if _recorders:
        _record((tuple(int(v) for v in seed.numpy()), part), derived)
    return derived
