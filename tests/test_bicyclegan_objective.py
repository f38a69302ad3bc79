"""BicycleGAN's objective is Eq. 8 of Zhu et al. (2017): the cVAE-GAN and cLR-GAN
adversarial terms are summed with weight 1 each (as lambda_GAN = lambda_GAN2 = 1
in the authors' code), for G and for D, beside 10·L1 + 0.01·KL + 0.5·latent L1."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import ops

from tfgan_zoo.engine.noise import stateless_normal
from tfgan_zoo.gans import BicycleGAN

N, LATENT = 4, 3


def _model(loss):
    model = BicycleGAN(image_shape=(16, 16, 1), latent_dim=LATENT, base_filters=4, depth=2, seed=5)
    # SGD at rate 1: a step moves each weight by minus its gradient.
    model.compile(
        g_optimizer=keras.optimizers.SGD(1.0), d_optimizer=keras.optimizers.SGD(1.0), loss=loss
    )
    return model


def _pair(seed):
    rng = np.random.default_rng(seed)
    return [tf.constant(rng.uniform(-1, 1, (N, 16, 16, 1)), tf.float32) for _ in range(2)]


def _adversarial_term(loss, logits):
    """One cycle's G term as the authors' code computes it (GANLoss, target 1):
    BCE for the log loss, MSE for least squares."""
    if loss == "least_squares":
        return ops.mean(ops.square(logits - 1.0))
    return ops.mean(ops.softplus(-logits))


def eq8_generator_objective(model, target, source, loss, adversarial_scale=1.0):
    """G and E's objective of Eq. 8 for the first G step's noise, written out:
    (L_GAN^VAE + L_GAN) + 10 L1 + 0.01 KL + 0.5 latent L1; and the two GAN terms."""
    stats = model.encoder(target, training=True)
    mean, log_var = stats[:, :LATENT], stats[:, LATENT:]
    eps = stateless_normal((N, LATENT), model.draw_seed("g_epsilon", 0))
    z_encoded = mean + tf.exp(0.5 * log_var) * eps
    z_random = model.sample_latent(N, model.draw_seed("g_latent", 0))
    sources = tf.concat([source, source], 0)
    fakes = model.generator([sources, tf.concat([z_encoded, z_random], 0)], training=True)
    logits = model.discriminator([fakes, sources], training=True)
    gan_vae = _adversarial_term(loss, logits[:N])
    gan_lr = _adversarial_term(loss, logits[N:])
    l1 = ops.mean(ops.abs(fakes[:N] - target))
    kl = ops.mean(ops.sum(0.5 * (mean**2 + ops.exp(log_var) - 1.0 - log_var), axis=-1))
    recovered = model.encoder(fakes[N:], training=True)[:, :LATENT]
    latent = ops.mean(ops.abs(recovered - z_random))
    total = adversarial_scale * (gan_vae + gan_lr) + 10.0 * l1 + 0.01 * kl + 0.5 * latent
    return total, (float(gan_vae), float(gan_lr))


@pytest.mark.parametrize("loss", ["non_saturating", "least_squares"])
def test_a_generator_step_descends_the_sum_of_both_cycles_gan_terms(loss):
    target, source = _pair(0)
    model = _model(loss)
    variables = model.generator_variables()
    with tf.GradientTape(persistent=True) as tape:
        full, (gan_vae, gan_lr) = eq8_generator_objective(model, target, source, loss)
        halved, _ = eq8_generator_objective(model, target, source, loss, adversarial_scale=0.5)
    expected = tape.gradient(full, variables)
    halved_gradient = tape.gradient(halved, variables)
    before = [v.numpy() for v in variables]
    model.generator_step(target, source)
    taken = [b - v.numpy() for b, v in zip(before, variables)]
    for got, want in zip(taken, expected):
        np.testing.assert_allclose(got, want.numpy(), rtol=1e-4, atol=1e-6)
    # The mean over the stacked 2n fakes (the earlier objective) is measurably off.
    gap = max(float(np.max(np.abs(g - h.numpy()))) for g, h in zip(taken, halved_gradient))
    assert gap > 1e-3
    # g_loss logs the mean of the two terms: at initialisation each is near
    # log 2 = 0.693 (non-saturating) or 1 (MSE, D's scores near 0).
    logged = float(model.g_loss_tracker.result())
    scale = 2.0 if loss == "least_squares" else 1.0  # ours is ½ MSE
    assert logged == pytest.approx((gan_vae + gan_lr) / (2 * scale), rel=1e-5)


@pytest.mark.parametrize("loss", ["non_saturating", "least_squares"])
def test_the_discriminator_loss_is_the_sum_of_both_cycles_losses(loss):
    model = _model(loss)
    rng = np.random.default_rng(1)
    real_out = tf.constant(rng.normal(size=(N, 4, 4, 1)), tf.float32)
    fake_out = tf.constant(rng.normal(size=(2 * N, 4, 4, 1)), tf.float32)
    got = float(model.discriminator_loss(None, None, None, real_out, fake_out))
    real, encoded, random = real_out.numpy(), fake_out.numpy()[:N], fake_out.numpy()[N:]
    if loss == "least_squares":  # ½ E[(D(B) - 1)^2] + ½ E[D(fake)^2] per cycle

        def cycle(fake):
            return 0.5 * np.mean((real - 1) ** 2) + 0.5 * np.mean(fake**2)
    else:  # -E[log D(B)] - E[log(1 - D(fake))] per cycle

        def cycle(fake):
            return np.mean(np.logaddexp(0, -real)) + np.mean(np.logaddexp(0, fake))

    assert got == pytest.approx(cycle(encoded) + cycle(random), rel=1e-5)
    # Twice the engine's single loss over all 2n fakes (their halves are equal-sized).
    single = float(model.adversarial_loss.discriminator(real_out, fake_out))
    assert got == pytest.approx(2 * single, rel=1e-5)
