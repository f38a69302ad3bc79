"""PixelCNN (van den Oord et al. 2016), the autoregressive likelihood baseline."""

from tfgan_zoo.families.pixelcnn.pixelcnn import (
    MaskedConv2D,
    PixelCNN,
    bits_per_dim_256,
    causal_mask,
)

__all__ = ["PixelCNN", "MaskedConv2D", "bits_per_dim_256", "causal_mask"]
