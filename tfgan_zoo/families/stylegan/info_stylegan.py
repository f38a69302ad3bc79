"""Info-StyleGAN (Nie et al. 2020): StyleGAN whose styles carry factor codes.

What differs from StyleGAN: the mapping network reads [z, c] with c a one-hot
factor code of `categories` values (so every style is conditioned on it); an
encoder E shares all of D's layers but the last and predicts c from an image;
both players also minimise the unsupervised code reconstruction
L_unsup = E‖E(G(z, c)) − c‖², with weight γ (`info_weight`): G in its step,
D and E together in theirs. Style mixing is off by default: a mixed image would
carry two codes. Codes are part of the latent, so a step's codes are redrawn
from its seeded stream where a loss needs them.
"""

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from tfgan_zoo.engine.noise import stateless_normal, stateless_uniform_open, sub_seed
from tfgan_zoo.families.stylegan.networks import head
from tfgan_zoo.families.stylegan.stylegan import StyleGAN
from tfgan_zoo.registry import register_model


def code_reconstruction(predicted, codes, mask=None):
    """Mean over samples of ‖predicted − codes‖²; rows where `mask` is 0 are
    left out (the mean of no rows is 0)."""
    per_sample = ops.sum(ops.square(predicted - ops.cast(codes, predicted.dtype)), axis=-1)
    if mask is None:
        return ops.mean(per_sample)
    mask = ops.cast(mask, per_sample.dtype)
    return ops.sum(per_sample * mask) / ops.maximum(ops.sum(mask), 1.0)


@register_model("info_stylegan", kind="gan")
@keras.saving.register_keras_serializable(package="tfgan_zoo")
class InfoStyleGAN(StyleGAN):
    """Args (the others are StyleGAN's): `noise_dim` (size of z), `categories`
    (values of the factor code), `info_weight` (γ). The latent (and serving `z`)
    is [z, one-hot c], so the model's `latent_dim` is noise_dim + categories and
    `factor_codes` is categories. The argument is `noise_dim`, not `latent_dim`,
    because it sizes only z (the paper's incompressible noise), not the codes."""

    description = (
        "StyleGAN with factor codes in the mapping network and an encoder on D (Nie et al. 2020)"
    )

    def __init__(
        self,
        image_shape=(32, 32, 1),
        noise_dim=64,
        categories=10,
        info_weight=1.0,
        w_dim=64,
        mapping_depth=4,
        filters=None,
        style_mixing=0.0,
        w_avg_decay=0.995,
        mapping_lr_multiplier=0.1,
        mbstd_group_size=4,
        resampling="binomial",
        truncation_cutoff=8,
        seed=None,
        **kwargs,
    ):
        self.noise_dim, self.categories = int(noise_dim), int(categories)
        self.info_weight = float(info_weight)
        for fixed in ("latent_dim", "factor_codes"):  # always noise_dim + categories, categories
            kwargs.pop(fixed, None)
        super().__init__(
            image_shape=image_shape,
            latent_dim=self.noise_dim + self.categories,
            w_dim=w_dim,
            mapping_depth=mapping_depth,
            filters=filters,
            style_mixing=style_mixing,
            w_avg_decay=w_avg_decay,
            mapping_lr_multiplier=mapping_lr_multiplier,
            factor_codes=self.categories,
            mbstd_group_size=mbstd_group_size,
            resampling=resampling,
            truncation_cutoff=truncation_cutoff,
            seed=seed,
            **kwargs,
        )
        self.encoder = head(self.body, self.categories, "encoder")
        self.info_tracker = keras.metrics.Mean(name="info")
        self.code_accuracy_tracker = keras.metrics.Mean(name="code_accuracy")

    @property
    def metrics(self):
        return super().metrics + [self.info_tracker, self.code_accuracy_tracker]

    def discriminator_variables(self):
        # E's own layer; its body is D's and is already in the list.
        return self.discriminator.trainable_variables + self.encoder.layers[-1].trainable_variables

    # ------------------------------------------------------------------ codes
    def compose_latent(self, noise, codes):
        """[z, one-hot c]: the mapping network's input."""
        return tf.concat([noise, tf.one_hot(codes, self.categories, dtype=noise.dtype)], axis=-1)

    def codes_of(self, latent):
        """The code c of latents [z, one-hot c]."""
        return tf.argmax(latent[:, self.noise_dim :], axis=-1, output_type=tf.int32)

    def sample_latent(self, batch_size, seed):
        """z ~ N(0, I) and a uniformly drawn code, a pure function of `seed`."""
        noise = stateless_normal((batch_size, self.noise_dim), seed)
        u = stateless_uniform_open((batch_size,), sub_seed(seed, 1))
        codes = tf.minimum(tf.cast(u * self.categories, tf.int32), self.categories - 1)
        return self.compose_latent(noise, codes)

    def encode(self, images, training=False):
        """E(x): the predicted code vector (argmax: the predicted category)."""
        return self.encoder(images, training=training)

    def _unsupervised(self, images, codes, training=True):
        predicted = self.encode(images, training=training)
        loss = code_reconstruction(predicted, tf.one_hot(codes, self.categories))
        hits = ops.cast(ops.cast(ops.argmax(predicted, axis=-1), "int32") == codes, "float32")
        return loss, ops.mean(hits)

    # ------------------------------------------------------------ engine hooks
    def discriminator_loss(self, real, fake, labels, real_out, fake_out):
        adversarial = super().discriminator_loss(real, fake, labels, real_out, fake_out)
        # The D step's fakes came from latent_noise(n, "d", D step): redraw their codes.
        latent = self.latent_noise(ops.shape(fake)[0], "d", self.d_optimizer.iterations)
        info, _ = self._unsupervised(fake, self.codes_of(latent))
        return adversarial + self.info_weight * info

    def generator_extra_loss(self, real, labels, fake, extras):
        latent = self.latent_noise(ops.shape(fake)[0], "g", self.g_optimizer.iterations)
        info, accuracy = self._unsupervised(fake, self.codes_of(latent))
        self.info_tracker.update_state(info)
        self.code_accuracy_tracker.update_state(accuracy)
        return self.info_weight * info

    # ------------------------------------------------------------------ tools
    def code_grid(self, rows=None, steps=8, seed=0, psi=1.0):
        """Images [rows, steps, H, W, C]: row r holds code r, columns share one z each."""
        rows = self.categories if rows is None else rows
        noise = np.random.default_rng(seed).standard_normal((steps, self.noise_dim))
        noise = np.tile(noise.astype(np.float32), (rows, 1))
        codes = np.repeat(np.arange(rows) % self.categories, steps).astype(np.int32)
        latent = self.compose_latent(tf.constant(noise), tf.constant(codes))
        images = ops.convert_to_numpy(self.styled_generate(latent, psi))
        return images.reshape(rows, steps, *images.shape[1:])

    def constructor_config(self):
        config = super().constructor_config()
        del config["latent_dim"], config["factor_codes"]
        return dict(
            config,
            noise_dim=self.noise_dim,
            categories=self.categories,
            info_weight=self.info_weight,
        )
