"""SNGAN (Miyato et al. 2018): a DCGAN-style generator against a critic whose
every weight matrix is divided by its spectral norm, trained with the hinge loss.

What differs from DCGAN: D's layers (`networks.spectral`: W / σ(W), one
power iteration per training step) and no batch norm in D, the loss, and the
optimiser. The defaults are the paper's setting C (Table 1: Adam(2e-4, β =
(0.5, 0.999)), one D step per G step), its cheapest; its CIFAR-10 results also
use the 5-step settings A (Adam(1e-4, β = (0.5, 0.9))) and others. The paper's
standard CNN uses 3×3 and 4×4 convs with a 512-channel 4×4 map in D; this D is
the mirror of the DCGAN-style G (`networks.conv`), deepening with the image.
"""

import keras

from tfgan_zoo.families.dcgan import DCGAN
from tfgan_zoo.networks.conv import dcgan_init
from tfgan_zoo.networks.spectral import SNConv2D, SNDense
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
class SNGAN(DCGAN):
    """DCGAN's arguments (`image_shape`, `latent_dim`, `base_filters`, `stages`,
    `seed`), with the paper's 128-dimensional z; D is `sn_discriminator`."""

    description = "Spectrally normalised critic with the hinge loss (Miyato et al. 2018)"
    EARLIER_DEFAULTS: dict = {}  # new since 0.1.0: every file has `stages`
    discriminator_network = staticmethod(sn_discriminator)

    def __init__(
        self,
        image_shape=(28, 28, 1),
        latent_dim=128,
        base_filters=None,
        seed=None,
        stages=None,
        **kwargs,
    ):
        super().__init__(image_shape, latent_dim, base_filters, seed, stages, **kwargs)

    @classmethod
    def default_compile_args(cls):
        return dict(
            super().default_compile_args(),
            g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5, beta_2=0.999),
            d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5, beta_2=0.999),
            loss="hinge",
        )
