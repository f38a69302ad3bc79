"""The GAN variants and image-to-image translators. Each registers itself by name
(`tfgan_zoo.registry`), which is how the CLI, training and the zoo find it."""
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

__all__ = ["BEGAN", "BicycleGAN", "BigGAN", "ConditionalGAN", "CycleGAN", "DCGAN", "DRAGAN",
           "InfoGAN", "InfoStyleGAN", "LSGAN", "Pix2Pix", "ProGAN", "SemiStyleGAN", "StandardGAN",
           "StyleGAN", "VanillaGAN", "WGAN", "WGANGP"]
