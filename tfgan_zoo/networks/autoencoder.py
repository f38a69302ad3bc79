"""BEGAN's networks (Berthelot et al. 2017): a conv decoder used as the generator
and, behind a conv encoder, as the auto-encoder discriminator. ELU activations,
no batch norm; nearest-neighbour upsampling and strided convs for resolution.
D outputs each sample's L1 reconstruction error, the "score" BEGAN's losses use.
"""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class ReconstructionError(keras.layers.Layer):
    """mean |x - reconstruction| over every axis but the batch: shape [batch, 1]."""

    def call(self, inputs):
        x, reconstruction = inputs
        error = ops.abs(x - reconstruction)
        return ops.mean(ops.reshape(error, (ops.shape(error)[0], -1)), axis=1, keepdims=True)


def _conv(h, filters, strides=1):
    return keras.layers.Conv2D(filters, 3, strides=strides, padding="same", activation="elu")(h)


def decoder(input_dim, image_shape, filters=32, name="decoder"):
    """Vector -> image in [-1, 1]: dense to (H/4, W/4), two (conv, conv, upsample) blocks."""
    height, width, channels = image_shape
    if height % 4 or width % 4:
        raise ValueError(f"image height and width must divide by 4; got {image_shape}.")
    inputs = keras.Input(shape=(input_dim,), name="code")
    h = keras.layers.Dense((height // 4) * (width // 4) * filters)(inputs)
    h = keras.layers.Reshape((height // 4, width // 4, filters))(h)
    for _ in range(2):
        h = _conv(_conv(h, filters), filters)
        h = keras.layers.UpSampling2D(2)(h)
    h = _conv(_conv(h, filters), filters)
    out = keras.layers.Conv2D(
        channels, 3, padding="same", activation="tanh", dtype="float32", name=f"{name}_output"
    )(h)
    return keras.Model(inputs, out, name=name)


def encoder(image_shape, filters=32, code_dim=64, name="encoder"):
    """Image -> code: conv, two (conv, strided conv) blocks with growing width, dense."""
    images = keras.Input(shape=tuple(image_shape), name=f"{name}_input")
    h = _conv(images, filters)
    for scale in (1, 2):
        h = _conv(h, filters * scale)
        h = _conv(h, filters * (scale + 1), strides=2)
    code = keras.layers.Dense(code_dim)(keras.layers.Flatten()(h))
    return keras.Model(images, code, name=name)


def autoencoder_discriminator(image_shape, filters=32, code_dim=64, name="discriminator"):
    """Image -> its L1 reconstruction error through encoder and decoder, [batch, 1]."""
    images = keras.Input(shape=tuple(image_shape), name="image")
    code = encoder(image_shape, filters, code_dim)(images)
    reconstruction = decoder(code_dim, image_shape, filters, name="d_decoder")(code)
    error = ReconstructionError(name="reconstruction_error", dtype="float32")(
        [images, reconstruction]
    )
    return keras.Model(images, error, name=name)
