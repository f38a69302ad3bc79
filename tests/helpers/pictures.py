"""Colour pictures for the data tests, drawn from Fashion-MNIST."""

import numpy as np
import tensorflow as tf

from tfgan_zoo.data.fashion_mnist import load_fashion_mnist


def coloured_items(count, side=32, seed=0):
    """uint8 [count, side, side, 3]: Fashion-MNIST items in a light colour on a dark
    background of another colour (random per image), with their labels."""
    items, labels = load_fashion_mnist("test")
    rng = np.random.default_rng(seed)
    grey = tf.image.resize(items[:count].astype("float32"), (side, side)).numpy()
    alpha = grey / 255.0
    ink = rng.integers(128, 256, (count, 1, 1, 3))
    paper = rng.integers(0, 100, (count, 1, 1, 3))
    return np.round(alpha * ink + (1 - alpha) * paper).astype(np.uint8), labels[:count]
