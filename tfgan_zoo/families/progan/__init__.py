"""Progressive GAN (Karras et al. 2018): its networks and its model."""

from tfgan_zoo.families.progan.progan import ProGAN

__all__ = ["ProGAN"]
