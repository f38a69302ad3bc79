"""The engine's training loop: k D-steps, noise, determinism, XLA, save/load."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_zoo.gans import VanillaGAN


def points(n, seed=0):
    return np.random.default_rng(seed).normal(size=(n, 2)).astype("float32")


def small_gan(seed=3, **compile_args):
    model = VanillaGAN(data_shape=(2,), latent_dim=4, hidden=(16, 16), seed=seed)
    model.compile(**compile_args)
    return model


def weights(model):
    return [v.numpy().copy() for v in model.generator.weights + model.discriminator.weights]


def test_k_discriminator_steps_per_generator_step():
    model = small_gan(d_steps=3)
    model.fit(points(96 * 5), batch_size=96, epochs=2, verbose=0)
    assert int(model.g_optimizer.iterations) == 10  # 5 batches x 2 epochs
    assert int(model.d_optimizer.iterations) == 30


class RecordingGAN(VanillaGAN):
    """Records, eagerly, what each D step and G step received."""

    def discriminator_step(self, real, labels):
        self.seen_real.append(real.numpy())
        self.seen_d_noise.append(
            self.latent_noise(tf.shape(real)[0], "d", self.d_optimizer.iterations).numpy()
        )
        super().discriminator_step(real, labels)

    def generator_step(self, real, labels):
        self.g_batch_sizes.append(int(tf.shape(real)[0]))
        super().generator_step(real, labels)


def test_each_d_step_gets_its_own_slice_and_fresh_noise():
    model = RecordingGAN(data_shape=(2,), latent_dim=4, hidden=(8,), seed=0)
    model.seen_real, model.seen_d_noise, model.g_batch_sizes = [], [], []
    model.compile(d_steps=3, run_eagerly=True)
    batch = points(12)
    model.fit(tf.data.Dataset.from_tensors(batch), epochs=1, verbose=0)
    assert len(model.seen_real) == 3
    np.testing.assert_array_equal(np.concatenate(model.seen_real), batch)
    assert model.g_batch_sizes == [4]
    noise = model.seen_d_noise
    assert all(n.shape == (4, 4) for n in noise)
    assert min(np.abs(noise[i] - noise[j]).max() for i in range(3) for j in range(i)) > 0.1


def test_same_seed_same_training_different_seed_different_training():
    data = tf.data.Dataset.from_tensor_slices(points(256)).batch(64)
    runs = []
    for seed in (7, 7, 8):
        keras.utils.set_random_seed(0)  # same initial weights for all three
        model = small_gan(seed=seed)
        model.fit(data, epochs=2, verbose=0)
        runs.append(weights(model))
    assert max(np.abs(a - b).max() for a, b in zip(runs[0], runs[1])) == 0.0
    assert max(np.abs(a - c).max() for a, c in zip(runs[0], runs[2])) > 1e-4


# Every penalty compiles under XLA: the gradient penalties' double backprop included.
XLA_OBJECTIVES = {
    "non_saturating": dict(),
    "wasserstein+gradient_penalty": dict(loss="wasserstein", penalty="gradient_penalty"),
    "least_squares+dragan": dict(loss="least_squares", penalty="dragan"),
    "hinge+r1": dict(loss="hinge", penalty="r1", penalty_weight=5.0),
    "wasserstein+clipping": dict(loss="wasserstein", clip_value=0.05),
}


@pytest.mark.slow
@pytest.mark.parametrize("objective", sorted(XLA_OBJECTIVES))
def test_jit_compile_gives_the_same_update(objective):
    data = tf.data.Dataset.from_tensor_slices(points(128)).batch(64)
    results = []
    for jit in (False, True):
        keras.utils.set_random_seed(0)
        # SGD, not Adam: Adam's first steps are ~lr * sign(grad), which turns
        # float rounding in near-zero gradients into full-size differences.
        model = small_gan(
            d_steps=2,
            jit_compile=jit,
            g_optimizer=keras.optimizers.SGD(0.05),
            d_optimizer=keras.optimizers.SGD(0.05),
            **XLA_OBJECTIVES[objective],
        )
        assert model.jit_compile is jit
        model.fit(data, epochs=1, verbose=0)
        results.append(weights(model))
    assert max(np.abs(a - b).max() for a, b in zip(*results)) < 1e-5


@pytest.mark.slow
def test_gradient_penalty_through_convolutions_compiles_under_xla():
    from tfgan_zoo.gans import WGANGP

    images = np.random.default_rng(0).uniform(-1, 1, (40, 8, 8, 1)).astype("float32")
    results = []
    for jit in (False, True):
        keras.utils.set_random_seed(0)
        model = WGANGP.for_data((8, 8, 1), latent_dim=4, base_filters=4, seed=2)
        model.compile(
            jit_compile=jit,
            g_optimizer=keras.optimizers.SGD(0.01),
            d_optimizer=keras.optimizers.SGD(0.01),
        )
        history = model.fit(images, batch_size=40, epochs=1, verbose=0).history
        assert history["penalty"][0] > 0
        results.append(weights(model))
    assert max(np.abs(a - b).max() for a, b in zip(*results)) < 1e-5


def test_steps_per_execution_gives_the_same_updates():
    """Noise is keyed on the optimizer step, so grouping steps changes nothing."""
    data = tf.data.Dataset.from_tensor_slices(points(64 * 8)).batch(64)
    results = []
    for steps in (1, 4):
        keras.utils.set_random_seed(0)
        model = small_gan(d_steps=2, steps_per_execution=steps)
        assert model.steps_per_execution == steps
        model.fit(data, epochs=1, verbose=0)
        assert int(model.g_optimizer.iterations) == 8
        results.append(weights(model))
    assert max(np.abs(a - b).max() for a, b in zip(*results)) < 1e-6


def test_metrics_report_losses_and_discriminator_probabilities():
    model = small_gan()
    history = model.fit(points(256), batch_size=64, epochs=1, verbose=0).history
    assert set(history) == {"d_loss", "g_loss", "d_real", "d_fake"}
    assert 0.0 < history["d_real"][0] < 1.0 and 0.0 < history["d_fake"][0] < 1.0
    # At initialisation D is near chance: d_loss ~ 2 log 2, g_loss ~ log 2.
    assert history["d_loss"][0] == pytest.approx(2 * np.log(2), abs=0.3)
    assert history["g_loss"][0] == pytest.approx(np.log(2), abs=0.3)


def test_keras_file_round_trip_restores_weights_and_both_optimizers(tmp_path):
    model = small_gan(d_steps=2, label_smoothing=0.1)
    data = tf.data.Dataset.from_tensor_slices(points(256)).batch(64)
    model.fit(data, epochs=1, verbose=0)
    path = tmp_path / "gan.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded) is VanillaGAN
    assert (int(loaded.g_optimizer.iterations), int(loaded.d_optimizer.iterations)) == (4, 8)
    assert loaded.d_steps == 2 and loaded.label_smoothing == 0.1
    assert loaded.seed == model.seed
    for a, b in zip(weights(model), weights(loaded)):
        np.testing.assert_array_equal(a, b)
    for opt_a, opt_b in (
        (model.g_optimizer, loaded.g_optimizer),
        (model.d_optimizer, loaded.d_optimizer),
    ):
        for a, b in zip(opt_a.variables, opt_b.variables):
            np.testing.assert_array_equal(a.numpy(), b.numpy())
    # Restored Adam moments and step counters: one more epoch matches exactly.
    model.fit(data, epochs=1, verbose=0)
    loaded.fit(data, epochs=1, verbose=0)
    assert max(np.abs(a - b).max() for a, b in zip(weights(model), weights(loaded))) < 1e-6


def test_sample_is_deterministic_in_its_seed():
    model = small_gan()
    np.testing.assert_array_equal(model.sample(10, seed=5), model.sample(10, seed=5))
    assert np.abs(model.sample(10, seed=5) - model.sample(10, seed=6)).max() > 1e-3


def test_compile_rejects_bad_settings():
    model = VanillaGAN(hidden=(8,), seed=0)
    with pytest.raises(ValueError, match="d_steps"):
        model.compile(d_steps=0)
    with pytest.raises(ValueError, match="label_smoothing"):
        model.compile(label_smoothing=1.0)
    opt = keras.optimizers.Adam()
    with pytest.raises(ValueError, match="two optimizer objects"):
        model.compile(g_optimizer=opt, d_optimizer=opt)


def test_each_penalty_draw_gets_independent_noise():
    model = small_gan(penalty="dragan")
    draws = []

    def recording_penalty(critic, real, fake, uniform, pack=1):
        draws.extend([uniform(tf.constant([64])), uniform(tf.constant([64]))])
        return tf.constant(0.0)

    model.penalty_fn = recording_penalty
    real = tf.constant(points(8))
    model.discriminator_penalty(real, real, None)
    first, second = (d.numpy() for d in draws)
    assert np.abs(first - second).min() > 0.0
    assert abs(np.corrcoef(first, second)[0, 1]) < 0.35  # independent U(0, 1): ~N(0, 1/64)
    assert 0.0 < min(first.min(), second.min()) and max(first.max(), second.max()) < 1.0


def test_auto_jit_compile_follows_the_measurements():
    """On this CPU XLA measured slower for most variants and 1.3x faster for the
    image WGAN-GP (tools/bench_throughput.py); the saved choice stays "auto"."""
    from tfgan_zoo.gans import DCGAN, WGANGP

    assert not tf.config.list_physical_devices("GPU")
    cases = {
        "dcgan": (DCGAN.for_data((8, 8, 1), latent_dim=4, base_filters=4), False),
        "wgan_gp images": (WGANGP.for_data((8, 8, 1), latent_dim=4, base_filters=4), True),
        "wgan_gp points": (WGANGP.for_data((2,), latent_dim=4, hidden=(4, 4, 4)), False),
    }
    for name, (model, expected) in cases.items():
        model.compile()
        assert model.jit_compile is expected, name
        assert model.get_compile_config()["jit_compile"] == "auto"
    forced = WGANGP.for_data((8, 8, 1), latent_dim=4, base_filters=4)
    forced.compile(jit_compile=False)
    assert forced.jit_compile is False
