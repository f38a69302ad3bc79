"""BEGAN (Berthelot et al. 2017)."""

from tfgan_zoo.families.began.began import BEGAN

__all__ = ["BEGAN"]
