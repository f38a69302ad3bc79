"""Conditional GAN (Mirza & Osindero 2014): both networks see the class label.

What differs from the engine: `num_classes` is set, so batches are
(samples, labels) and the one-hot label is an input of G and D.
"""

import keras

from tfgan_zoo.families.standard.standard import StandardGAN
from tfgan_zoo.registry import register_model


@register_model("cgan", kind="gan")
@keras.saving.register_keras_serializable(package="tfgan_zoo")
class ConditionalGAN(StandardGAN):
    """Class-conditional GAN on images (conv nets) or vectors (MLPs)."""

    conditional = True
    description = "Class-conditional GAN, one-hot label into G and D (Mirza & Osindero 2014)"

    def __init__(
        self,
        data_shape=(28, 28, 1),
        latent_dim=100,
        base_filters=None,
        hidden=None,
        data_scale=1.0,
        num_classes=10,
        pack=1,
        seed=None,
        stages=None,
        **kwargs,
    ):
        super().__init__(
            data_shape=data_shape,
            latent_dim=latent_dim,
            base_filters=base_filters,
            hidden=hidden,
            data_scale=data_scale,
            num_classes=num_classes,
            pack=pack,
            seed=seed,
            stages=stages,
            **kwargs,
        )
