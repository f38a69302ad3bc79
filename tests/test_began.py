"""BEGAN: the controller and convergence measure, and M_global falling on Fashion-MNIST."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from helpers.learning import record, seed_everything
from helpers.pixels import assert_pixels_of

from tfgan_zoo import recipes
from tfgan_zoo.data import image_dataset, load_fashion_mnist
from tfgan_zoo.engine import losses
from tfgan_zoo.gans import BEGAN
from tfgan_zoo.serving.signatures import generator_output


def test_k_update_and_convergence_measure_closed_forms():
    # gamma L(x) - L(G(z)) = 0.5 * 0.4 - 0.1 = 0.1 -> k + 0.001 * 0.1
    assert float(losses.began_k_update(0.3, 0.4, 0.1, 0.5, 0.001)) == pytest.approx(0.3001)
    assert float(losses.began_k_update(0.0, 0.1, 0.9, 0.5, 0.1)) == 0.0  # clipped below
    assert float(losses.began_k_update(0.99, 0.9, 0.0, 0.5, 0.1)) == 1.0  # clipped above
    assert float(losses.began_convergence(0.4, 0.1, 0.5)) == pytest.approx(0.4 + 0.1)
    assert float(
        losses.began_discriminator_loss(np.array([0.2, 0.4]), np.array([0.1, 0.3]), k=0.5)
    ) == pytest.approx(0.3 - 0.5 * 0.2)


def test_discriminator_scores_are_reconstruction_errors():
    model = BEGAN(image_shape=(8, 8, 1), latent_dim=4, base_filters=4, seed=0)
    images = np.random.default_rng(0).uniform(-1, 1, (3, 8, 8, 1)).astype("float32")
    encoder = model.discriminator.get_layer("encoder")
    decoder = model.discriminator.get_layer("d_decoder")
    expected = np.abs(images - decoder(encoder(images)).numpy()).mean(axis=(1, 2, 3))
    np.testing.assert_allclose(model.discriminator(images).numpy()[:, 0], expected, rtol=1e-5)


def test_z_is_uniform_on_minus_one_one_and_old_files_keep_the_normal_prior():
    """The paper's z ~ U(-1, 1): mean 0, variance 1/3, kurtosis 1.8 (a normal's is 3)."""
    model = BEGAN(image_shape=(8, 8, 1), latent_dim=4, base_filters=4, seed=0)
    assert model.latent_distribution == "uniform"
    for z in (
        model.sample_latent(25_000, tf.constant([3, 4], tf.int64)),
        model.latent_noise(25_000, "d", tf.constant(0, tf.int64)),
    ):  # training draws too
        z = z.numpy().ravel()
        assert -1.0 < z.min() and z.max() < 1.0
        assert abs(z.mean()) < 0.01 and z.var() == pytest.approx(1 / 3, abs=0.005)
        assert np.mean(z**4) / z.var() ** 2 == pytest.approx(1.8, abs=0.03)
    # A config written before the argument existed gets N(0, 1), what it was trained on.
    old = {k: v for k, v in model.get_config().items() if k != "latent_distribution"}
    earlier = BEGAN.from_config(old)
    assert earlier.latent_distribution == "normal"
    z = earlier.sample_latent(25_000, tf.constant([3, 4], tf.int64)).numpy().ravel()
    assert z.var() == pytest.approx(1.0, abs=0.02)
    assert np.mean(z**4) / z.var() ** 2 == pytest.approx(3.0, abs=0.1)
    with pytest.raises(ValueError, match="latent_distribution"):
        BEGAN(latent_distribution="gaussian")


def test_served_samples_draw_z_from_the_models_prior():
    from tfgan_zoo.families.began.began import uniform_latents_for_seeds
    from tfgan_zoo.serving import latents_for_seeds

    z = uniform_latents_for_seeds(np.arange(100), 16).numpy().ravel()
    assert -1.0 < z.min() and z.max() < 1.0 and z.var() == pytest.approx(1 / 3, abs=0.03)
    model = BEGAN(image_shape=(8, 8, 1), latent_dim=4, base_filters=4, seed=0)
    seeds = tf.constant([5, 6], tf.int64)
    served = model.serving_endpoints()["sample"][0](seeds)["images"].numpy()
    assert_pixels_of(served, generator_output(model.generator, uniform_latents_for_seeds(seeds, 4)))
    earlier = BEGAN.from_config(
        {k: v for k, v in model.get_config().items() if k != "latent_distribution"}
    )  # the N(0, 1) prior
    served = earlier.serving_endpoints()["sample"][0](seeds)["images"].numpy()
    assert_pixels_of(served, generator_output(earlier.generator, latents_for_seeds(seeds, 4)))


def test_a_train_step_moves_k_by_its_closed_form_from_the_d_steps_errors():
    """k_1 = clip(k_0 + λ_k (γ L(x) - L(G(z_D))), 0, 1) with both errors measured
    by D before its update, on the D step's real slice and fakes; M_global =
    L(x) + |γ L(x) - L(G(z_D))|."""
    model = BEGAN(
        image_shape=(8, 8, 1), latent_dim=4, base_filters=4, gamma=0.7, lambda_k=0.5, seed=0
    )
    model.compile()
    model.k_t.assign(0.5)
    real = tf.constant(np.random.default_rng(0).uniform(-1, 1, (6, 8, 8, 1)), tf.float32)
    fake = model.generate(model.latent_noise(6, "d", tf.constant(0, tf.int64)))
    real_error = float(tf.reduce_mean(model.discriminator(real)))
    fake_error = float(tf.reduce_mean(model.discriminator(fake)))
    logs = model.train_step(real)
    balance = 0.7 * real_error - fake_error
    assert abs(balance) > 0.01  # the step moves k visibly
    assert float(model.k_t.numpy()) == pytest.approx(np.clip(0.5 + 0.5 * balance, 0, 1), rel=1e-5)
    assert float(logs["m_global"]) == pytest.approx(real_error + abs(balance), rel=1e-5)


@pytest.mark.slow
@pytest.mark.learning
def test_m_global_decreases_on_fashion_mnist_and_k_is_saved(tmp_path):
    """The `cpu-short` recipe, 3 epochs of 25 steps of 32 (z ~ U(-1, 1)): the
    first epoch's mean M_global against the third's.

    Seeds 0-2: M_global 0.81-0.86 -> 0.32-0.33, a ratio of 0.38-0.39.
    Asserted: ratio < 0.8. (`python tools/learning_spread.py --append --seeds 0 1 2
    tests/test_began.py`; docs/learning_spread.json.)
    """
    seed = seed_everything()
    recipe = recipes.resolve("began", "fashion_mnist", "cpu-short")
    images, _ = load_fashion_mnist("train")
    data = image_dataset(images[:12_800], batch_size=recipe.batch_size, seed=seed, repeat=True)
    model = BEGAN(seed=seed, **recipe.model)
    model.compile(**recipes.compile_args(BEGAN, recipe))
    history = model.fit(
        data, epochs=recipe.epochs, steps_per_epoch=recipe.steps_per_epoch, verbose=0
    ).history
    m_global = history["m_global"]
    record(
        m_global_first=m_global[0],
        m_global_last=m_global[-1],
        m_global_ratio=m_global[-1] / m_global[0],
        thresholds=dict(m_global_ratio="< 0.8"),
    )
    assert m_global[-1] < 0.8 * m_global[0]
    k = float(model.k_t.numpy())
    assert 0.0 <= k <= 1.0 and k == pytest.approx(history["k_t"][-1], abs=0.01)
    model.save(tmp_path / "began.keras")
    assert float(keras.models.load_model(tmp_path / "began.keras").k_t.numpy()) == k
