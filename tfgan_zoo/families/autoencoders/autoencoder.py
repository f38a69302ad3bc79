"""Convolutional autoencoders: plain, denoising (Vincent et al. 2008) and sparse.

One class, three switches: `noise_std` corrupts the input with Gaussian noise
while the target stays clean (denoising); `sparsity_target` gives the code
sigmoid units and adds the KL sparsity penalty sum_j KL(rho || rho_hat_j),
rho_hat_j being unit j's mean activation over the batch (sparse); `loss` picks
the reconstruction error ("mse" or "l1"). Images are in [-1, 1].
"""

import keras
import numpy as np
import tensorflow as tf

from tfgan_zoo.engine.fitting import DatasetFit
from tfgan_zoo.engine.noise import draw_seed, stateless_normal
from tfgan_zoo.engine.renames import current_config
from tfgan_zoo.engine.replicas import step_logs
from tfgan_zoo.networks.autoencoder import decoder, encoder
from tfgan_zoo.networks.widths import default_base_filters
from tfgan_zoo.registry import register_model

RECONSTRUCTION = {
    "mse": lambda x, y: tf.reduce_mean(tf.square(x - y)),
    "l1": lambda x, y: tf.reduce_mean(tf.abs(x - y)),
}


def kl_sparsity(activations, target, eps=1e-6):
    """sum_j KL(Bernoulli(target) || Bernoulli(mean activation of unit j))."""
    rho = tf.clip_by_value(tf.reduce_mean(activations, axis=0), eps, 1.0 - eps)
    return tf.reduce_sum(
        target * tf.math.log(target / rho) + (1 - target) * tf.math.log((1 - target) / (1 - rho))
    )


@register_model("autoencoder", kind="baseline")
@keras.saving.register_keras_serializable(package="tfgan_zoo")
class Autoencoder(DatasetFit, keras.Model):
    """Args:
    image_shape: images whose sides divide by 4.
    code_dim: size of the code.
    base_filters: width of the conv nets; None derives it from image_shape
      (`networks.widths.default_base_filters`: 16 up to 64×64).
    loss: reconstruction error, "mse" or "l1".
    noise_std: input noise of the denoising autoencoder (0: none).
    sparsity_target: ρ of the sparse autoencoder, or None for no sparsity term.
    sparsity_weight: weight of the sparsity term.
    seed: seed of the input noise.
    """

    description = (
        "Convolutional autoencoder: plain, denoising or sparse (a non-adversarial baseline)"
    )
    RENAMED = {"filters": "base_filters"}  # 0.1.0
    maps_inputs = True  # it reconstructs images; it has no sampler

    def __init__(
        self,
        image_shape=(28, 28, 1),
        code_dim=32,
        base_filters=None,
        loss="mse",
        noise_std=0.0,
        sparsity_target=None,
        sparsity_weight=1.0,
        seed=0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if loss not in RECONSTRUCTION:
            raise ValueError(f"loss must be one of {sorted(RECONSTRUCTION)}, got {loss!r}")
        if sparsity_target is not None and not 0 < sparsity_target < 1:
            raise ValueError(f"sparsity_target must be in (0, 1), got {sparsity_target}")
        self.image_shape = self.data_shape = tuple(int(v) for v in image_shape)
        self.code_dim = int(code_dim)
        self.base_filters = int(
            default_base_filters(self.image_shape, 16) if base_filters is None else base_filters
        )
        self.loss_name, self.noise_std, self.seed = loss, float(noise_std), int(seed)
        self.sparsity_target, self.sparsity_weight = sparsity_target, float(sparsity_weight)
        self.encoder = encoder(self.image_shape, self.base_filters, self.code_dim)
        self.decoder = decoder(self.code_dim, self.image_shape, self.base_filters)
        self.trackers = {
            name: keras.metrics.Mean(name=name)
            for name in ("loss", "reconstruction", "mean_activation")
        }

    def preview_images(self, n, seed, inputs=None):
        """The first `n // 2` images of `inputs` followed by their reconstructions."""
        images = inputs[0] if isinstance(inputs, (tuple, list)) else inputs
        images = images[: max(n // 2, 1)]
        return np.concatenate([np.asarray(images), np.asarray(self(images))])

    def serving_endpoints(self):
        """`reconstruct`: uint8 images -> decoder(encoder(images)) -> uint8 images."""
        from tfgan_zoo.serving.signatures import translate_function

        return {"reconstruct": translate_function(self, self.data_shape)}

    def serving_trackables(self):
        return [self]

    @property
    def metrics(self):
        return list(self.trackers.values())

    def encode(self, images, training=False):
        code = self.encoder(images, training=training)
        return tf.sigmoid(code) if self.sparsity_target is not None else code

    def call(self, images, training=False):
        return self.decoder(self.encode(images, training), training=training)

    reconstruct = call

    def corrupt(self, images, step):
        """Input noise of the denoising AE: a function of (seed, step)."""
        noise = stateless_normal(tf.shape(images), draw_seed(self.seed, "corruption", step))
        return tf.clip_by_value(images + self.noise_std * noise, -1.0, 1.0)

    def _loss_terms(self, images, training, step=None):
        inputs = self.corrupt(images, step) if (self.noise_std and step is not None) else images
        code = self.encode(inputs, training)
        reconstruction = RECONSTRUCTION[self.loss_name](
            images, self.decoder(code, training=training)
        )
        total = reconstruction
        if self.sparsity_target is not None:
            total += self.sparsity_weight * kl_sparsity(code, self.sparsity_target)
        return total, reconstruction, tf.reduce_mean(code)

    def train_step(self, data):
        images = data[0] if isinstance(data, tuple) else data
        with tf.GradientTape() as tape:
            terms = self._loss_terms(images, True, self.optimizer.iterations)
        variables = self.trainable_variables
        self.optimizer.apply(tape.gradient(terms[0], variables), variables)
        return self._track(terms)

    def test_step(self, data):
        return self._track(self._loss_terms(data[0] if isinstance(data, tuple) else data, False))

    def _track(self, terms):
        for tracker, value in zip(self.trackers.values(), terms):
            tracker.update_state(value)
        return step_logs(self.metrics)

    def get_config(self):
        return dict(
            name=self.name,
            image_shape=self.image_shape,
            code_dim=self.code_dim,
            base_filters=self.base_filters,
            loss=self.loss_name,
            noise_std=self.noise_std,
            sparsity_target=self.sparsity_target,
            sparsity_weight=self.sparsity_weight,
            seed=self.seed,
        )

    @classmethod
    def from_config(cls, config):
        return cls(**current_config(cls, config))
