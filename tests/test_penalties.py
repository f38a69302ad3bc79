"""Penalties equal their analytic values for a linear critic D(x) = w.x + b."""

import numpy as np
import pytest
import tensorflow as tf

from tfgan_zoo.engine import penalties

W = np.array([3.0, -4.0], np.float32)  # ||w|| = 5
B = 0.7


def linear_critic(x):
    return tf.linalg.matvec(x, tf.constant(W))[:, None] + B


def batch(seed, n=6):
    return tf.constant(np.random.default_rng(seed).normal(size=(n, 2)).astype("float32"))


def test_critic_input_gradients_of_a_linear_critic_are_its_weights():
    grads = penalties.critic_input_gradients(linear_critic, batch(0)).numpy()
    np.testing.assert_allclose(grads, np.tile(W, (6, 1)), rtol=1e-6)


def test_gradient_penalty_is_squared_norm_gap_for_a_linear_critic():
    value = penalties.gradient_penalty(
        linear_critic, batch(0), batch(1), tf.constant(np.linspace(0, 1, 6), tf.float32)
    )
    assert float(value) == pytest.approx((5.0 - 1.0) ** 2, rel=1e-5)


def test_gradient_penalty_for_a_quadratic_critic_uses_the_interpolates():
    # D(x) = 1/2 ||x||^2 has gradient x, so the penalty is mean((||x_hat|| - 1)^2).
    real, fake = batch(2), batch(3)
    eps = np.array([0.0, 0.2, 0.5, 0.7, 0.9, 1.0], np.float32)
    value = penalties.gradient_penalty(
        lambda x: 0.5 * tf.reduce_sum(x * x, axis=1, keepdims=True), real, fake, eps
    )
    x_hat = eps[:, None] * real.numpy() + (1 - eps[:, None]) * fake.numpy()
    expected = np.mean((np.linalg.norm(x_hat, axis=1) - 1.0) ** 2)
    assert float(value) == pytest.approx(expected, rel=1e-5)


def test_interpolates_use_one_epsilon_per_sample_on_images():
    real, fake = tf.ones((2, 3, 3, 1)), tf.zeros((2, 3, 3, 1))
    mixed = penalties.interpolates(real, fake, tf.constant([0.25, 1.0])).numpy()
    np.testing.assert_allclose(mixed[0], 0.25)
    np.testing.assert_allclose(mixed[1], 1.0)


def test_dragan_penalty_for_linear_critic_and_its_perturbed_points():
    real = batch(4)
    noise = tf.fill(real.shape, 0.5)
    alpha = tf.constant([0.0, 1.0, 0.5, 0.5, 0.5, 0.5])
    std = penalties.global_batch_std(real)
    assert float(std) == pytest.approx(np.std(real.numpy()), rel=1e-5)
    points = penalties.dragan_points(real, noise, alpha, std).numpy()
    np.testing.assert_allclose(points[0], real.numpy()[0])  # alpha 0: unperturbed
    np.testing.assert_allclose(points[1], real.numpy()[1] + 0.5 * 0.5 * float(std), rtol=1e-6)
    value = penalties.dragan_penalty(linear_critic, real, noise, alpha, std)
    assert float(value) == pytest.approx(16.0, rel=1e-5)


def test_r1_penalty_is_squared_gradient_norm_on_reals():
    assert float(penalties.r1_penalty(linear_critic, batch(5))) == pytest.approx(25.0, rel=1e-5)
    # D(x) = sum(x^3): gradient 3x^2, squared norm sum(9 x^4).
    real = batch(6)
    value = penalties.r1_penalty(lambda x: tf.reduce_sum(x**3, axis=1), real)
    expected = np.mean(np.sum(9 * real.numpy() ** 4, axis=1))
    assert float(value) == pytest.approx(expected, rel=1e-4)


def test_gradient_norm_penalty_has_a_finite_gradient_at_a_zero_gradient():
    x = batch(7)
    weights = tf.Variable([[0.0], [0.0]])
    with tf.GradientTape() as tape:
        value = penalties.gradient_norm_penalty(lambda p: tf.matmul(p, weights), x)
    grad = tape.gradient(value, weights).numpy()
    assert float(value) == pytest.approx(1.0, rel=1e-5) and np.all(np.isfinite(grad))


def test_clip_weights_keeps_every_value_in_range():
    variables = [tf.Variable([-0.5, 0.003, 0.2]), tf.Variable([[0.009, -0.02]])]
    penalties.clip_weights(variables, 0.01)
    np.testing.assert_allclose(variables[0].numpy(), [-0.01, 0.003, 0.01])
    np.testing.assert_allclose(variables[1].numpy(), [[0.009, -0.01]])


def test_unknown_penalty_lists_choices():
    with pytest.raises(ValueError, match="gradient_penalty"):
        penalties.get_penalty("gp")


# PacGAN packing: D scores packs of m consecutive rows, so the penalised gradient
# is the one over the whole pack, whose squared norm sums its rows'.
PACKED_W = np.array([1.0, 2.0, 2.0, 4.0], np.float32)  # ||w|| = 5; rows' parts: √5, √20


def packed_linear_critic(x):
    return tf.linalg.matvec(tf.reshape(x, [-1, 4]), tf.constant(PACKED_W))[:, None]


def test_packed_gradient_penalty_takes_the_norm_over_the_whole_pack():
    real, fake, eps = batch(0), batch(1), tf.constant([0.1, 0.5, 0.9])
    packed = penalties.gradient_penalty(packed_linear_critic, real, fake, eps, pack=2)
    assert float(packed) == pytest.approx((5.0 - 1.0) ** 2, rel=1e-5)
    # Per-row norms (√5 and √20, what an unpacked penalty would see) give another number.
    per_row = np.mean([(np.sqrt(5.0) - 1) ** 2, (np.sqrt(20.0) - 1) ** 2])
    assert abs(float(packed) - per_row) > 5.0


def test_packed_r1_and_dragan_use_the_pack_gradient():
    real = batch(2)
    assert float(penalties.r1_penalty(packed_linear_critic, real, pack=2)) == pytest.approx(
        25.0, rel=1e-5
    )
    noise, alpha = tf.fill(real.shape, 0.5), tf.constant([0.0, 1.0, 0.5])
    value = penalties.dragan_penalty(
        packed_linear_critic, real, noise, alpha, penalties.global_batch_std(real), pack=2
    )
    assert float(value) == pytest.approx(16.0, rel=1e-5)


def test_a_pack_shares_one_interpolation_and_one_perturbation_weight():
    real, fake = tf.ones((4, 2)), tf.zeros((4, 2))
    mixed = penalties.interpolates(real, fake, tf.constant([0.25, 0.75]), pack=2).numpy()
    np.testing.assert_allclose(mixed[:, 0], [0.25, 0.25, 0.75, 0.75])
    points = penalties.dragan_points(
        tf.zeros((4, 2)), tf.ones((4, 2)), tf.constant([0.0, 1.0]), data_std=2.0, pack=2
    ).numpy()
    np.testing.assert_allclose(points[:, 0], [0.0, 0.0, 1.0, 1.0])  # 1 * 0.5 * 2 * 1


def test_the_engine_penalises_a_packed_discriminator_per_pack():
    from tfgan_zoo.gans import StandardGAN

    model = StandardGAN(data_shape=(2,), latent_dim=2, hidden=(8, 8), pack=2, seed=0)
    model.compile(penalty="r1")
    real = batch(3)
    with tf.GradientTape() as tape:
        tape.watch(real)
        scores = model.discriminator(real, training=True)  # one per pack: [3, 1]
        total = tf.reduce_sum(scores)
    rows = tape.gradient(total, real).numpy()
    expected = np.mean(np.sum((rows**2).reshape(3, 4), axis=1))
    value = model.discriminator_penalty(real, real, None)
    assert scores.shape[0] == 3
    assert float(value) == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("penalty", ["gradient_penalty", "dragan", "r1"])
def test_a_penalty_on_a_batch_normalised_discriminator_is_refused(penalty):
    import keras

    from tfgan_zoo.engine.gan import GAN
    from tfgan_zoo.gans import DCGAN, WGANGP

    with pytest.raises(ValueError, match="discriminator has batch normalisation"):
        DCGAN(image_shape=(8, 8, 1), latent_dim=2, base_filters=4, seed=0).compile(penalty=penalty)
    z, x = keras.Input((2,)), keras.Input((2,))
    generator = keras.Model(z, keras.layers.Dense(2)(z))
    bn_critic = keras.Model(x, keras.layers.Dense(1)(keras.layers.BatchNormalization()(x)))
    with pytest.raises(ValueError, match="batch normalisation"):
        GAN(generator, bn_critic, data_range=None, seed=0).compile(penalty=penalty)
    # Layer norm keeps samples apart: the WGAN-GP critic takes every penalty.
    WGANGP(data_shape=(8, 8, 1), latent_dim=2, base_filters=4, seed=0).compile(penalty=penalty)
