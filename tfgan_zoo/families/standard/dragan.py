"""DRAGAN (Kodali et al. 2017): the non-saturating GAN with a gradient-norm
penalty on perturbations of the real data, against the sharp discriminator
gradients around real samples that go with mode collapse. Paper defaults:
λ = 10, Adam(1e-4, β1 = 0.5, β2 = 0.9); no batch norm in D."""

import keras

from tfgan_zoo.families.standard.standard import StandardGAN
from tfgan_zoo.registry import register_model


@register_model("dragan", kind="gan")
@keras.saving.register_keras_serializable(package="tfgan_zoo")
class DRAGAN(StandardGAN):
    description = "Non-saturating GAN with a gradient penalty around real data (Kodali et al. 2017)"
    image_d_normalization = "layer"

    @classmethod
    def default_compile_args(cls):
        return dict(
            super().default_compile_args(),
            g_optimizer=keras.optimizers.Adam(1e-4, beta_1=0.5, beta_2=0.9),
            d_optimizer=keras.optimizers.Adam(1e-4, beta_1=0.5, beta_2=0.9),
            penalty="dragan",
            penalty_weight=10.0,
        )
