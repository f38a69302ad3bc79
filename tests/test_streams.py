"""Named random streams: every draw of a training step, of `sample` and of the
serving signatures has its own seed, on every replica."""

import itertools

import numpy as np
import pytest
import tensorflow as tf

import tfgan_zoo.engine.gan as gan_module
from tfgan_zoo.engine import noise
from tfgan_zoo.engine.noise import STREAM_NAMES, draw_seed, recorded_draws, sub_seed
from tfgan_zoo.families.biggan.biggan import truncated_latents_for_seeds
from tfgan_zoo.gans import (
    WGANGP,
    BicycleGAN,
    BigGAN,
    CycleGAN,
    InfoGAN,
    InfoStyleGAN,
    SemiStyleGAN,
    StandardGAN,
    StyleGAN,
)
from tfgan_zoo.serving.signatures import latents_for_seeds

BASE = 11


def _images(n, side=8, channels=1, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, (n, side, side, channels)).astype("float32")


def _standard():
    model = StandardGAN(data_shape=(2,), latent_dim=3, hidden=(8, 8, 8), seed=BASE)
    model.compile(d_steps=3, loss="least_squares", penalty="dragan")
    return model, np.random.default_rng(0).normal(size=(12, 2)).astype("float32")


def _conv_critic():
    # DCGAN's batch-normalised D takes no gradient penalty; WGAN-GP's conv critic does.
    model = WGANGP(data_shape=(8, 8, 1), latent_dim=4, base_filters=4, seed=BASE)
    model.compile(d_steps=2, augment="color,translation,cutout")
    return model, _images(8)


def _infogan():
    model = InfoGAN(
        image_shape=(8, 8, 1), noise_dim=3, categories=4, continuous=2, base_filters=4, seed=BASE
    )
    model.compile(d_steps=2)
    return model, _images(8)


def _stylegan():
    model = StyleGAN(
        image_shape=(8, 8, 1),
        latent_dim=6,
        w_dim=5,
        mapping_depth=2,
        filters=(8, 4),
        style_mixing=1.0,
        seed=BASE,
    )
    model.compile()
    return model, _images(8)


def _semi_stylegan():
    model = SemiStyleGAN(
        image_shape=(8, 8, 1),
        noise_dim=3,
        categories=4,
        w_dim=5,
        mapping_depth=1,
        filters=(8, 4),
        style_mixing=0.5,
        seed=BASE,
    )
    model.compile()
    return model, (_images(8), np.array([0, 1, -1, -1, 2, -1, 3, -1], np.int32))


def _info_stylegan():
    model = InfoStyleGAN(
        image_shape=(8, 8, 1),
        noise_dim=3,
        categories=4,
        w_dim=5,
        mapping_depth=1,
        filters=(8, 4),
        style_mixing=0.5,
        seed=BASE,
    )
    model.compile()
    return model, _images(8)


def _biggan():
    model = BigGAN(
        image_shape=(8, 8, 1),
        num_classes=3,
        latent_dim=6,
        base_filters=4,
        embedding_dim=4,
        seed=BASE,
    )
    model.compile()  # two D steps per G step
    return model, (_images(8), np.arange(8, dtype=np.int32) % 3)


def _bicyclegan():
    model = BicycleGAN(image_shape=(16, 16, 1), latent_dim=3, base_filters=4, depth=2, seed=BASE)
    model.compile()
    return model, (_images(4, 16), _images(4, 16, seed=1))


def _cyclegan():
    model = CycleGAN(
        image_shape=(16, 16, 1), base_filters=4, blocks=1, d_base_filters=4, pool_size=4, seed=BASE
    )
    model.compile()
    return model, (_images(4, 16), _images(4, 16, seed=1))


FAMILIES = {
    "standard": _standard,
    "conv_critic": _conv_critic,
    "infogan": _infogan,
    "stylegan": _stylegan,
    "semi_stylegan": _semi_stylegan,
    "info_stylegan": _info_stylegan,
    "biggan": _biggan,
    "bicyclegan": _bicyclegan,
    "cyclegan": _cyclegan,
}
# Names each family must draw in a step (besides d_latent/g_latent where it has them).
EXPECTED = {
    "standard": {"penalty"},
    "conv_critic": {"penalty", "d_augment_real", "d_augment_fake", "g_augment"},
    "infogan": {"d_codes", "g_codes"},
    "stylegan": {"d_mix_latent", "d_mixing", "d_noise_images", "g_noise_images"},
    "semi_stylegan": {"d_mixup", "g_mixup", "g_mix_latent"},
    "info_stylegan": {"d_latent", "g_latent", "g_mix_latent"},
    "biggan": {"d_latent", "g_latent"},
    "bicyclegan": {"d_epsilon", "g_epsilon"},
    "cyclegan": {"pool_uniform", "pool_index"},
}


def step_draws(family, replica_id=0, monkeypatch=None):
    """{key: seed} of every draw one eager training step requests, as replica
    `replica_id`; asserts that a key always gets one seed (a loss may redraw)."""
    model, data = FAMILIES[family]()
    if replica_id:
        monkeypatch.setattr(gan_module, "replica_context", lambda: (replica_id, 1))
    with recorded_draws() as log:
        model.train_step(tf.nest.map_structure(tf.constant, data))
    seeds = {}
    for key, seed in log:
        seeds.setdefault(key, tuple(int(v) for v in seed.numpy()))
        assert seeds[key] == tuple(int(v) for v in seed.numpy()), key
    return seeds


def assert_distinct(seeds):
    owners = {}
    for key, seed in seeds.items():
        assert seed not in owners, f"{key} and {owners.get(seed)} share the seed {seed}"
        owners[seed] = key


@pytest.fixture(scope="module")
def replica_0_draws():
    return {family: step_draws(family) for family in FAMILIES}


@pytest.mark.parametrize("family", FAMILIES)
def test_every_draw_of_a_step_has_its_own_seed(family, replica_0_draws):
    seeds = replica_0_draws[family]
    names = {key[0] for key in seeds if isinstance(key[0], str)}
    assert EXPECTED[family] <= names, names
    assert len(seeds) >= 2
    assert_distinct(seeds)
    assert all(seed[0] == BASE for seed in seeds.values())


@pytest.mark.parametrize("family", FAMILIES)
def test_two_replicas_never_share_a_seed(family, replica_0_draws, monkeypatch):
    replica_0 = replica_0_draws[family]
    replica_1 = step_draws(family, replica_id=1, monkeypatch=monkeypatch)
    # The same draws, on other seeds.
    assert len(replica_1) == len(replica_0)
    assert not set(replica_0.values()) & set(replica_1.values())
    assert_distinct({**replica_0, **{("r1", k): v for k, v in replica_1.items()}})


def test_sample_and_serving_seeds_are_never_training_seeds(replica_0_draws):
    training = set().union(*(set(s.values()) for s in replica_0_draws.values()))
    model, _ = _infogan()  # sample_latent draws a sub-seed for its codes
    with recorded_draws() as log:
        for seed in range(20):
            model.sample(2, seed=seed)
        latents_for_seeds(np.arange(20) + BASE - 10, 4)
        truncated_latents_for_seeds(np.arange(20) + BASE - 10, 4, np.ones(20))
    requested = {tuple(int(v) for v in seed.numpy()) for _, seed in log}
    names = {key[0] for key, _ in log if isinstance(key[0], str)}
    assert names == {"sample", "serving", "serving_truncated"}
    assert len(requested) == 20 * 2 + 20 + 20  # a sub-seed for each sample's codes
    assert not requested & training
    # Whatever the counter: a sample code is never a code of a training name.
    sample_codes = {int(draw_seed(BASE, "sample", s)[1]) for s in range(500)}
    assert not sample_codes & {seed[1] for seed in training}


def test_the_bits_of_differently_named_draws_differ():
    bits = {
        name: tf.random.stateless_uniform(
            [256], draw_seed(5, name, 7), minval=None, maxval=None, dtype=tf.uint32
        ).numpy()
        for name in STREAM_NAMES
    }
    for a, b in itertools.combinations(STREAM_NAMES, 2):
        # 256 independent uint32 draws coincide at one position with probability 6e-8.
        assert np.sum(bits[a] == bits[b]) == 0, (a, b)
        assert len(np.intersect1d(bits[a], bits[b])) <= 1, (a, b)


def test_the_fields_of_a_code_never_overlap():
    seeds = set()
    for name, counter, replica, index in itertools.product(
        ["d_augment_real", "sample", "penalty", "pool_index", "interpolation"],
        [0, 1, 7, noise.MAX_COUNTER - 1],
        [0, 1, noise.MAX_REPLICAS - 1],
        [0, 1, noise.MAX_INDEX - 1],
    ):
        seed = draw_seed(3, name, counter, replica, index)
        seeds.add(tuple(seed.numpy()))
        assert int(seed[1]) >= 0
        seeds.add(tuple(sub_seed(seed, 1).numpy()))
    assert len(seeds) == 5 * 4 * 3 * 3 * 2


def test_the_bounds_are_checked():
    with pytest.raises(ValueError, match="unknown random stream 'latent'"):
        draw_seed(0, "latent", 0)
    with pytest.raises(ValueError, match="counter must be in"):
        draw_seed(0, "sample", -1)
    with pytest.raises(ValueError, match="counter must be in"):
        draw_seed(0, "sample", noise.MAX_COUNTER)
    with pytest.raises(ValueError, match="replica_id must be in"):
        draw_seed(0, "d_latent", 0, noise.MAX_REPLICAS)
    with pytest.raises(ValueError, match="index must be in"):
        draw_seed(0, "penalty", 0, 0, noise.MAX_INDEX)
    with pytest.raises(ValueError, match="part must be in"):
        sub_seed(draw_seed(0, "sample", 0), noise.MAX_PARTS)
    assert len(set(STREAM_NAMES)) == len(STREAM_NAMES)


def test_latent_and_sample_draws_keep_the_seeds_of_0_1():
    # 0.1 numbered its streams: code = (counter * 8 + stream) * 4096 + replica, with
    # D latents on stream 1, G latents on 2, `sample` on 3, the first penalty draw on 4
    # and CycleGAN's pool on 6 and 7.
    for name, stream in (
        ("d_latent", 1),
        ("g_latent", 2),
        ("sample", 3),
        ("penalty", 4),
        ("pool_uniform", 6),
        ("pool_index", 7),
    ):
        for counter, replica in ((0, 0), (5, 0), (123456, 3), (2**31, 31)):
            assert (
                int(draw_seed(9, name, counter, replica)[1])
                == (counter * 8 + stream) * 4096 + replica
            )
