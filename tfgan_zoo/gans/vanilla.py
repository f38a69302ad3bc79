"""The original GAN (Goodfellow et al. 2014): MLPs and the minimax game.

What differs from the engine: fully connected networks; the generator's output
is unbounded for point data and tanh for images.
"""
import keras

from tfgan_zoo.engine import GAN
from tfgan_zoo.networks import mlp_discriminator, mlp_generator


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class VanillaGAN(GAN):
    """MLP GAN on vectors (e.g. 2D mixtures, `data_shape=(2,)`) or images.

    Args:
      data_shape: shape of one sample. Image shapes (rank 3) get a tanh output
        and the [-1, 1] data range; other shapes are unbounded.
      latent_dim: size of z.
      hidden: widths of the hidden layers of both networks.
    """

    description = "MLP generator and discriminator (Goodfellow et al. 2014)"

    def __init__(self, data_shape=(2,), latent_dim=64, hidden=(256, 256, 256), seed=None,
                 **kwargs):
        data_shape, hidden = tuple(data_shape), tuple(hidden)
        is_image = len(data_shape) == 3
        self.hidden = hidden
        super().__init__(
            generator=mlp_generator(latent_dim, data_shape, hidden,
                                    output_activation="tanh" if is_image else None),
            discriminator=mlp_discriminator(data_shape, hidden),
            latent_dim=latent_dim, data_range=(-1.0, 1.0) if is_image else None, seed=seed,
            **kwargs)

    def get_config(self):
        return dict(name=self.name, data_shape=self.data_shape, latent_dim=self.latent_dim,
                    hidden=self.hidden, seed=self.noise_seed)

    @classmethod
    def from_config(cls, config):
        return cls(**config)
