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


def _export_registered():
    """Every registered baseline by class name, also one in a family folder added
    since this list was written (families register themselves)."""
    from tfgan_zoo import registry

    for entry in registry.registered().values():
        if entry.kind == "baseline" and entry.cls.__name__ not in __all__:
            globals()[entry.cls.__name__] = entry.cls
            __all__.append(entry.cls.__name__)


_export_registered()
