"""SNGAN (Miyato et al. 2018): a DCGAN-style generator against a critic whose
every weight matrix is divided by its spectral norm, trained with the hinge loss.

What differs from the engine: D's layers (`networks.spectral`: W / σ(W), one
power iteration per training step) and no batch norm in D, the loss, and the
optimiser. The defaults are the paper's setting C (Table 1: Adam(2e-4, β =
(0.5, 0.999)), one D step per G step), its cheapest; its CIFAR-10 results also
use the 5-step settings A (Adam(1e-4, β = (0.5, 0.9))) and others. The paper's
standard CNN uses 3×3 and 4×4 convs with a 512-channel 4×4 map in D; this D is
the mirror of the DCGAN-style G (`networks.conv`), deepening with the image.
"""

import keras

from tfgan_zoo.engine import GAN
from tfgan_zoo.networks.conv import check_stages, conv_generator, dcgan_init
from tfgan_zoo.networks.spectral import SNConv2D, SNDense
from tfgan_zoo.networks.widths import default_base_filters
from tfgan_zoo.registry import register_model


def sn_discriminator(image_shape, base_filters, stages):
    """k stride-2 4×4 spectrally normalised convs doubling the width, LeakyReLU(0.1)
    as in the paper, then one spectrally normalised logit."""
    x = keras.Input(shape=tuple(image_shape), name="image")
    h = x
    for stage in range(stages):
        h = SNConv2D(
            base_filters * 2**stage, 4, strides=2, padding="same", kernel_initializer=dcgan_init()
        )(h)
        h = keras.layers.LeakyReLU(0.1)(h)
    h = keras.layers.Flatten()(h)
    logit = SNDense(1, dtype="float32", name="logit")(h)
    return keras.Model(x, logit, name="discriminator")


@register_model("sngan", kind="gan")
@keras.saving.register_keras_serializable(package="tfgan_zoo")
class SNGAN(GAN):
    """Args:
    image_shape: images whose sides divide by 2^stages (28×28 by default).
    latent_dim: size of z.
    base_filters: width of the conv nets; None derives it from image_shape
      (`networks.widths.default_base_filters`: 64 up to 64×64).
    stages: stride-2 stages of G and D; None follows the image
      (`networks.conv.default_stages`).
    """

    description = "Spectrally normalised critic with the hinge loss (Miyato et al. 2018)"

    def __init__(
        self,
        image_shape=(28, 28, 1),
        latent_dim=128,
        base_filters=None,
        stages=None,
        seed=None,
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
            discriminator=sn_discriminator(self.image_shape, self.base_filters, self.stages),
            latent_dim=latent_dim,
            seed=seed,
            **kwargs,
        )

    @classmethod
    def default_compile_args(cls):
        return dict(
            super().default_compile_args(),
            g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5, beta_2=0.999),
            d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5, beta_2=0.999),
            loss="hinge",
        )

    @classmethod
    def for_data(cls, data_shape, num_classes=None, **kwargs):
        if len(data_shape) != 3:
            raise ValueError(
                f"SNGAN generates images (height, width, channels); the data has "
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
