"""The GAN variants, image-to-image translators and re-posing models, by class name. Each lives in
its family's folder under `tfgan_zoo.families` and registers itself by name
(`tfgan_zoo.registry`), which is how the CLI, training and the zoo find it."""

from tfgan_zoo import registry
from tfgan_zoo.families import (
    BEGAN,
    DCGAN,
    DRAGAN,
    LSGAN,
    WGAN,
    WGANGP,
    BicycleGAN,
    BigGAN,
    ConditionalGAN,
    CycleGAN,
    InfoGAN,
    InfoStyleGAN,
    Pix2Pix,
    ProGAN,
    SemiStyleGAN,
    StandardGAN,
    StyleGAN,
    VanillaGAN,
)

__all__ = [
    "BEGAN",
    "BicycleGAN",
    "BigGAN",
    "ConditionalGAN",
    "CycleGAN",
    "DCGAN",
    "DRAGAN",
    "InfoGAN",
    "InfoStyleGAN",
    "LSGAN",
    "Pix2Pix",
    "ProGAN",
    "SemiStyleGAN",
    "StandardGAN",
    "StyleGAN",
    "VanillaGAN",
    "WGAN",
    "WGANGP",
]


# Also any registered class of these kinds that the list above does not name (a
# family folder added since registers itself).
registry.export_registered(globals(), __all__, ("gan", "translator", "reenactor"))
