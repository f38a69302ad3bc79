"""What the non-adversarial baselines share for training: `fit` on datasets, the
compile defaults, construction from the data's shape and the pre-flight check;
the command-line trainer's declarations come from `engine.trainable`.

A tf.data.Dataset shuffles itself, so Keras' default shuffle=True (which it
ignores for datasets, with a warning) is turned off.
"""

import keras
import tensorflow as tf

from tfgan_zoo.engine.trainable import TrainerDeclarations
from tfgan_zoo.engine.validation import validate_training_data


class DatasetFit(TrainerDeclarations):
    conditional = False  # the command-line trainer gives baselines unlabelled images
    num_classes = None  # unconditional unless a class sets it
    d_steps = 1  # one update per batch: any batch size divides (the pre-flight check)

    @property
    def data_range(self):
        """(low, high) every training value must lie in: [-1, 1] pixels, or 0..255
        for a model that reads intensities."""
        return (-1.0, 1.0) if self.training_pixels == "scaled" else (0.0, 255.0)

    def validate_data(self, x, y=None):
        """The pre-flight check a training run makes (`engine.validation`)."""
        validate_training_data(self, x, y)

    @classmethod
    def for_data(cls, data_shape, num_classes=None, **kwargs):
        """The model for samples of `data_shape` (conditional with `num_classes`)."""
        if num_classes is not None:
            kwargs["num_classes"] = num_classes
        return cls(image_shape=tuple(data_shape), **kwargs)

    @classmethod
    def default_compile_args(cls):
        """Fresh compile arguments: Adam at 1e-3, the rate the baselines were tuned at."""
        return dict(optimizer=keras.optimizers.Adam(1e-3))

    def fit(self, x=None, y=None, shuffle=True, validate_data=True, **kwargs):
        """Keras' `fit`, after the pre-flight check of `x` (as `GAN.fit` makes;
        `validate_data=False` when the caller has checked it)."""
        if validate_data:
            self.validate_data(x, y)
        if isinstance(x, tf.data.Dataset):
            shuffle = False
        return super().fit(x, y, shuffle=shuffle, **kwargs)
