"""BicycleGAN (Zhu et al. 2017, "Toward multimodal image-to-image translation").

What differs from pix2pix: G(A, z) takes a latent code (tiled onto the source),
and an encoder E maps a target B to q(z | B). Each G step trains G and E on two
cycles at once:
  cVAE-GAN  B -> z ~ E(B) -> G(A, z) ≈ B: λ_img·L1 + λ_kl·KL(q(z|B) || N(0, I)) + GAN
  cLR-GAN   z ~ N(0, I) -> G(A, z) -> E's mean ≈ z: λ_latent·L1 + GAN
D (a PatchGAN on (source, image)) sees both kinds of fakes. The objective is
the paper's Eq. 8: the two cycles' adversarial terms are summed with weight 1
each, for G and for D (the authors' code: lambda_GAN = lambda_GAN2 = 1, and with
one shared D its two losses add up before the step). Paper weights: λ_img = 10,
λ_kl = 0.01, λ_latent = 0.5.

Remaining differences from the paper and its code (junyanz/BicycleGAN):
- one D judges both kinds of fakes (the code's `--use_same_D`); the paper and
  the code's default train a separate D for each cycle. One D keeps the
  saved-file layout of earlier versions.
- D judges (source, image) pairs (the code's `--conditional_D`; its default D
  sees the image alone), and the engine's default loss is the non-saturating
  one; the paper uses least squares (`compile(loss="least_squares")`, as the
  `paper` recipe does).
- both cycles use the same (A, B) pairs of a batch; the code splits each batch
  in two halves, one per cycle.
- the latent L1 also updates E (the paper and code stop it at E and update G
  only with it).
- networks are sized for 28x28 images (U-Net of `depth` levels, a small
  convolutional E; the paper's E is a ResNet, its D multi-scale).
"""

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from tfgan_zoo.engine.noise import stateless_normal
from tfgan_zoo.families.translators.base import PairedTranslator
from tfgan_zoo.families.translators.networks import (
    latent_encoder,
    patch_discriminator,
    unet_generator,
)
from tfgan_zoo.families.translators.serving import seeded_translate_function
from tfgan_zoo.registry import register_model


@register_model("bicyclegan", kind="translator")
@keras.saving.register_keras_serializable(package="tfgan_zoo")
class BicycleGAN(PairedTranslator):
    """Args:
    image_shape: shape of source and target images (sides divisible by 2**depth).
    latent_dim: size of z.
    base_filters, depth: U-Net width (also E's and the PatchGAN's) and levels.
    d_downsamplings: PatchGAN stride-2 layers.
    image_weight, kl_weight, latent_weight: λ_img, λ_kl, λ_latent.
    seed: seed of the training noise (z and E's samples).
    """

    description = (
        "Multimodal paired translation: G(A, z), encoder E, cVAE-GAN + cLR-GAN (Zhu et al. 2017)"
    )
    generator_networks = ("generator", "encoder")  # E trains with G, on G's optimizer

    def __init__(
        self,
        image_shape=(28, 28, 1),
        latent_dim=8,
        base_filters=32,
        depth=2,
        d_downsamplings=1,
        image_weight=10.0,
        kl_weight=0.01,
        latent_weight=0.5,
        seed=None,
        **kwargs,
    ):
        image_shape = tuple(image_shape)
        self.base_filters, self.depth = int(base_filters), int(depth)
        self.d_downsamplings = int(d_downsamplings)
        self.image_weight, self.kl_weight = float(image_weight), float(kl_weight)
        self.latent_weight = float(latent_weight)
        self.encoder = latent_encoder(image_shape, self.base_filters, int(latent_dim))
        super().__init__(
            generator=unet_generator(
                image_shape, self.base_filters, self.depth, dropout=0.0, latent_dim=int(latent_dim)
            ),
            discriminator=patch_discriminator(image_shape, self.base_filters, self.d_downsamplings),
            image_shape=image_shape,
            latent_dim=int(latent_dim),
            seed=seed,
            **kwargs,
        )
        self.l1_tracker = keras.metrics.Mean(name="l1")
        self.kl_tracker = keras.metrics.Mean(name="kl")
        self.latent_tracker = keras.metrics.Mean(name="latent_l1")

    @property
    def metrics(self):
        return super().metrics + [self.l1_tracker, self.kl_tracker, self.latent_tracker]

    @property
    def adversarial_weight(self):
        """G's fakes are the two cycles' n + n stacked, so the engine's loss is their
        mean, ½(L_GAN^VAE + L_GAN): x2 makes it Eq. 8's sum (g_loss logs the mean).
        The least-squares G loss here is ½ MSE, the authors' code's the MSE: x2 more."""
        least_squares = getattr(self, "adversarial_loss", None) is not None and (
            self.adversarial_loss.name == "least_squares"
        )
        return 4.0 if least_squares else 2.0

    def discriminator_loss(self, real, fake, labels, real_out, fake_out):
        """D's loss against each cycle's fakes, summed (Eq. 8): D(B) is scored
        in both terms, as when the authors' code steps one shared D on both."""
        encoded_out, random_out = ops.split(fake_out, 2)
        return super().discriminator_loss(
            real, fake, labels, real_out, encoded_out
        ) + super().discriminator_loss(real, fake, labels, real_out, random_out)

    def generate(self, z, labels=None, training=False):
        return self.generator([labels, z], training=training)

    def encode(self, images, training=False):
        """(mean, log variance) of q(z | images)."""
        stats = self.encoder(images, training=training)
        return stats[:, : self.latent_dim], stats[:, self.latent_dim :]

    def _two_cycles(self, target, source, phase, counter, training):
        """Fakes of both cycles of a D ("d") or G ("g") step, stacked:
        G(A, z ~ E(B)) then G(A, z ~ N(0, I))."""
        n = tf.shape(target)[0]
        mean, log_var = self.encode(target, training=training)
        eps = self.replica_noise(
            stateless_normal, tf.stack([n, self.latent_dim]), f"{phase}_epsilon", counter
        )
        z_encoded = mean + tf.exp(0.5 * log_var) * eps
        z_random = self.latent_noise(n, phase, counter)
        fakes = self.generate(
            tf.concat([z_encoded, z_random], 0), tf.concat([source, source], 0), training=True
        )
        return fakes, tf.concat([source, source], 0), (mean, log_var, z_random)

    def discriminator_fakes(self, real, labels):
        fakes, conditions, _ = self._two_cycles(
            real, labels, "d", self.d_optimizer.iterations, training=False
        )
        return fakes, conditions

    def generator_fakes(self, real, labels):
        return self._two_cycles(real, labels, "g", self.g_optimizer.iterations, training=True)

    def generator_extra_loss(self, real, labels, fake, extras):
        mean, log_var, z_random = extras
        n = tf.shape(real)[0]
        fake_encoded, fake_random = fake[:n], fake[n:]
        l1 = ops.mean(ops.abs(fake_encoded - real))
        kl = ops.mean(ops.sum(0.5 * (ops.square(mean) + ops.exp(log_var) - 1.0 - log_var), axis=-1))
        recovered, _ = self.encode(fake_random, training=True)
        latent = ops.mean(ops.abs(recovered - z_random))
        self.l1_tracker.update_state(l1)
        self.kl_tracker.update_state(kl)
        self.latent_tracker.update_state(latent)
        return self.image_weight * l1 + self.kl_weight * kl + self.latent_weight * latent

    def serving_endpoints(self):
        """`translate`: uint8 images and an int64 seed per image, whose latent code
        the output is drawn with -> uint8 images."""
        return {
            "translate": seeded_translate_function(
                self.inference_network(), self.image_shape, self.latent_dim
            )
        }

    def translate_batch(self, sources, seed=0):
        """One output per source, with latent codes drawn from `seed` (row i uses
        the code of seed + i, as the serving signature does)."""
        from tfgan_zoo.serving.signatures import latents_for_seeds

        n = int(sources.shape[0])
        z = latents_for_seeds(np.arange(seed, seed + n), self.latent_dim)
        return self.inference_network()([sources, z], training=False)

    def sample_outputs(self, source, count=8, seed=0):
        """`count` outputs for one source image, each from its own latent code."""
        source = np.asarray(source)[None]
        return self.translate(np.repeat(source, count, axis=0), seed=seed)
