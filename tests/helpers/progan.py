"""Small ProGANs and fixed data for the ProGAN tests, and NumPy references of its resampling."""

import keras
import numpy as np
import tensorflow as tf

from tfgan_zoo.gans import ProGAN


def small_progan(size=16, filters=(8, 8, 4), **kwargs):
    keras.utils.set_random_seed(0)
    return ProGAN(image_shape=(size, size, 1), filters=filters, latent_dim=8, seed=0, **kwargs)


def upsampled(x, factor):
    return np.repeat(np.repeat(x, factor, axis=1), factor, axis=2)


def pooled(x, factor):
    n, h, w, c = x.shape
    return x.reshape(n, h // factor, factor, w // factor, factor, c).mean(axis=(2, 4))


def fixed_batches(count, size=8, batch=16):
    rng = np.random.default_rng(1)
    images = rng.uniform(-1, 1, (count * batch, size, size, 1)).astype("float32")
    return tf.data.Dataset.from_tensor_slices(images).batch(batch)
