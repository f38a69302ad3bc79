"""Inputs of conditional networks: integer labels, fed to the net as one-hot vectors."""

import keras


def latent_input(latent_dim):
    return keras.Input(shape=(latent_dim,), name="z")


def label_input(num_classes):
    """An int32 label input and its one-hot encoding (Mirza & Osindero 2014)."""
    labels = keras.Input(shape=(), dtype="int32", name="label")
    one_hot = keras.layers.CategoryEncoding(
        num_tokens=num_classes, output_mode="one_hot", name="label_one_hot"
    )(labels)
    return labels, one_hot
