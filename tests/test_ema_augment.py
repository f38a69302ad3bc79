"""Engine options any variant can use: generator EMA and DiffAugment."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from helpers.pixels import assert_pixels_of

from tfgan_zoo.engine.ema import network_weights
from tfgan_zoo.gans import DCGAN, VanillaGAN
from tfgan_zoo.serving import export_generator
from tfgan_zoo.serving.signatures import generator_output


def _points(n, seed=0):
    return np.random.default_rng(seed).normal(size=(n, 2)).astype("float32")


class RecordG(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.snapshots = [[w.numpy().copy() for w in self.model.generator.weights]]

    def on_train_batch_end(self, batch, logs=None):
        self.snapshots.append([w.numpy().copy() for w in self.model.generator.weights])


def test_ema_follows_the_recursion_and_sampling_uses_it(tmp_path):
    keras.utils.set_random_seed(0)
    model = VanillaGAN(data_shape=(2,), latent_dim=4, hidden=(16,), seed=3)
    model.compile(
        ema_decay=0.5, g_optimizer=keras.optimizers.SGD(0.1), d_optimizer=keras.optimizers.SGD(0.1)
    )
    record = RecordG()
    model.fit(_points(64 * 4), batch_size=64, epochs=1, verbose=0, callbacks=[record])
    expected = record.snapshots[0]
    for t, weights in enumerate(record.snapshots[1:], 1):  # avg <- d avg + (1 - d) w
        d = min(0.5, (1 + t) / (10 + t))  # warm-up: 2/11, 3/12, ... until 0.5 at t = 8
        expected = [d * e + (1 - d) * w for e, w in zip(expected, weights)]
    for average, value in zip(model.ema.averages, expected):
        np.testing.assert_allclose(average.numpy(), value, rtol=1e-6, atol=1e-7)
    assert (
        max(
            np.abs(a.numpy() - w.numpy()).max()
            for a, w in zip(model.ema.averages, model.generator.weights)
        )
        > 1e-4
    )

    z = model.sample_latent(5, tf.constant([0, 1], tf.int64))
    by_average = model.ema.synced_network()(z).numpy()
    np.testing.assert_array_equal(
        model.sample(5, seed=1),
        model.inference_generate()(model.sample_latent(5, model.draw_seed("sample", 1))).numpy(),
    )
    assert not np.allclose(by_average, model.generator(z).numpy())

    model.save(tmp_path / "ema.keras")
    loaded = keras.saving.load_model(tmp_path / "ema.keras")
    assert loaded.ema.decay == 0.5
    for a, b in zip(loaded.ema.averages, model.ema.averages):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    np.testing.assert_array_equal(loaded.sample(6, seed=2), model.sample(6, seed=2))


def test_ema_with_a_start_step_copies_g_until_then_and_decays_at_exactly_d(tmp_path):
    """BigGAN's rule (ema_start): avg_t = w_t for updates t < s, then
    avg_t = d avg_{t-1} + (1 - d) w_t with no warm-up."""
    keras.utils.set_random_seed(0)
    model = VanillaGAN(data_shape=(2,), latent_dim=4, hidden=(16,), seed=3)
    model.compile(
        ema_decay=0.5,
        ema_start=3,
        g_optimizer=keras.optimizers.SGD(0.1),
        d_optimizer=keras.optimizers.SGD(0.1),
    )
    record = RecordG()
    model.fit(_points(64 * 6), batch_size=64, epochs=1, verbose=0, callbacks=[record])
    expected = None
    for t, weights in enumerate(record.snapshots[1:], 1):
        d = 0.0 if t < 3 else 0.5
        expected = (
            weights
            if expected is None
            else [d * e + (1 - d) * w for e, w in zip(expected, weights)]
        )
        if t == 2:  # before the start the average is G
            at_start = expected
    np.testing.assert_array_equal(at_start[0], record.snapshots[2][0])
    for average, value in zip(model.ema.averages, expected):
        np.testing.assert_allclose(average.numpy(), value, rtol=1e-6, atol=1e-7)
    # 0.5·avg_2 + 0.5·w_3 etc. differs from the warm-up rule's average
    warm = record.snapshots[0]
    for t, weights in enumerate(record.snapshots[1:], 1):
        d = min(0.5, (1 + t) / (10 + t))
        warm = [d * e + (1 - d) * w for e, w in zip(warm, weights)]
    assert np.abs(warm[0] - expected[0]).max() > 1e-4

    model.save(tmp_path / "ema_start.keras")
    loaded = keras.saving.load_model(tmp_path / "ema_start.keras")
    assert (loaded.ema.decay, loaded.ema.start) == (0.5, 3)
    assert float(loaded.ema.decay_at(2)) == 0.0 and float(loaded.ema.decay_at(3)) == 0.5
    with pytest.raises(ValueError, match="ema_start must be >= 0"):
        model.compile(ema_decay=0.5, ema_start=-1)


def test_ema_decay_zero_is_the_generator_and_export_samples_from_the_average(tmp_path):
    model = DCGAN(image_shape=(8, 8, 1), latent_dim=4, base_filters=4, seed=0)
    model.compile(ema_decay=0.9)
    images = np.random.default_rng(0).uniform(-1, 1, (32, 8, 8, 1)).astype("float32")
    model.fit(images, batch_size=16, epochs=1, verbose=0)
    path = export_generator(model, tmp_path / "ema")
    z = np.random.default_rng(1).standard_normal((3, 4)).astype("float32")
    served = tf.saved_model.load(str(path)).signatures["generate"](z=tf.constant(z))["images"]
    assert_pixels_of(served, generator_output(model.ema.synced_network(), z))
    with pytest.raises(ValueError, match=r"ema_decay must be in \[0, 1\)"):
        DCGAN(image_shape=(8, 8, 1), latent_dim=4, base_filters=4).compile(ema_decay=1.0)

    model.compile(ema_decay=0.5)  # compiling again keeps the averages, with the new decay
    assert model.ema.decay == 0.5 and len(model.ema.averages) == len(model.generator.weights)

    zero = VanillaGAN(data_shape=(2,), latent_dim=4, hidden=(8,), seed=1)
    zero.compile(ema_decay=0.0)
    zero.fit(_points(128), batch_size=64, epochs=1, verbose=0)
    for a, w in zip(zero.ema.averages, zero.generator.weights):
        np.testing.assert_array_equal(a.numpy(), w.numpy())


def _dcgan(augment, jit=False):
    keras.utils.set_random_seed(0)
    model = DCGAN(image_shape=(8, 8, 1), latent_dim=4, base_filters=4, seed=0)
    model.compile(
        augment=augment,
        jit_compile=jit,
        g_optimizer=keras.optimizers.SGD(0.05),
        d_optimizer=keras.optimizers.SGD(0.05),
    )
    return model


def _weights(model):
    return [w.numpy() for w in model.generator.weights + model.discriminator.weights]


def test_a_model_with_an_ema_starts_an_uncompiled_copy_from_its_networks():
    """`--init-from` an entry or run that keeps an EMA (BigGAN's, ProGAN's, DCGAN's
    entries): the averages are weights compile adds, which a copy built from the
    config lacks, so the copy takes G and D as trained (`network_weights`), not
    the averages, which after 4 steps differ from G."""
    keras.utils.set_random_seed(0)
    model = VanillaGAN(data_shape=(2,), latent_dim=4, hidden=(16,), seed=3)
    model.compile(ema_decay=0.5, g_optimizer=keras.optimizers.SGD(0.1))
    model.fit(_points(64 * 4), batch_size=64, epochs=1, verbose=0)
    copy = VanillaGAN.from_config(model.get_config())
    with pytest.raises(ValueError, match="weight list of length"):
        copy.set_weights(model.get_weights())
    copy.set_weights(network_weights(model))
    for net in ("generator", "discriminator"):
        for mine, theirs in zip(getattr(copy, net).weights, getattr(model, net).weights):
            np.testing.assert_array_equal(mine.numpy(), theirs.numpy())
    moved = [
        np.abs(a.numpy() - w.numpy()).max()
        for a, w in zip(model.ema.averages, model.generator.weights)
    ]
    assert max(moved) > 1e-3


@pytest.mark.slow
def test_diff_augment_changes_what_d_sees_and_is_deterministic_and_compiles():
    images = np.random.default_rng(0).uniform(-1, 1, (64, 8, 8, 1)).astype("float32")
    data = tf.data.Dataset.from_tensor_slices(images).batch(16)
    runs = {}
    for name, augment, jit in (
        ("plain", None, False),
        ("aug", "color,translation,cutout", False),
        ("again", "color,translation,cutout", False),
        ("xla", "color,translation,cutout", True),
    ):
        model = _dcgan(augment, jit)
        history = model.fit(data, epochs=1, verbose=0).history
        assert np.isfinite(history["g_loss"][0])
        runs[name] = _weights(model)
    diff = lambda a, b: max(np.abs(x - y).max() for x, y in zip(runs[a], runs[b]))  # noqa: E731
    assert diff("plain", "aug") > 1e-4  # D judged augmented images
    assert diff("aug", "again") == 0.0  # draws come from the seeded streams
    assert diff("aug", "xla") < 1e-5  # the augmentations compile under XLA
    with pytest.raises(ValueError, match="DiffAugment\\) is for image data"):
        VanillaGAN(data_shape=(2,), latent_dim=2, hidden=(8,)).compile(augment="color")


def test_generator_gradient_flows_through_the_augmentation():
    model = _dcgan("translation,cutout")
    with tf.GradientTape() as tape:
        fake = model.generate(model.sample_latent(8, tf.constant([0, 0], tf.int64)), training=True)
        seen = model.augment_for_discriminator(fake, tf.constant(0, tf.int64), "g_augment")
        loss = tf.reduce_mean(model.discriminate(seen, training=True))
    grads = tape.gradient(loss, model.generator.trainable_variables)
    assert all(g is not None for g in grads)
    assert max(float(tf.reduce_max(tf.abs(g))) for g in grads) > 0
    assert not np.allclose(seen.numpy(), fake.numpy())
