"""SNGAN (Miyato et al. 2018): the worked example of docs/contributing.md."""

from tfgan_zoo.families.sngan.sngan import SNGAN

__all__ = ["SNGAN"]
