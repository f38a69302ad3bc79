"""Network builders shared by the variants (functional Keras models)."""

from tfgan_zoo.networks.conv import conv_discriminator, conv_generator
from tfgan_zoo.networks.mlp import mlp_discriminator, mlp_generator

__all__ = ["conv_discriminator", "conv_generator", "mlp_discriminator", "mlp_generator"]
