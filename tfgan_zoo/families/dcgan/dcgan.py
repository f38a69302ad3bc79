"""DCGAN (Radford et al. 2015) on small images.

What differs from the engine: convolutional networks following the paper's
guidelines (see `tfgan_zoo.networks.conv`) and its optimiser, Adam(2e-4, β1=0.5).
"""

import keras

from tfgan_zoo.engine import GAN
from tfgan_zoo.networks import conv_discriminator, conv_generator
from tfgan_zoo.networks.conv import check_stages
from tfgan_zoo.networks.widths import default_base_filters
from tfgan_zoo.registry import register_model


@register_model("dcgan", kind="gan")
@keras.saving.register_keras_serializable(package="tfgan_zoo")
class DCGAN(GAN):
    """Deep convolutional GAN for images whose sides divide by 2^stages (28×28 by default).

    Args:
      image_shape: (height, width, channels) of the images.
      latent_dim: size of z.
      base_filters: width of the conv nets; None derives it from image_shape
        (`networks.widths.default_base_filters`: 64 up to 64×64).
      stages: stride-2 stages of G and D; None follows the image
        (`networks.conv.default_stages`: 2 at 28×28, 4 at 64×64, where
        base_filters 128 gives the paper's 4×4×1024 → 64×64×3 generator).
    """

    # Files saved before `stages` existed had two stages at every size.
    EARLIER_DEFAULTS = {"stages": 2}

    description = "Convolutional GAN with BN, ReLU/tanh G and LeakyReLU D (Radford et al. 2015)"

    def __init__(
        self,
        image_shape=(28, 28, 1),
        latent_dim=100,
        base_filters=None,
        seed=None,
        stages=None,
        **kwargs,
    ):
        self.image_shape = tuple(int(v) for v in image_shape)
        self.base_filters = int(
            default_base_filters(self.image_shape, 64) if base_filters is None else base_filters
        )
        self.stages = check_stages(self.image_shape, stages)
        super().__init__(
            generator=conv_generator(
                latent_dim, self.image_shape, self.base_filters, stages=self.stages
            ),
            discriminator=self.discriminator_network(
                self.image_shape, self.base_filters, self.stages
            ),
            latent_dim=latent_dim,
            seed=seed,
            **kwargs,
        )

    @staticmethod
    def discriminator_network(image_shape, base_filters, stages):
        """D for these images (a subclass's own D replaces this one)."""
        return conv_discriminator(image_shape, base_filters, stages=stages)

    @classmethod
    def for_data(cls, data_shape, num_classes=None, **kwargs):
        if len(data_shape) != 3:
            raise ValueError(
                f"{cls.__name__} generates images (height, width, channels); the data has "
                f"shape {tuple(data_shape)}. Use 'vanilla' for points."
            )
        return cls(image_shape=data_shape, **kwargs)

    def constructor_config(self):
        return dict(
            name=self.name,
            image_shape=self.image_shape,
            latent_dim=self.latent_dim,
            base_filters=self.base_filters,
            stages=self.stages,
            seed=self.seed,
        )
