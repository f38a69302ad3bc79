"""`fit` for the baselines: a tf.data.Dataset shuffles itself, so Keras' default
shuffle=True (which it ignores for datasets, with a warning) is turned off."""
import tensorflow as tf


class DatasetFit:
    def fit(self, x=None, y=None, shuffle=True, **kwargs):
        if isinstance(x, tf.data.Dataset):
            shuffle = False
        return super().fit(x, y, shuffle=shuffle, **kwargs)
