"""The variants, by the name the CLI and the zoo use."""
from tfgan_zoo.gans.began import BEGAN
from tfgan_zoo.gans.bicyclegan import BicycleGAN
from tfgan_zoo.gans.biggan import BigGAN
from tfgan_zoo.gans.cgan import ConditionalGAN
from tfgan_zoo.gans.cyclegan import CycleGAN
from tfgan_zoo.gans.dcgan import DCGAN
from tfgan_zoo.gans.dragan import DRAGAN
from tfgan_zoo.gans.infogan import InfoGAN
from tfgan_zoo.gans.info_stylegan import InfoStyleGAN
from tfgan_zoo.gans.lsgan import LSGAN
from tfgan_zoo.gans.pix2pix import Pix2Pix
from tfgan_zoo.gans.semi_stylegan import SemiStyleGAN
from tfgan_zoo.gans.progan import ProGAN
from tfgan_zoo.gans.standard import StandardGAN
from tfgan_zoo.gans.stylegan import StyleGAN
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
    "infogan": InfoGAN,
    "biggan": BigGAN,
    "progan": ProGAN,
    "stylegan": StyleGAN,
    "info_stylegan": InfoStyleGAN,
    "semi_stylegan": SemiStyleGAN,
}

# Image-to-image translators: trained on (source, target) pairs or on two
# unpaired domains instead of noise -> sample.
TRANSLATORS = {
    "pix2pix": Pix2Pix,
    "cyclegan": CycleGAN,
    "bicyclegan": BicycleGAN,
}


def get_variant(name):
    try:
        return VARIANTS[name]
    except KeyError:
        raise ValueError(f"Unknown variant {name!r}; expected one of {sorted(VARIANTS)}.") from None


__all__ = ["VARIANTS", "TRANSLATORS", "get_variant", "Pix2Pix", "CycleGAN", "BicycleGAN", "StandardGAN", "VanillaGAN", "DCGAN", "ConditionalGAN",
           "WGAN", "WGANGP", "LSGAN", "DRAGAN", "BEGAN", "InfoGAN", "BigGAN", "ProGAN", "StyleGAN"]
