"""The translators' base: `Translator` (all three) and `PairedTranslator`
(pix2pix, BicycleGAN).

`Translator` subclasses the engine's `GAN` rather than being a model of its
own: `compile` (one G and one D optimizer, the adversarial loss, loss scaling,
XLA choice, EMA), `fit` (the data check, exact resume from `.keras`
checkpoints), seeded per-replica noise streams and the replica scaling of
losses are the engine's, and would otherwise be copied. What a translator adds
is explicit networks, declared by name: `generator_networks` are trained by
`g_optimizer` and `discriminator_networks` by `d_optimizer` (CycleGAN: G and F
share the G optimizer, D_A and D_B the D one, as in the paper). The engine's
`generator` and `discriminator` are the pair that translates in the default
direction (CycleGAN: G = g_ab and its judge D_B) and that the engine's own D
and G steps train; CycleGAN, whose step trains two such pairs at once, writes
its two steps with the engine's pieces (augmentation, penalty, loss, replica
scaling) instead of packing its networks into one.

Arguments are named alike across translators (`image_shape`, `base_filters`,
`d_base_filters`, `blocks`, `depth`, `d_downsamplings`, `latent_dim`, `seed`),
each kept in the attribute of that name, and `get_config` returns exactly
them. Configs saved under the names of 0.1.0 (`filters`, `d_filters`) still load
(`RENAMED`, applied by `from_config`).

Paired data are `(source, target)` batches, Keras' (x, y): the target is the
real sample D must tell from G's output, and the source is the condition both
networks see (G translates it; D judges (source, image) pairs). Both images
are checked before training like any sample (shape, range, finite values).
"""

import inspect

import numpy as np
import tensorflow as tf

from tfgan_zoo.data.pipeline import scale_images, unscale_images
from tfgan_zoo.engine import GAN
from tfgan_zoo.engine.replicas import replica_context
from tfgan_zoo.engine.validation import DataValidationError, validate_training_data
from tfgan_zoo.families.translators.networks import patch_receptive_field
from tfgan_zoo.families.translators.serving import translate_function


class Translator(GAN):
    """An image-to-image model on the engine, with named networks.

    Args:
      generator, discriminator: the engine's pair (see the module docstring).
      image_shape: shape of one image.
      latent_dim: size of G's latent code (0: none).
      seed: seed of all training noise; drawn at random when None, and kept in
        `seed` so that the saved config replays it.
    """

    RENAMED = {"filters": "base_filters", "d_filters": "d_base_filters"}  # 0.1.0
    generator_networks = ("generator",)  # trained by g_optimizer, in this order
    discriminator_networks = ("discriminator",)  # trained by d_optimizer

    def __init__(self, generator, discriminator, image_shape, latent_dim=0, seed=None, **kwargs):
        self.image_shape = tuple(image_shape)
        super().__init__(generator, discriminator, latent_dim=latent_dim, seed=seed, **kwargs)

    default_dataset = "edges"  # a paired task (`tfgan_zoo.data.translation_tasks`)
    maps_inputs = True

    @classmethod
    def for_data(cls, data_shape, num_classes=None, **kwargs):
        return cls(image_shape=data_shape, **kwargs)

    def preview_images(self, n, seed, inputs=None):
        """`n // 2` sources of the batch `inputs` followed by their translations."""
        sources = np.asarray(inputs[0])[: max(n // 2, 1)]
        return np.concatenate([sources, self.translate(sources)])

    def constructor_config(self):
        """Every argument of the class's constructor, from the attribute of its name."""
        names = [
            p
            for p in inspect.signature(type(self).__init__).parameters
            if p not in ("self", "kwargs")
        ]
        return dict(name=self.name, **{p: getattr(self, p) for p in names})

    # ------------------------------------------------------------- networks
    @property
    def networks(self):
        """{name: network}, generators first."""
        return {
            name: getattr(self, name)
            for name in self.generator_networks + self.discriminator_networks
        }

    def generator_variables(self):
        return [
            v for name in self.generator_networks for v in getattr(self, name).trainable_variables
        ]

    def discriminator_variables(self):
        return [
            v
            for name in self.discriminator_networks
            for v in getattr(self, name).trainable_variables
        ]

    def network_losses(self, names):
        """The regularisation losses the named networks add (0.0 for none)."""
        return sum(loss for name in names for loss in getattr(self, name).losses)

    @staticmethod
    def replica_scaled(optimizer, loss):
        """`loss` as the optimizer must differentiate it: divided by the replica
        count (gradients are summed over replicas) and loss-scaled for float16."""
        _, num_replicas = replica_context()
        return optimizer.scale_loss(loss / num_replicas)

    @property
    def receptive_field(self):
        """Side in pixels of the patch each D logit judges."""
        return patch_receptive_field(self.d_downsamplings)

    # ------------------------------------------------------------ inference
    def translate(self, images, batch_size=256, **kwargs):
        """Outputs for uint8 or [-1, 1] images, as [-1, 1] float32 numpy; `kwargs`
        go to `translate_batch` (BicycleGAN's `seed`, CycleGAN's `direction`)."""
        return self._images_through(
            lambda batch: self.translate_batch(batch, **kwargs), images, batch_size
        )

    def translate_uint8(self, images, **kwargs):
        return unscale_images(self.translate(images, **kwargs))

    def _images_through(self, fn, images, batch_size=256):
        """`fn` on float32 [-1, 1] batches of `images`, as one [-1, 1] numpy array."""
        images = np.asarray(images)
        if images.dtype == np.uint8:
            images = scale_images(images)
        if images.shape[1:] != tuple(self.image_shape):
            raise ValueError(
                f"images must have shape {tuple(self.image_shape)}; found {images.shape[1:]}"
            )
        return np.concatenate(
            [
                np.asarray(fn(tf.constant(images[i : i + batch_size], tf.float32)))
                for i in range(0, len(images), batch_size)
            ]
        )

    def serving_endpoints(self):
        """`translate`: uint8 source images -> G in inference mode -> uint8 images."""
        return {"translate": translate_function(self.inference_network(), self.image_shape)}


class PairedTranslator(Translator):
    """Trains on (source, target) pairs through the engine's own D and G steps."""

    conditional = True  # trains on (source, target) pairs

    def preview_images(self, n, seed, inputs=None):
        """`n // 2` sources, their translations, then their targets."""
        shown = super().preview_images(n, seed, inputs)
        targets = np.asarray(inputs[1])[: len(shown) // 2]
        return np.concatenate([shown, targets])

    def _unpack(self, data):
        if not isinstance(data, (tuple, list)) or len(data) < 2:
            raise DataValidationError(
                f"{type(self).__name__} trains on (source, target) image batches."
            )
        source, target = data[0], data[1]
        return target, source  # (the real sample, its condition)

    def discriminate(self, x, labels=None, training=False):
        return self.discriminator([x, labels], training=training)

    def validate_data(self, x, y=None):
        if not isinstance(x, tf.data.Dataset):
            return
        spec = x.element_spec
        if not isinstance(spec, (tuple, list)) or len(spec) != 2:
            raise DataValidationError(
                f"{type(self).__name__} needs (source, target) image batches; found {spec}."
            )
        for index, name in ((0, "source"), (1, "target")):
            try:
                validate_training_data(self, x.map(lambda *pair, i=index: pair[i]))
            except DataValidationError as error:
                raise DataValidationError(f"{name} images: {error}") from None
