"""BigGAN (Brock et al. 2019), sized for small images.

What differs from the engine: class-conditional batch norm driven by a shared
class embedding and chunks of z, a self-attention block, residual blocks,
spectral norm (Miyato et al.'s reparameterisation W/σ(W), one power iteration
per training call; `tfgan_zoo.networks.spectral`) on every layer of G and D
except G's shared embedding, D ending in global sum pooling and a projection,
hinge loss, two D steps per G step, Adam(5e-5 / 2e-4, β = (0, 0.999)) (the
paper's rates, appendix C), BigGAN's orthogonal regularisation
β·Σ‖WᵀW ⊙ (1 − I)‖²_F on G's kernels (β = 1e-4), a moving average of G
(engine option) and the truncation trick at sampling.

Differences from the paper that remain, on purpose:
- sized for small images: two residual blocks per network, widths 32/64 (the
  paper: 4-6 blocks from 96 channels up), one attention block in each.
- at inference spectral norm divides by ‖W u‖ at the stored u (no power step;
  the authors' code takes one without storing it); both meet σ once u converges.
- the moving average defaults to decay 0.999 from the first step (with the
  engine's warm-up) so that short runs sample from it; the `paper` recipe sets
  the paper's 0.9999 from step 20k (`ema_start`, the authors' launch scripts).
- the default batch is 64, not 2048; short CPU runs learn the classes at
  Adam(1e-3, β = (0, 0.999)) for both players (the `cpu-short` recipe).
- orthogonal regularisation applies to every G kernel with more than one output
  (as the authors' code, which leaves out only the shared embedding).

Files saved before `spectral_norm` and `d_pooling` existed load as they were
built: Keras' `SpectralNormalization` (projected: W/σ written into the kernel,
σ held fixed in the gradient), no normalisation of D's class embedding or G's
output conv, and average pooling in D (`EARLIER_DEFAULTS`).
"""

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from tfgan_zoo.data.pipeline import unscale_images
from tfgan_zoo.engine import GAN
from tfgan_zoo.engine.noise import draw_seed, stateless_uniform_open
from tfgan_zoo.engine.validation import checked_sample_request
from tfgan_zoo.families.biggan.networks import biggan_discriminator, biggan_generator
from tfgan_zoo.networks.spectral import SpectralNormalized
from tfgan_zoo.networks.widths import default_base_filters
from tfgan_zoo.registry import register_model
from tfgan_zoo.serving.signatures import checked_latents


def orthogonal_penalty(kernels):
    """Σ over kernels of ‖WᵀW ⊙ (1 − I)‖²_F, W reshaped to [fan_in, out]."""
    total = 0.0
    for kernel in kernels:
        w = ops.reshape(kernel, (-1, kernel.shape[-1]))
        gram = ops.matmul(ops.transpose(w), w)
        off_diagonal = gram * (1.0 - ops.eye(kernel.shape[-1], dtype=gram.dtype))
        total += ops.sum(ops.square(off_diagonal))
    return total


def truncate_uniform(u, threshold):
    """Uniforms u in (0, 1) -> N(0, 1) restricted to [-t, t], exactly (inverse
    CDF of a uniform on [Φ(-t), Φ(t)]); `threshold` broadcasts against u."""
    low = 0.5 * (1.0 + tf.math.erf(-tf.cast(threshold, tf.float32) / np.sqrt(2.0)))
    return tf.math.ndtri(low + u * (1.0 - 2.0 * low))


def truncated_normal(shape, seed, threshold):
    """Truncated N(0, 1) draws from the engine's stateless uniforms."""
    return truncate_uniform(stateless_uniform_open(shape, seed), threshold)


def truncated_latents_for_seeds(seeds, latent_dim, thresholds):
    """One truncated latent per int64 seed and threshold (row i depends on
    seeds[i] and thresholds[i] only): the serving `sample_truncated` latents."""

    def one(args):
        seed, threshold = args
        u = stateless_uniform_open([latent_dim], draw_seed(seed, "serving_truncated"))
        return truncate_uniform(u, threshold)

    return tf.map_fn(
        one,
        (tf.cast(seeds, tf.int64), tf.cast(thresholds, tf.float32)),
        fn_output_signature=tf.TensorSpec([latent_dim], tf.float32),
    )


@register_model("biggan", kind="gan")
@keras.saving.register_keras_serializable(package="tfgan_zoo")
class BigGAN(GAN):
    """Args:
    image_shape: images whose sides divide by 4.
    num_classes: number of classes (BigGAN is class-conditional).
    latent_dim: size of z, a multiple of 3 (one chunk for the input, one per block).
    base_filters: width of the residual blocks (G's first block has twice it);
      None derives it from image_shape (`networks.widths.default_base_filters`:
      32 up to 64×64).
    embedding_dim: size of the shared class embedding.
    attention: whether G and D have a self-attention block.
    orthogonal_weight: β of the orthogonal regularisation.
    spectral_norm: "reparameterized" (W/σ(W) in the forward pass, the paper's) or
      "keras" (0.1.0's networks: `keras.layers.SpectralNormalization`, which
      writes W/σ into the kernel; not on D's class embedding or G's output).
    d_pooling: D's pooling over positions before its head, "sum" (the paper's)
      or "average" (0.1.0's).
    """

    description = "Conditional BN, self-attention, SN, hinge, orthogonal reg., EMA, truncation (Brock et al. 2019)"
    conditional = True

    RENAMED = {"filters": "base_filters"}  # 0.1.0
    EARLIER_DEFAULTS = {"spectral_norm": "keras", "d_pooling": "average"}  # 0.1.0

    def __init__(
        self,
        image_shape=(28, 28, 1),
        num_classes=10,
        latent_dim=48,
        base_filters=None,
        embedding_dim=32,
        attention=True,
        orthogonal_weight=1e-4,
        spectral_norm="reparameterized",
        d_pooling="sum",
        seed=None,
        **kwargs,
    ):
        self.image_shape = image_shape = tuple(int(v) for v in image_shape)
        self.base_filters = int(
            default_base_filters(image_shape, 32) if base_filters is None else base_filters
        )
        self.embedding_dim = int(embedding_dim)
        self.attention, self.orthogonal_weight = bool(attention), float(orthogonal_weight)
        self.spectral_norm, self.d_pooling = spectral_norm, d_pooling
        super().__init__(
            generator=biggan_generator(
                image_shape,
                int(latent_dim),
                int(num_classes),
                self.base_filters,
                self.embedding_dim,
                self.attention,
                spectral_norm,
            ),
            discriminator=biggan_discriminator(
                image_shape,
                int(num_classes),
                self.base_filters,
                self.attention,
                spectral_norm,
                d_pooling,
            ),
            latent_dim=int(latent_dim),
            num_classes=int(num_classes),
            seed=seed,
            **kwargs,
        )
        self.orthogonal_tracker = keras.metrics.Mean(name="orthogonal")

    @classmethod
    def for_data(cls, data_shape, num_classes=None, **kwargs):
        if num_classes is None:
            raise ValueError("BigGAN is class-conditional: it needs labelled data.")
        return cls(image_shape=data_shape, num_classes=num_classes, **kwargs)

    @classmethod
    def default_compile_args(cls):
        return dict(
            super().default_compile_args(),
            g_optimizer=keras.optimizers.Adam(5e-5, beta_1=0.0, beta_2=0.999),
            d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.0, beta_2=0.999),
            loss="hinge",
            d_steps=2,
            ema_decay=0.999,
        )

    @property
    def metrics(self):
        return super().metrics + [self.orthogonal_tracker]

    def spectral_layers(self, network):
        """The spectrally normalised layers of `network` (either kind)."""
        return [
            layer
            for layer in network._flatten_layers()
            if isinstance(layer, (SpectralNormalized, keras.layers.SpectralNormalization))
        ]

    def generator_extra_loss(self, real, labels, fake, extras):
        # On the variable W (raw W when reparameterised), as the authors' code.
        kernels = [
            layer.kernel
            for layer in self.spectral_layers(self.generator)
            if len(layer.kernel.shape) > 1 and layer.kernel.shape[-1] > 1
        ]
        penalty = orthogonal_penalty(kernels)
        self.orthogonal_tracker.update_state(penalty)
        return self.orthogonal_weight * penalty

    def sample(self, n, labels=None, seed=0, batch_size=256, truncation=None):
        """Samples as `GAN.sample`; with `truncation` t, z is drawn from N(0, 1)
        restricted to [-t, t] (the truncation trick: less variety, more fidelity)."""
        if truncation is None:
            return super().sample(n, labels, seed, batch_size)
        n, labels = checked_sample_request(n, labels, self.num_classes)
        z = truncated_normal(
            (n, self.latent_dim), self.draw_seed("sample", seed), float(truncation)
        )
        return self.samples_from(z, labels, batch_size)

    def serving_endpoints(self):
        """The image GAN's signatures and `sample_truncated`: seed int64 [batch],
        label int32 [batch] and truncation float32 [batch] (> 0) -> uint8 images,
        z truncated per row."""
        specs = [
            tf.TensorSpec([None], tf.int64, name="seed"),
            tf.TensorSpec([None], tf.int32, name="label"),
            tf.TensorSpec([None], tf.float32, name="truncation"),
        ]
        generate = self.inference_generate()

        def sample_truncated(seed, label, truncation):
            checks = [
                tf.debugging.assert_positive(truncation, message="truncation must be > 0"),
                tf.debugging.assert_equal(
                    tf.shape(truncation),
                    tf.shape(seed),
                    message="truncation must have one entry per seed",
                ),
            ]
            with tf.control_dependencies(checks):
                z = truncated_latents_for_seeds(seed, self.latent_dim, truncation)
            z, label = checked_latents(z, label, self.num_classes, self.latent_dim)
            return {"images": unscale_images(generate(z, label))}

        return {**super().serving_endpoints(), "sample_truncated": (sample_truncated, specs)}

    def serving_trackables(self):
        return super().serving_trackables() + [self]

    def constructor_config(self):
        return dict(
            name=self.name,
            image_shape=self.image_shape,
            num_classes=self.num_classes,
            latent_dim=self.latent_dim,
            base_filters=self.base_filters,
            embedding_dim=self.embedding_dim,
            attention=self.attention,
            orthogonal_weight=self.orthogonal_weight,
            spectral_norm=self.spectral_norm,
            d_pooling=self.d_pooling,
            seed=self.seed,
        )
