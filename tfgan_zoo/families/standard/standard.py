"""The standard networks, picked by the data: MLPs for vectors (e.g. 2D
mixtures), DCGAN-style convs for images. Variants that differ from each other
only in their objective (WGAN, WGAN-GP, LSGAN, DRAGAN, cGAN) subclass
`StandardGAN` and change `default_compile_args` (and at most D's normalisation).
"""
import keras

from tfgan_zoo.engine import GAN
from tfgan_zoo.networks import (conv_discriminator, conv_generator, mlp_discriminator,
                                mlp_generator)
from tfgan_zoo.registry import register_model


@register_model("standard", kind="gan")
@keras.saving.register_keras_serializable(package="tfgan_zoo")
class StandardGAN(GAN):
    """Args:
      data_shape: one sample's shape; rank 3 means images in [-1, 1].
      latent_dim: size of z.
      width: base filters (images) or hidden width of the 3-layer MLPs (vectors).
      data_scale: magnitude of vector data (see `networks.mlp`); 1 for images.
      num_classes: labels for a conditional model, else None.
      pack: PacGAN packing degree for vector data: D scores `pack` samples at
        once (1: no packing). Batches per D step must divide by it.
    """

    description = "Standard networks with the engine's default objective"
    # D normalisation for image data; gradient penalties need "layer" or None.
    image_d_normalization = "batch"

    def __init__(self, data_shape=(28, 28, 1), latent_dim=100, width=64, data_scale=1.0,
                 num_classes=None, pack=1, seed=None, **kwargs):
        data_shape = tuple(data_shape)
        self.width, self.data_scale, self.pack = int(width), float(data_scale), int(pack)
        if len(data_shape) == 3 and self.pack != 1:
            raise ValueError("pack (PacGAN) is implemented for vector data (MLP discriminator); "
                             f"got pack={pack} for images of shape {data_shape}")
        if len(data_shape) == 3:
            generator = conv_generator(latent_dim, data_shape, self.width, num_classes)
            discriminator = conv_discriminator(data_shape, self.width, num_classes,
                                               normalization=self.image_d_normalization)
            data_range = (-1.0, 1.0)
        else:
            hidden = (self.width,) * 3
            generator = mlp_generator(latent_dim, data_shape, hidden, num_classes=num_classes,
                                      data_scale=self.data_scale)
            discriminator = mlp_discriminator(data_shape, hidden, num_classes=num_classes,
                                              data_scale=self.data_scale, pack=self.pack)
            data_range = None
        super().__init__(generator=generator, discriminator=discriminator,
                         latent_dim=latent_dim, num_classes=num_classes,
                         data_range=data_range, seed=seed, **kwargs)

    @classmethod
    def for_data(cls, data_shape, num_classes=None, **kwargs):
        if cls.conditional and num_classes is None:
            raise ValueError(f"{cls.__name__} is conditional: it needs labelled data.")
        return cls(data_shape=data_shape, num_classes=num_classes if cls.conditional else None,
                   **kwargs)

    def constructor_config(self):
        config = dict(name=self.name, data_shape=self.data_shape, latent_dim=self.latent_dim,
                      width=self.width, data_scale=self.data_scale, seed=self.seed)
        if self.num_classes is not None:
            config["num_classes"] = self.num_classes
        if self.pack != 1:
            config["pack"] = self.pack
        return config
