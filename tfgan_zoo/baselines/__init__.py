"""Non-GAN baselines, by class name: likelihood models to compare generators
against. They live in `tfgan_zoo.families.autoencoders` and `.pixelcnn`."""

from tfgan_zoo.families import (
    VAE,
    Autoencoder,
    MaskedConv2D,
    PixelCNN,
    bits_per_dim_256,
    causal_mask,
)

__all__ = ["Autoencoder", "VAE", "MaskedConv2D", "PixelCNN", "bits_per_dim_256", "causal_mask"]
