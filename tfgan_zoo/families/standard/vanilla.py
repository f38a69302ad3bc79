"""The original GAN (Goodfellow et al. 2014): MLPs and the minimax game.

What differs from the engine: fully connected networks; the generator's output
is unbounded for point data and tanh for images.
"""

import keras

from tfgan_zoo.engine import GAN
from tfgan_zoo.networks import mlp_discriminator, mlp_generator
from tfgan_zoo.registry import register_model


@register_model("vanilla", kind="gan")
@keras.saving.register_keras_serializable(package="tfgan_zoo")
class VanillaGAN(GAN):
    """MLP GAN on vectors (e.g. 2D mixtures, `data_shape=(2,)`) or images.

    Args:
      data_shape: shape of one sample. Image shapes (rank 3) get a tanh output
        and the [-1, 1] data range; other shapes are unbounded.
      latent_dim: size of z.
      hidden: widths of the hidden layers of both networks.
      data_scale: typical magnitude of the data; G's output is scaled up by it
        and D's input down, so both networks work at unit scale (4 for the grid).
    """

    description = "MLP generator and discriminator (Goodfellow et al. 2014)"

    def __init__(
        self,
        data_shape=(2,),
        latent_dim=64,
        hidden=(256, 256, 256),
        data_scale=1.0,
        seed=None,
        **kwargs,
    ):
        data_shape, hidden = tuple(data_shape), tuple(hidden)
        is_image = len(data_shape) == 3
        self.hidden, self.data_scale = hidden, float(data_scale)
        super().__init__(
            generator=mlp_generator(
                latent_dim,
                data_shape,
                hidden,
                output_activation="tanh" if is_image else None,
                data_scale=self.data_scale,
            ),
            discriminator=mlp_discriminator(data_shape, hidden, data_scale=self.data_scale),
            latent_dim=latent_dim,
            data_range=(-1.0, 1.0) if is_image else None,
            seed=seed,
            **kwargs,
        )

    @classmethod
    def for_data(cls, data_shape, num_classes=None, **kwargs):
        return cls(data_shape=data_shape, **kwargs)

    def constructor_config(self):
        return dict(
            name=self.name,
            data_shape=self.data_shape,
            latent_dim=self.latent_dim,
            hidden=self.hidden,
            data_scale=self.data_scale,
            seed=self.seed,
        )
