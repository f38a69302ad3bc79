"""InfoGAN (Chen et al. 2016)."""

from tfgan_zoo.families.infogan.infogan import InfoGAN

__all__ = ["InfoGAN"]
