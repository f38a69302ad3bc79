"""Image-to-image translators: pix2pix, CycleGAN and BicycleGAN, with the
networks (U-Net, ResNet, PatchGAN), base class and serving signatures they share."""

from tfgan_zoo.families.translators.bicyclegan import BicycleGAN
from tfgan_zoo.families.translators.cyclegan import CycleGAN
from tfgan_zoo.families.translators.pix2pix import Pix2Pix

__all__ = ["Pix2Pix", "CycleGAN", "BicycleGAN"]
