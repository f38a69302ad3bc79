"""Non-GAN baselines: likelihood models to compare generators against."""
from tfgan_zoo.baselines.autoencoder import Autoencoder
from tfgan_zoo.baselines.vae import VAE
from tfgan_zoo.baselines.pixelcnn import MaskedConv2D, PixelCNN, bits_per_dim_256, causal_mask

__all__ = ["Autoencoder", "VAE", "MaskedConv2D", "PixelCNN", "bits_per_dim_256", "causal_mask"]
