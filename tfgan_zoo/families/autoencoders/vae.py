"""Variational autoencoder (Kingma & Welling 2014), optionally class-conditional.

q(z|x) is a diagonal Gaussian from a conv encoder; z = mu + sigma * eps (the
reparameterization trick keeps the sample differentiable in mu and sigma);
p(x|z) is a Gaussian around the decoder's image with one learned scale, so the
reconstruction term is a true log-likelihood and needs no hand-tuned weight.
Training maximises the ELBO = E_q[log p(x|z)] - KL(q(z|x) || N(0, I)); the
logged `loss` is -ELBO per image (nats), with `reconstruction` and `kl`.

It shares the GAN conventions: `sample(n, labels, seed)`, `generate(z, labels)`,
`latent_dim`, `num_classes`, images in [-1, 1], so metrics, latent tools and
export treat it like a generator.
"""

import math

import keras
import numpy as np
import tensorflow as tf

from tfgan_zoo.engine.fitting import DatasetFit
from tfgan_zoo.engine.noise import draw_seed, stateless_normal
from tfgan_zoo.engine.renames import current_config
from tfgan_zoo.engine.replicas import step_logs
from tfgan_zoo.engine.validation import checked_sample_request
from tfgan_zoo.networks.autoencoder import decoder, encoder
from tfgan_zoo.networks.widths import default_base_filters
from tfgan_zoo.registry import register_model


@register_model("vae", kind="baseline")
@keras.saving.register_keras_serializable(package="tfgan_zoo")
class VAE(DatasetFit, keras.Model):
    """Args:
    image_shape: images whose sides divide by 4.
    latent_dim: size of z.
    base_filters: width of the encoder and decoder; None derives it from
      image_shape (`networks.widths.default_base_filters`: 32 up to 64×64).
    num_classes: labels for a conditional VAE, else None.
    seed: seed of the reparameterization noise in training.
    """

    description = "Variational autoencoder, conditional with num_classes (Kingma & Welling 2014)"
    RENAMED = {"filters": "base_filters"}  # 0.1.0

    def __init__(
        self,
        image_shape=(28, 28, 1),
        latent_dim=16,
        base_filters=None,
        num_classes=None,
        seed=0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        # `data_shape` too: the name the GANs' sample and serving code reads.
        self.image_shape = self.data_shape = tuple(int(v) for v in image_shape)
        self.base_filters = int(
            default_base_filters(self.image_shape, 32) if base_filters is None else base_filters
        )
        self.latent_dim, self.seed = int(latent_dim), int(seed)
        self.num_classes = None if num_classes is None else int(num_classes)
        extra = self.num_classes or 0
        self.encoder = encoder(self.image_shape, self.base_filters, code_dim=4 * self.latent_dim)
        self.posterior = keras.layers.Dense(2 * self.latent_dim, name="posterior")
        self.posterior.build((None, 4 * self.latent_dim + extra))
        self.generator = decoder(self.latent_dim + extra, self.image_shape, self.base_filters)
        # log sigma of p(x|z), one scalar: learned with the ELBO.
        self.log_scale = self.add_weight(shape=(), initializer="zeros", name="log_scale")
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.reconstruction_tracker = keras.metrics.Mean(name="reconstruction")
        self.kl_tracker = keras.metrics.Mean(name="kl")
        self.built = True  # every sub-network is built above; export needs this

    @property
    def metrics(self):
        return [self.loss_tracker, self.reconstruction_tracker, self.kl_tracker]

    def _one_hot(self, labels):
        return tf.one_hot(tf.cast(labels, tf.int32), self.num_classes)

    def encode(self, images, labels=None, training=False):
        """(mean, log variance) of q(z|x), each [batch, latent_dim]."""
        h = self.encoder(images, training=training)
        if self.num_classes is not None:
            h = tf.concat([h, self._one_hot(labels)], axis=1)
        mean, log_var = tf.split(self.posterior(h), 2, axis=1)
        return mean, log_var

    def generate(self, z, labels=None, training=False):
        """Decoder mean image in [-1, 1] for latents `z` (the GAN generator's role)."""
        if self.num_classes is not None:
            z = tf.concat([z, self._one_hot(labels)], axis=1)
        return self.generator(z, training=training)

    decode = generate

    def call(self, inputs, training=False):
        images, labels = inputs if self.num_classes is not None else (inputs, None)
        mean, _ = self.encode(images, labels, training)
        return self.generate(mean, labels, training)

    def elbo_terms(self, images, labels=None, eps=None, training=False):
        """(reconstruction NLL, KL), each [batch] in nats."""
        mean, log_var = self.encode(images, labels, training)
        eps = tf.random.normal(tf.shape(mean)) if eps is None else eps
        z = mean + tf.exp(0.5 * log_var) * eps
        reconstruction = self.generate(z, labels, training)
        dims = float(np.prod(self.data_shape))
        squared = tf.reduce_sum(
            tf.reshape(tf.square(images - reconstruction), [tf.shape(images)[0], -1]), axis=1
        )
        nll = 0.5 * squared * tf.exp(-2.0 * self.log_scale) + dims * (
            self.log_scale + 0.5 * math.log(2 * math.pi)
        )
        kl = 0.5 * tf.reduce_sum(tf.exp(log_var) + tf.square(mean) - 1.0 - log_var, axis=1)
        return nll, kl

    def _split(self, data):
        if self.num_classes is None:
            return (data[0] if isinstance(data, tuple) else data), None
        return data[0], data[1]

    def train_step(self, data):
        images, labels = self._split(data)
        step = tf.cast(self.optimizer.iterations, tf.int64)
        eps = stateless_normal(
            [tf.shape(images)[0], self.latent_dim], draw_seed(self.seed, "epsilon", step)
        )
        with tf.GradientTape() as tape:
            nll, kl = self.elbo_terms(images, labels, eps, training=True)
            loss = tf.reduce_mean(nll + kl)
        variables = self.trainable_variables
        self.optimizer.apply(tape.gradient(loss, variables), variables)
        return self._track(nll, kl)

    def test_step(self, data):
        images, labels = self._split(data)
        return self._track(*self.elbo_terms(images, labels))

    def _track(self, nll, kl):
        self.loss_tracker.update_state(nll + kl)
        self.reconstruction_tracker.update_state(nll)
        self.kl_tracker.update_state(kl)
        return step_logs(self.metrics)

    def sample_latent(self, batch_size, seed):
        return stateless_normal((batch_size, self.latent_dim), seed)

    def sample(self, n, labels=None, seed=0, batch_size=256):
        """`n` decoder means for z ~ N(0, I), NumPy [-1, 1], deterministic in `seed`."""
        if self.num_classes is not None and labels is None:
            raise ValueError("a conditional VAE needs `labels` to sample")
        n, labels = checked_sample_request(n, labels, self.num_classes)
        if n == 0:
            return np.zeros((0, *self.data_shape), np.float32)
        z = self.sample_latent(n, draw_seed(self.seed, "sample", seed))
        out = [
            self.generate(
                z[i : i + batch_size],
                None if labels is None else np.asarray(labels)[i : i + batch_size],
            )
            for i in range(0, n, batch_size)
        ]
        return keras.ops.convert_to_numpy(tf.concat(out, axis=0))

    def serving_endpoints(self):
        """generate, sample and png from the decoder, `encode` (uint8 images (+ label)
        -> posterior mean and log variance) and `decode` (= generate)."""
        from tfgan_zoo.serving.signatures import encoder_functions, image_generator_functions

        endpoints = image_generator_functions(
            self.generate, self.data_shape, self.latent_dim, self.num_classes
        )
        return {**endpoints, **encoder_functions(self), "decode": endpoints["generate"]}

    def serving_trackables(self):
        return [self.generator, self]  # the decoder, and the encoder's layers

    def get_config(self):
        return dict(
            name=self.name,
            image_shape=self.image_shape,
            latent_dim=self.latent_dim,
            base_filters=self.base_filters,
            num_classes=self.num_classes,
            seed=self.seed,
        )

    @classmethod
    def from_config(cls, config):
        return cls(**current_config(cls, config))
