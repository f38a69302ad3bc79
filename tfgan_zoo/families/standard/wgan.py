"""WGAN (Arjovsky et al. 2017): a critic trained on the Wasserstein objective,
kept Lipschitz by clipping its weights. Paper defaults: clip c = 0.01, RMSProp
lr 5e-5, n_critic = 5."""
import keras

from tfgan_zoo.families.standard.standard import StandardGAN
from tfgan_zoo.registry import register_model


@register_model("wgan", kind="gan")
@keras.saving.register_keras_serializable(package="tfgan_zoo")
class WGAN(StandardGAN):
    description = "Wasserstein critic with weight clipping (Arjovsky et al. 2017)"

    @classmethod
    def default_compile_args(cls):
        return dict(super().default_compile_args(),
                    g_optimizer=keras.optimizers.RMSprop(5e-5),
                    d_optimizer=keras.optimizers.RMSprop(5e-5),
                    loss="wasserstein", d_steps=5, clip_value=0.01)
