"""Autoencoder baselines: the (sparse, denoising) autoencoder and the VAE."""

from tfgan_zoo.families.autoencoders.autoencoder import Autoencoder
from tfgan_zoo.families.autoencoders.vae import VAE

__all__ = ["Autoencoder", "VAE"]
