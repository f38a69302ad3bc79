"""DCGAN (Radford et al. 2015) on small images.

What differs from the engine: convolutional networks following the paper's
guidelines (see `tfgan_zoo.networks.conv`) and its optimiser, Adam(2e-4, β1=0.5).
"""
import keras

from tfgan_zoo.engine import GAN
from tfgan_zoo.networks import conv_discriminator, conv_generator
from tfgan_zoo.registry import register_model


@register_model("dcgan", kind="gan")
@keras.saving.register_keras_serializable(package="tfgan_zoo")
class DCGAN(GAN):
    """Deep convolutional GAN for images whose sides divide by 4 (28×28 by default)."""

    description = "Convolutional GAN with BN, ReLU/tanh G and LeakyReLU D (Radford et al. 2015)"

    def __init__(self, image_shape=(28, 28, 1), latent_dim=100, base_filters=64, seed=None,
                 **kwargs):
        self.base_filters = int(base_filters)
        super().__init__(
            generator=conv_generator(latent_dim, tuple(image_shape), self.base_filters),
            discriminator=conv_discriminator(tuple(image_shape), self.base_filters),
            latent_dim=latent_dim, seed=seed, **kwargs)

    @classmethod
    def for_data(cls, data_shape, num_classes=None, **kwargs):
        if len(data_shape) != 3:
            raise ValueError(f"DCGAN generates images (height, width, channels); the data has "
                             f"shape {tuple(data_shape)}. Use 'vanilla' for points.")
        return cls(image_shape=data_shape, **kwargs)

    def constructor_config(self):
        return dict(name=self.name, image_shape=self.data_shape, latent_dim=self.latent_dim,
                    base_filters=self.base_filters, seed=self.seed)
