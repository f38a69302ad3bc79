"""DCGAN (Radford et al. 2016)."""

from tfgan_zoo.families.dcgan.dcgan import DCGAN

__all__ = ["DCGAN"]
