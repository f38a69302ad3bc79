"""Model families, one folder each: a family's networks, model classes and serving
endpoints live together. Importing this package registers every model
(`tfgan_zoo.registry`). What several families share stays outside: the engine,
`networks/` (common builders and layers), data, metrics and serving.

A new family folder registers itself: every subpackage is imported here, so a
model needs no line outside its folder (docs/contributing.md)."""

import importlib
import pkgutil

from tfgan_zoo.families.autoencoders import VAE, Autoencoder
from tfgan_zoo.families.began import BEGAN
from tfgan_zoo.families.biggan import BigGAN
from tfgan_zoo.families.dcgan import DCGAN
from tfgan_zoo.families.infogan import InfoGAN
from tfgan_zoo.families.pixelcnn import MaskedConv2D, PixelCNN, bits_per_dim_256, causal_mask
from tfgan_zoo.families.progan import ProGAN
from tfgan_zoo.families.standard import (
    DRAGAN,
    LSGAN,
    WGAN,
    WGANGP,
    ConditionalGAN,
    StandardGAN,
    VanillaGAN,
)
from tfgan_zoo.families.stylegan import InfoStyleGAN, SemiStyleGAN, StyleGAN
from tfgan_zoo.families.translators import BicycleGAN, CycleGAN, Pix2Pix

__all__ = [
    "StandardGAN",
    "VanillaGAN",
    "ConditionalGAN",
    "WGAN",
    "WGANGP",
    "LSGAN",
    "DRAGAN",
    "DCGAN",
    "InfoGAN",
    "BEGAN",
    "BigGAN",
    "ProGAN",
    "StyleGAN",
    "InfoStyleGAN",
    "SemiStyleGAN",
    "Pix2Pix",
    "CycleGAN",
    "BicycleGAN",
    "Autoencoder",
    "VAE",
    "PixelCNN",
    "MaskedConv2D",
    "bits_per_dim_256",
    "causal_mask",
]

for _family in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_family.name}")
