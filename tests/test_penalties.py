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
    value = penalties.gradient_penalty(linear_critic, batch(0), batch(1),
                                       tf.constant(np.linspace(0, 1, 6), tf.float32))
    assert float(value) == pytest.approx((5.0 - 1.0) ** 2, rel=1e-5)


def test_gradient_penalty_for_a_quadratic_critic_uses_the_interpolates():
    # D(x) = 1/2 ||x||^2 has gradient x, so the penalty is mean((||x_hat|| - 1)^2).
    real, fake = batch(2), batch(3)
    eps = np.array([0.0, 0.2, 0.5, 0.7, 0.9, 1.0], np.float32)
    value = penalties.gradient_penalty(
        lambda x: 0.5 * tf.reduce_sum(x * x, axis=1, keepdims=True), real, fake, eps)
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
    value = penalties.r1_penalty(lambda x: tf.reduce_sum(x ** 3, axis=1), real)
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
