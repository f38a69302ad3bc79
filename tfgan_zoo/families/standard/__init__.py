"""The standard family: fully connected (2D points) or DCGAN-style conv networks
under one class, `StandardGAN`. WGAN, WGAN-GP, LSGAN, DRAGAN and the conditional
GAN differ from it only in compile defaults (loss, penalty, optimizers, D steps) or
in `num_classes`: each is a thin subclass, not a recipe row, so that its name
loads a saved file, registers, serves and appears in `tfgan-zoo list` like any model."""

from tfgan_zoo.families.standard.cgan import ConditionalGAN
from tfgan_zoo.families.standard.dragan import DRAGAN
from tfgan_zoo.families.standard.lsgan import LSGAN
from tfgan_zoo.families.standard.standard import StandardGAN
from tfgan_zoo.families.standard.vanilla import VanillaGAN
from tfgan_zoo.families.standard.wgan import WGAN
from tfgan_zoo.families.standard.wgan_gp import WGANGP

__all__ = ["StandardGAN", "VanillaGAN", "ConditionalGAN", "WGAN", "WGANGP", "LSGAN", "DRAGAN"]
