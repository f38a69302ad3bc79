"""The GAN variants and image-to-image translators, by class name. Each lives in
its family's folder under `tfgan_zoo.families` and registers itself by name
(`tfgan_zoo.registry`), which is how the CLI, training and the zoo find it."""

from tfgan_zoo.families import (
    BEGAN,
    DCGAN,
    DRAGAN,
    LSGAN,
    WGAN,
    WGANGP,
    BicycleGAN,
    BigGAN,
    ConditionalGAN,
    CycleGAN,
    InfoGAN,
    InfoStyleGAN,
    Pix2Pix,
    ProGAN,
    SemiStyleGAN,
    StandardGAN,
    StyleGAN,
    VanillaGAN,
)

__all__ = [
    "BEGAN",
    "BicycleGAN",
    "BigGAN",
    "ConditionalGAN",
    "CycleGAN",
    "DCGAN",
    "DRAGAN",
    "InfoGAN",
    "InfoStyleGAN",
    "LSGAN",
    "Pix2Pix",
    "ProGAN",
    "SemiStyleGAN",
    "StandardGAN",
    "StyleGAN",
    "VanillaGAN",
    "WGAN",
    "WGANGP",
]


def _export_registered():
    """Every registered GAN or translator by class name, also one in a family folder added
    since this list was written (families register themselves)."""
    from tfgan_zoo import registry

    for entry in registry.registered().values():
        if entry.kind != "baseline" and entry.cls.__name__ not in __all__:
            globals()[entry.cls.__name__] = entry.cls
            __all__.append(entry.cls.__name__)


_export_registered()
