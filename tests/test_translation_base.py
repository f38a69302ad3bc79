"""The translators' base: named networks and optimizers, configs under one
vocabulary (old names still load), CycleGAN's two history pools and its step,
on tiny images."""

import inspect
import io
import shutil
import warnings
import zipfile
from pathlib import Path

import h5py
import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_zoo.engine.losses import least_squares_discriminator_loss, least_squares_generator_loss
from tfgan_zoo.families.translators.networks import ImagePool
from tfgan_zoo.gans import BicycleGAN, CycleGAN, Pix2Pix

SHAPE = (8, 8, 1)
COMPAT = Path(__file__).parent / "data" / "compat" / "0.1.0"


def tiny(cls, **kwargs):
    small = (
        dict(base_filters=4, blocks=1, d_base_filters=4)
        if cls is CycleGAN
        else dict(base_filters=4)
    )
    return cls(image_shape=SHAPE, seed=0, **dict(small, **kwargs))


def images(n, seed):
    return np.random.default_rng(seed).uniform(-1, 1, (n, *SHAPE)).astype(np.float32)


# ------------------------------------------------------------------ pools
def test_image_pool_passes_through_until_full_then_swaps_half():
    pool = ImagePool(4)
    pool.build((None, 2, 2, 1))
    first = np.arange(16, dtype=np.float32).reshape(4, 2, 2, 1)
    np.testing.assert_array_equal(pool.query(first, tf.ones(4), tf.ones(4)), first)
    assert int(pool.count.numpy()) == 4
    new = -np.ones((4, 2, 2, 1), np.float32)
    # Keys ranking slots 3, 0, 1, 2: image i may take the slot of rank i.
    out = pool.query(new, tf.constant([0.1, 0.9, 0.2, 0.8]), tf.constant([0.2, 0.3, 0.4, 0.1]))
    # Rows 0 and 2 (uniform < 1/2) come from the pool (slots 3 and 1), and the new
    # images take those slots; rows 1 and 3 pass through.
    np.testing.assert_array_equal(out[0], first[3])
    np.testing.assert_array_equal(out[2], first[1])
    np.testing.assert_array_equal(out[1], new[1])
    stored = pool.images.numpy()
    assert (stored[3] == -1).all() and (stored[1] == -1).all() and (stored[0] == first[0]).all()
    assert (stored[2] == first[2]).all()


def test_a_full_batch_swap_writes_every_slot_once():
    pool = ImagePool(6)
    pool.build((None, 1, 1, 1))
    old = np.arange(6, dtype=np.float32).reshape(6, 1, 1, 1)
    pool.query(old, tf.ones(6), tf.ones(6))
    new = 10.0 + old
    rng = np.random.default_rng(0)
    out = pool.query(new, tf.zeros(6) + 0.1, tf.constant(rng.uniform(size=6), tf.float32))
    # All six chosen: each takes a distinct slot, so none is lost and every old
    # image comes out exactly once.
    np.testing.assert_array_equal(np.sort(pool.images.numpy().ravel()), new.ravel())
    np.testing.assert_array_equal(np.sort(out.numpy().ravel()), old.ravel())


def test_a_batch_larger_than_the_pool_swaps_at_most_size_images():
    pool = ImagePool(2)
    pool.build((None, 1, 1, 1))
    pool.query(np.zeros((2, 1, 1, 1), np.float32), tf.ones(2), tf.ones(2))
    new = np.arange(1, 6, dtype=np.float32).reshape(5, 1, 1, 1)
    out = pool.query(new, tf.zeros(5) + 0.1, tf.constant([0.7, 0.3]))
    np.testing.assert_array_equal(out.numpy().ravel(), [0, 0, 3, 4, 5])
    np.testing.assert_array_equal(pool.images.numpy().ravel(), [2, 1])  # slot 1 ranks first


class FirstStepLogs(keras.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        if batch == 0 and not hasattr(self, "logs"):
            self.logs = {key: float(value) for key, value in logs.items()}


@pytest.fixture(scope="module")
def frozen_run():
    """Six steps of a CycleGAN whose optimizers do not move it (its fakes are
    fixed functions), with pools of 4: 24 fakes per pool, so swaps happen."""
    model = tiny(CycleGAN, pool_size=4)
    model.compile(g_optimizer=keras.optimizers.Adam(0.0), d_optimizer=keras.optimizers.Adam(0.0))
    a, b = images(8, 1), images(8, 2)
    first = FirstStepLogs()
    model.fit(
        tf.data.Dataset.from_tensor_slices((a, b)).batch(4), epochs=3, verbose=0, callbacks=[first]
    )
    assert int(model.d_optimizer.iterations) == 6
    return model, a, b, first.logs


def test_each_discriminator_has_its_own_history_of_its_domains_fakes(frozen_run):
    model, a, b, _ = frozen_run
    assert model.history_a is not model.history_b
    fake_a, fake_b = model.g_ba(b).numpy(), model.g_ab(a).numpy()

    def closest(stored, candidates):
        return (
            np.abs(stored[:, None] - candidates[None])
            .reshape(len(stored), len(candidates), -1)
            .max(axis=-1)
            .min(axis=1)
        )

    for pool, own, other in ((model.history_a, fake_a, fake_b), (model.history_b, fake_b, fake_a)):
        assert int(pool.count.numpy()) == 4
        stored = pool.images.numpy()
        assert closest(stored, own).max() < 1e-5  # every slot is one of its domain's fakes
        assert closest(stored, other).min() > 1e-2  # and none of the other domain's


# ----------------------------------------------------------------- the step
def test_cyclegan_step_pairs_g_with_d_b_and_f_with_d_a(frozen_run):
    model, a, b, logs = frozen_run
    a, b = a[:4], b[:4]  # the first batch
    g, f, d_a, d_b = model.g_ab, model.g_ba, model.d_a, model.d_b
    stack = lambda x, y: tf.concat([x, y], 0)  # noqa: E731
    d_loss = least_squares_discriminator_loss(stack(d_a(a), d_b(b)), stack(d_a(f(b)), d_b(g(a))))
    g_loss = least_squares_generator_loss(stack(d_a(f(b)), d_b(g(a))))
    cycle = np.abs(f(g(a)) - a).mean() + np.abs(g(f(b)) - b).mean()
    # The pools are filling at the first step: the Ds see its fakes themselves.
    assert logs["d_loss"] == pytest.approx(float(d_loss), rel=1e-5)
    assert logs["g_loss"] == pytest.approx(float(g_loss), rel=1e-5)
    assert logs["cycle"] == pytest.approx(cycle, rel=1e-5)


def test_one_optimizer_per_side_moves_both_networks_and_all_is_saved(tmp_path):
    model = tiny(CycleGAN, identity_weight=0.5, pool_size=4)
    model.compile()
    assert model.networks.keys() == {"g_ab", "g_ba", "d_a", "d_b"}
    assert len(model.generator_variables()) == 2 * len(model.g_ab.trainable_variables)
    assert len(model.discriminator_variables()) == 2 * len(model.d_a.trainable_variables)
    before = {
        name: [w.numpy().copy() for w in net.trainable_weights]
        for name, net in model.networks.items()
    }
    a, b = images(8, 5), images(8, 6)
    logs = model.fit(
        tf.data.Dataset.from_tensor_slices((a, b)).batch(4), epochs=1, verbose=0
    ).history
    assert logs["identity"][0] > 0
    for name, net in model.networks.items():
        moved = max(
            np.abs(w0 - w.numpy()).max() for w0, w in zip(before[name], net.trainable_weights)
        )
        assert moved > 1e-6, name

    model.save(tmp_path / "c.keras")
    loaded = keras.saving.load_model(tmp_path / "c.keras")
    for name in ("history_a", "history_b"):
        np.testing.assert_array_equal(
            getattr(loaded, name).images.numpy(), getattr(model, name).images.numpy()
        )
    assert int(loaded.g_optimizer.iterations) == 2
    for mine, theirs in zip(model.g_optimizer.variables, loaded.g_optimizer.variables):
        np.testing.assert_array_equal(mine.numpy(), theirs.numpy())
    np.testing.assert_array_equal(loaded.translate_ba(a), model.translate_ba(a))
    with pytest.raises(ValueError, match="no moving average"):
        tiny(CycleGAN).compile(ema_decay=0.99)


def test_cyclegan_augments_what_both_discriminators_see_on_named_streams():
    """With DiffAugment, D_A and D_B judge augmented reals and fakes (the engine's
    d_augment_real / d_augment_fake / g_augment streams): a step runs, and with
    translation + cutout D's outputs on the same batch differ from a step without.
    Eagerly: CycleGAN's traced step runs in the tests above."""
    a, b = images(8, 5), images(8, 6)
    losses = {}
    for augment in (None, "translation,cutout"):
        model = tiny(CycleGAN, pool_size=0)
        model.compile(augment=augment, run_eagerly=True)
        logs = model.fit(
            tf.data.Dataset.from_tensor_slices((a, b)).batch(8), epochs=1, verbose=0
        ).history
        losses[augment] = logs["d_loss"][0]
        assert np.isfinite(logs["d_loss"][0]) and np.isfinite(logs["g_loss"][0])
    assert abs(losses[None] - losses["translation,cutout"]) > 1e-4


# ----------------------------------------------------------- generate/translate
def test_cyclegan_generate_and_translate_are_the_two_generators():
    model = tiny(CycleGAN)
    x = images(3, 7)
    g, f = model.g_ab(x).numpy(), model.g_ba(x).numpy()
    assert np.abs(g - f).max() > 1e-3  # two networks, two answers
    np.testing.assert_allclose(model.translate(x), g, atol=1e-6)
    np.testing.assert_allclose(model.translate(x, direction="ba"), f, atol=1e-6)
    np.testing.assert_allclose(model.translate_ab(x), g, atol=1e-6)
    np.testing.assert_allclose(model.translate_ba(x), f, atol=1e-6)
    np.testing.assert_allclose(model.generate(None, x), g, atol=1e-6)
    np.testing.assert_allclose(model.generate(None, x, direction="ba"), f, atol=1e-6)
    with pytest.raises(ValueError, match="direction must be"):
        model.translate(x, direction="ac")


def test_paired_generate_and_translate_are_the_generator():
    x = images(3, 8)
    pix2pix = tiny(Pix2Pix)
    np.testing.assert_allclose(pix2pix.translate(x), pix2pix.generator(x), atol=1e-6)
    np.testing.assert_allclose(pix2pix.generate(None, x), pix2pix.generator(x), atol=1e-6)
    bicycle = tiny(BicycleGAN, latent_dim=2)
    x, z = tf.constant(x), tf.ones((3, 2))
    np.testing.assert_allclose(bicycle.generate(z, x), bicycle.generator([x, z]), atol=1e-6)
    assert bicycle.translate(x, seed=1).shape == x.shape
    assert bicycle.networks.keys() == {"generator", "encoder", "discriminator"}
    assert {id(v) for v in bicycle.generator_variables()} == {
        id(v) for v in bicycle.generator.trainable_variables + bicycle.encoder.trainable_variables
    }


# ------------------------------------------------------------------- configs
@pytest.mark.parametrize("cls", [Pix2Pix, CycleGAN, BicycleGAN])
def test_config_is_exactly_the_constructor_arguments(cls):
    model = tiny(cls)
    config = model.get_config()
    arguments = set(inspect.signature(cls.__init__).parameters) - {"self", "kwargs"}
    assert set(config) == arguments | {"name"}  # `name` goes to keras.Model
    for key in arguments:
        assert getattr(model, key) == config[key], key
    assert config["seed"] == 0 and config["base_filters"] == 4
    assert cls.from_config(config).get_config() == config


@pytest.mark.parametrize(
    "cls,old,new",
    [
        (Pix2Pix, dict(filters=4), dict(base_filters=4)),
        (BicycleGAN, dict(filters=4), dict(base_filters=4)),
        (CycleGAN, dict(filters=4, blocks=1, d_filters=8), dict(base_filters=4, d_base_filters=8)),
    ],
)
def test_old_argument_names_still_load(cls, old, new):
    config = dict(tiny(cls).get_config())
    for key in new:
        del config[key]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a saved config loads without complaint
        model = cls.from_config(dict(config, **old))
    assert {key: model.get_config()[key] for key in new} == new
    with pytest.raises(ValueError, match="has 'filters' and its new name 'base_filters'"):
        cls.from_config(dict(config, filters=4, base_filters=4))


def test_a_0_1_0_cyclegan_file_splits_its_shared_pool(tmp_path):
    """0.1.0 kept one pool of (F(b), G(a)) pairs stacked on channels."""
    path = tmp_path / "old.keras"
    shutil.copy(COMPAT / "cyclegan.keras", path)
    with zipfile.ZipFile(COMPAT / "cyclegan.keras") as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    buffer = io.BytesIO(files["model.weights.h5"])
    with h5py.File(buffer, "a") as weights:
        pool = weights["layers/image_pool/vars"]
        pairs = np.random.default_rng(0).uniform(-1, 1, pool["0"].shape).astype(np.float32)
        pool["0"][...] = pairs
        pool["1"][...] = 7
    files["model.weights.h5"] = buffer.getvalue()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    model = keras.saving.load_model(path)
    np.testing.assert_array_equal(model.history_a.images.numpy(), pairs[..., :1])
    np.testing.assert_array_equal(model.history_b.images.numpy(), pairs[..., 1:])
    assert int(model.history_a.count.numpy()) == int(model.history_b.count.numpy()) == 7
    assert model.get_config()["d_base_filters"] == 8  # saved as d_filters
