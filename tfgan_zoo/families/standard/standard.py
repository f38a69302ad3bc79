"""The standard networks, picked by the data: MLPs for vectors (e.g. 2D
mixtures), DCGAN-style convs for images. Variants that differ from each other
only in their objective (WGAN, WGAN-GP, LSGAN, DRAGAN, cGAN) subclass
`StandardGAN` and change `default_compile_args` (and at most D's normalisation).
"""

import inspect

import keras

from tfgan_zoo.engine import GAN
from tfgan_zoo.networks import conv_discriminator, conv_generator, mlp_discriminator, mlp_generator
from tfgan_zoo.networks.conv import check_stages
from tfgan_zoo.networks.widths import default_base_filters
from tfgan_zoo.registry import register_model


def _split_width(cls, width, config):
    """0.1.0's `width` was the conv nets' base width for images and every MLP
    layer's size for vectors: `base_filters` or `hidden` today, by the data's rank."""
    default_shape = inspect.signature(cls.__init__).parameters["data_shape"].default
    shape = config.get("data_shape", default_shape)
    if len(shape) == 3:
        return {"base_filters": int(width)}
    return {"hidden": (int(width),) * 3}


@register_model("standard", kind="gan")
@keras.saving.register_keras_serializable(package="tfgan_zoo")
class StandardGAN(GAN):
    """Args:
      data_shape: one sample's shape; rank 3 means images in [-1, 1], anything
        else vectors (e.g. 2D points).
      latent_dim: size of z.
      base_filters: width of the conv nets, for images only; None derives it from
        data_shape (`networks.widths.default_base_filters`, 64 up to 64×64).
      hidden: sizes of the MLPs' hidden layers, for vectors only; None means
        (64, 64, 64).
      data_scale: magnitude of vector data (see `networks.mlp`); 1 for images.
      num_classes: labels for a conditional model, else None.
      pack: PacGAN packing degree for vector data: D scores `pack` samples at
        once (1: no packing). Batches per D step must divide by it.
      stages: stride-2 stages of the conv nets, for images only; None follows
        the image (`networks.conv.default_stages`: 2 at 28×28, 4 at 64×64).

    The rule of the whole zoo: `base_filters` (and `stages`) shape a conv net,
    `hidden` the layer sizes of an MLP; each applies to one kind of data, so
    giving the other one is an error, and the unused one is stored as None.
    """

    description = "Standard networks with the engine's default objective"
    # D normalisation for image data; gradient penalties need "layer" or None.
    image_d_normalization = "batch"
    RENAMED = {"width": _split_width}
    # Files saved before `stages` existed had two stages at every image size.
    EARLIER_DEFAULTS = {
        "stages": lambda config: 2 if len(config.get("data_shape", (28, 28, 1))) == 3 else None
    }
    default_hidden = (64, 64, 64)

    def __init__(
        self,
        data_shape=(28, 28, 1),
        latent_dim=100,
        base_filters=None,
        hidden=None,
        data_scale=1.0,
        num_classes=None,
        pack=1,
        seed=None,
        stages=None,
        **kwargs,
    ):
        data_shape = tuple(data_shape)
        is_image = len(data_shape) == 3
        self.data_scale, self.pack = float(data_scale), int(pack)
        if is_image and hidden is not None:
            raise ValueError(
                f"hidden sets MLP layers, for vector data; images of shape "
                f"{data_shape} use conv nets: set base_filters instead."
            )
        if not is_image and (base_filters is not None or stages is not None):
            raise ValueError(
                f"base_filters and stages set conv nets, for images; data of "
                f"shape {data_shape} uses MLPs: set hidden instead."
            )
        if is_image and self.pack != 1:
            raise ValueError(
                "pack (PacGAN) is implemented for vector data (MLP discriminator); "
                f"got pack={pack} for images of shape {data_shape}"
            )
        if is_image:
            self.base_filters = int(
                default_base_filters(data_shape, 64) if base_filters is None else base_filters
            )
            self.hidden, self.stages = None, check_stages(data_shape, stages)
            generator = conv_generator(
                latent_dim, data_shape, self.base_filters, num_classes, stages=self.stages
            )
            discriminator = conv_discriminator(
                data_shape,
                self.base_filters,
                num_classes,
                normalization=self.image_d_normalization,
                stages=self.stages,
            )
            data_range = (-1.0, 1.0)
        else:
            self.base_filters = self.stages = None
            self.hidden = tuple(int(h) for h in (self.default_hidden if hidden is None else hidden))
            generator = mlp_generator(
                latent_dim,
                data_shape,
                self.hidden,
                num_classes=num_classes,
                data_scale=self.data_scale,
            )
            discriminator = mlp_discriminator(
                data_shape,
                self.hidden,
                num_classes=num_classes,
                data_scale=self.data_scale,
                pack=self.pack,
            )
            data_range = None
        super().__init__(
            generator=generator,
            discriminator=discriminator,
            latent_dim=latent_dim,
            num_classes=num_classes,
            data_range=data_range,
            seed=seed,
            **kwargs,
        )

    @classmethod
    def for_data(cls, data_shape, num_classes=None, **kwargs):
        if cls.conditional and num_classes is None:
            raise ValueError(f"{cls.__name__} is conditional: it needs labelled data.")
        return cls(
            data_shape=data_shape, num_classes=num_classes if cls.conditional else None, **kwargs
        )

    def constructor_config(self):
        return dict(
            name=self.name,
            data_shape=self.data_shape,
            latent_dim=self.latent_dim,
            base_filters=self.base_filters,
            hidden=self.hidden,
            data_scale=self.data_scale,
            num_classes=self.num_classes,
            pack=self.pack,
            stages=self.stages,
            seed=self.seed,
        )
