"""The variants, by the name the CLI and the zoo use."""
from tfgan_zoo.gans.began import BEGAN
from tfgan_zoo.gans.cgan import ConditionalGAN
from tfgan_zoo.gans.dcgan import DCGAN
from tfgan_zoo.gans.dragan import DRAGAN
from tfgan_zoo.gans.lsgan import LSGAN
from tfgan_zoo.gans.standard import StandardGAN
from tfgan_zoo.gans.vanilla import VanillaGAN
from tfgan_zoo.gans.wgan import WGAN
from tfgan_zoo.gans.wgan_gp import WGANGP

VARIANTS = {
    "vanilla": VanillaGAN,
    "standard": StandardGAN,
    "dcgan": DCGAN,
    "cgan": ConditionalGAN,
    "wgan": WGAN,
    "wgan_gp": WGANGP,
    "lsgan": LSGAN,
    "dragan": DRAGAN,
    "began": BEGAN,
}


def get_variant(name):
    try:
        return VARIANTS[name]
    except KeyError:
        raise ValueError(f"Unknown variant {name!r}; expected one of {sorted(VARIANTS)}.") from None


__all__ = ["VARIANTS", "get_variant", "StandardGAN", "VanillaGAN", "DCGAN", "ConditionalGAN",
           "WGAN", "WGANGP", "LSGAN", "DRAGAN", "BEGAN"]
