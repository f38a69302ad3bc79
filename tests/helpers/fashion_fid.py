"""FID with the project's Fashion-MNIST classifier for the short learning tests:
samples (28×28, or 32×32 cropped to 28×28) against 1000 test images."""

import functools

import numpy as np

from tfgan_zoo.data import load_fashion_mnist
from tfgan_zoo.data.padding import crop_images
from tfgan_zoo.metrics.features import get_feature_network
from tfgan_zoo.metrics.fid import fid


@functools.lru_cache(maxsize=1)
def _reference():
    images, labels = load_fashion_mnist("test")
    return get_feature_network("fashion_mnist").features(images[:1000])


def as_28(samples):
    samples = np.clip(np.asarray(samples), -1.0, 1.0)
    return crop_images(samples, 28) if samples.shape[1] > 28 else samples


def features(samples):
    return get_feature_network("fashion_mnist").features(as_28(samples))


def reference_features():
    """Classifier features of the 1000 test images every score here is against."""
    return _reference()


def fashion_fid(samples):
    """FID of `samples` (floats in about [-1, 1]) against 1000 Fashion-MNIST test images."""
    return fid(features(samples), _reference())


def predicted_classes(samples):
    return np.argmax(get_feature_network("fashion_mnist").logits(as_28(samples)), axis=-1)
