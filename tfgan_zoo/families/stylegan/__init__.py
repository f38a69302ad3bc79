"""StyleGAN (Karras et al. 2019) and its info- and semi-supervised variants:
the networks, the three models and their serving endpoints."""

from tfgan_zoo.families.stylegan.info_stylegan import InfoStyleGAN
from tfgan_zoo.families.stylegan.semi_stylegan import SemiStyleGAN
from tfgan_zoo.families.stylegan.stylegan import StyleGAN

__all__ = ["StyleGAN", "InfoStyleGAN", "SemiStyleGAN"]
