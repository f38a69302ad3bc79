"""The training engine: the `GAN` base class, its losses and its data checks."""

from tfgan_zoo.engine.gan import GAN
from tfgan_zoo.engine.losses import LOSSES, AdversarialLoss, get_loss, register_loss
from tfgan_zoo.engine.validation import DataValidationError, validate_training_data

__all__ = [
    "GAN",
    "LOSSES",
    "AdversarialLoss",
    "get_loss",
    "register_loss",
    "DataValidationError",
    "validate_training_data",
]
