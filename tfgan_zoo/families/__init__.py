"""Model families, one folder each: a family's networks, model classes and serving
endpoints live together. Importing this package registers every model
(`tfgan_zoo.registry`). What several families share stays outside: the engine,
`networks/` (common builders and layers), data, metrics and serving."""
from tfgan_zoo.families.standard import StandardGAN, VanillaGAN, ConditionalGAN, WGAN, WGANGP, LSGAN, DRAGAN
from tfgan_zoo.families.dcgan import DCGAN
from tfgan_zoo.families.infogan import InfoGAN
from tfgan_zoo.families.began import BEGAN
from tfgan_zoo.families.biggan import BigGAN
from tfgan_zoo.families.progan import ProGAN
from tfgan_zoo.families.stylegan import StyleGAN, InfoStyleGAN, SemiStyleGAN
from tfgan_zoo.families.translators import Pix2Pix, CycleGAN, BicycleGAN
from tfgan_zoo.families.autoencoders import Autoencoder, VAE
from tfgan_zoo.families.pixelcnn import PixelCNN, MaskedConv2D, bits_per_dim_256, causal_mask

__all__ = ["StandardGAN", "VanillaGAN", "ConditionalGAN", "WGAN", "WGANGP", "LSGAN", "DRAGAN", "DCGAN", "InfoGAN", "BEGAN", "BigGAN", "ProGAN", "StyleGAN", "InfoStyleGAN", "SemiStyleGAN", "Pix2Pix", "CycleGAN", "BicycleGAN", "Autoencoder", "VAE", "PixelCNN", "MaskedConv2D", "bits_per_dim_256", "causal_mask"]
