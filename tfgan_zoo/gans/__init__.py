"""The variants, by the name the CLI and the zoo use."""
from tfgan_zoo.gans.cgan import ConditionalGAN
from tfgan_zoo.gans.dcgan import DCGAN
from tfgan_zoo.gans.vanilla import VanillaGAN

VARIANTS = {
    "vanilla": VanillaGAN,
    "dcgan": DCGAN,
    "cgan": ConditionalGAN,
}


def get_variant(name):
    try:
        return VARIANTS[name]
    except KeyError:
        raise ValueError(f"Unknown variant {name!r}; expected one of {sorted(VARIANTS)}.") from None


__all__ = ["VARIANTS", "get_variant", "VanillaGAN", "DCGAN", "ConditionalGAN"]
