"""WGAN (Arjovsky et al. 2017): a critic trained on the Wasserstein objective,
kept Lipschitz by clipping its weights. Paper defaults (Algorithm 1): clip
c = 0.01, RMSProp lr 5e-5, n_critic = 5. The authors' code
(martinarjovsky/WassersteinGAN, main.py) builds PyTorch's RMSprop with its
defaults, whose average of squared gradients decays at alpha = 0.99; Keras'
RMSprop defaults to rho = 0.9, so both optimizers here set rho = 0.99.

Remaining differences from the paper: the networks are StandardGAN's (DCGAN-style
convs with batch norm for images, MLPs for vectors), not the paper's 64×64 LSUN
critics; the authors' code gives the critic 100 steps for the first 25 generator
steps and every 500th, here n_critic is 5 throughout; RMSprop's epsilon is Keras'
(1e-7 inside the square root) instead of PyTorch's (1e-8 added after it), which
matters only while the squared-gradient average is below ~1e-7.
"""

import keras

from tfgan_zoo.families.standard.standard import StandardGAN
from tfgan_zoo.registry import register_model

# PyTorch's RMSprop alpha, which the paper's code used (Keras' default rho is 0.9).
RMSPROP_RHO = 0.99


@register_model("wgan", kind="gan")
@keras.saving.register_keras_serializable(package="tfgan_zoo")
class WGAN(StandardGAN):
    description = "Wasserstein critic with weight clipping (Arjovsky et al. 2017)"

    @classmethod
    def default_compile_args(cls):
        return dict(
            super().default_compile_args(),
            g_optimizer=keras.optimizers.RMSprop(5e-5, rho=RMSPROP_RHO),
            d_optimizer=keras.optimizers.RMSprop(5e-5, rho=RMSPROP_RHO),
            loss="wasserstein",
            d_steps=5,
            clip_value=0.01,
        )
