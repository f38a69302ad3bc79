"""LSGAN (Mao et al. 2017): least-squares losses with the 0-1-1 coding, which
keep penalising fakes that are classified right but lie far from the data.
Paper optimiser: Adam(2e-4, β1 = 0.5)."""

import keras

from tfgan_zoo.families.standard.standard import StandardGAN
from tfgan_zoo.registry import register_model


@register_model("lsgan", kind="gan")
@keras.saving.register_keras_serializable(package="tfgan_zoo")
class LSGAN(StandardGAN):
    description = "Least-squares GAN (Mao et al. 2017)"

    @classmethod
    def default_compile_args(cls):
        return dict(super().default_compile_args(), loss="least_squares")
