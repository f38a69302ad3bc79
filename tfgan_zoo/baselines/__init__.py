"""Non-GAN baselines, by class name: likelihood models to compare generators
against. They live in `tfgan_zoo.families.autoencoders` and `.pixelcnn`."""

from tfgan_zoo import registry
from tfgan_zoo.families import (
    VAE,
    Autoencoder,
    MaskedConv2D,
    PixelCNN,
    bits_per_dim_256,
    causal_mask,
)

__all__ = ["Autoencoder", "VAE", "MaskedConv2D", "PixelCNN", "bits_per_dim_256", "causal_mask"]


# Also any registered class of these kinds that the list above does not name (a
# family folder added since registers itself).
registry.export_registered(globals(), __all__, ("baseline",))
