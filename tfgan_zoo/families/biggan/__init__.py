"""BigGAN (Brock et al. 2019): its networks and its model."""

from tfgan_zoo.families.biggan.biggan import BigGAN

__all__ = ["BigGAN"]
