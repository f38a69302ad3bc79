"""Conditional GAN (Mirza & Osindero 2014): both networks see the class label.

What differs from the engine: `num_classes` is set, so batches are
(samples, labels) and the one-hot label is an input of G and D. Images get
DCGAN-style conv nets; vectors (e.g. labelled 2D mixtures) get MLPs.
"""
import keras

from tfgan_zoo.engine import GAN
from tfgan_zoo.networks import (conv_discriminator, conv_generator, mlp_discriminator,
                                mlp_generator)


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class ConditionalGAN(GAN):
    """Class-conditional GAN.

    Args:
      data_shape: one sample's shape; rank 3 means images in [-1, 1].
      num_classes: number of labels (10 for Fashion-MNIST).
      width: base filters (images) or hidden width (vectors).
    """

    conditional = True
    description = "Class-conditional GAN, one-hot label into G and D (Mirza & Osindero 2014)"

    def __init__(self, data_shape=(28, 28, 1), num_classes=10, latent_dim=100, width=64,
                 seed=None, **kwargs):
        data_shape = tuple(data_shape)
        self.width = int(width)
        if len(data_shape) == 3:
            generator = conv_generator(latent_dim, data_shape, self.width, num_classes)
            discriminator = conv_discriminator(data_shape, self.width, num_classes)
            data_range = (-1.0, 1.0)
        else:
            hidden = (self.width,) * 3
            generator = mlp_generator(latent_dim, data_shape, hidden, num_classes=num_classes)
            discriminator = mlp_discriminator(data_shape, hidden, num_classes=num_classes)
            data_range = None
        super().__init__(generator=generator, discriminator=discriminator,
                         latent_dim=latent_dim, num_classes=num_classes,
                         data_range=data_range, seed=seed, **kwargs)

    @classmethod
    def for_data(cls, data_shape, num_classes=None, **kwargs):
        if num_classes is None:
            raise ValueError("a conditional GAN needs labelled data (num_classes).")
        return cls(data_shape=data_shape, num_classes=num_classes, **kwargs)

    def get_config(self):
        return dict(name=self.name, data_shape=self.data_shape, num_classes=self.num_classes,
                    latent_dim=self.latent_dim, width=self.width, seed=self.noise_seed)

    @classmethod
    def from_config(cls, config):
        return cls(**config)
