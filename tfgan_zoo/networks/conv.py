"""DCGAN-style convolutional networks (Radford et al. 2015 guidelines).

G: dense projection to a (H/4, W/4) map, two stride-2 transposed convs, BN + ReLU,
tanh output. D: two stride-2 convs with LeakyReLU(0.2), BN on all but the first,
one logit. No pooling; weights ~ N(0, 0.02). With `num_classes`, G gets the one-hot
label beside z and D gets it as constant feature maps beside the image.
"""
import keras

from tfgan_zoo.networks.conditioning import label_input, latent_input


def dcgan_init():
    return keras.initializers.RandomNormal(0.0, 0.02)


def batch_norm():
    """Batch norm whose statistics span the global batch under tf.distribute
    (all-reduced over replicas), so a distributed step equals the one-device step."""
    return keras.layers.BatchNormalization(synchronized=True)


def conv_generator(latent_dim, image_shape=(28, 28, 1), base_filters=64, num_classes=None,
                   name="generator"):
    height, width, channels = image_shape
    if height % 4 or width % 4:
        raise ValueError(f"image height and width must divide by 4; got {image_shape}.")
    z = latent_input(latent_dim)
    h = z
    if num_classes is not None:
        labels, one_hot = label_input(num_classes)
        h = keras.layers.Concatenate()([z, one_hot])
    h = keras.layers.Dense((height // 4) * (width // 4) * base_filters * 2, use_bias=False,
                           kernel_initializer=dcgan_init())(h)
    h = batch_norm()(h)
    h = keras.layers.ReLU()(h)
    h = keras.layers.Reshape((height // 4, width // 4, base_filters * 2))(h)
    h = keras.layers.Conv2DTranspose(base_filters, 4, strides=2, padding="same", use_bias=False,
                                     kernel_initializer=dcgan_init())(h)
    h = batch_norm()(h)
    h = keras.layers.ReLU()(h)
    out = keras.layers.Conv2DTranspose(channels, 4, strides=2, padding="same", activation="tanh",
                                       kernel_initializer=dcgan_init(), dtype="float32",
                                       name="image")(h)
    return keras.Model([z, labels] if num_classes is not None else z, out, name=name)


def _normalization(kind):
    """D's normalisation after its second conv: batch norm (DCGAN), layer norm
    (for gradient penalties, which need samples not to interact) or none."""
    if kind == "batch":
        return batch_norm()
    if kind == "layer":
        return keras.layers.LayerNormalization()
    if kind is None:
        return keras.layers.Identity()
    raise ValueError(f"normalization must be 'batch', 'layer' or None, got {kind!r}.")


def conv_discriminator(image_shape=(28, 28, 1), base_filters=64, num_classes=None,
                       normalization="batch", name="discriminator"):
    x = keras.Input(shape=tuple(image_shape), name="image")
    h = x
    if num_classes is not None:
        labels, one_hot = label_input(num_classes)
        maps = keras.layers.Reshape((1, 1, num_classes))(one_hot)
        maps = keras.layers.UpSampling2D(size=tuple(image_shape[:2]))(maps)
        h = keras.layers.Concatenate()([x, maps])
    h = keras.layers.Conv2D(base_filters, 4, strides=2, padding="same",
                            kernel_initializer=dcgan_init())(h)
    h = keras.layers.LeakyReLU(0.2)(h)
    h = keras.layers.Conv2D(base_filters * 2, 4, strides=2, padding="same",
                            use_bias=normalization is None, kernel_initializer=dcgan_init())(h)
    h = _normalization(normalization)(h)
    h = keras.layers.LeakyReLU(0.2)(h)
    h = keras.layers.Flatten()(h)
    logit = keras.layers.Dense(1, kernel_initializer=dcgan_init(), dtype="float32",
                               name="logit")(h)
    return keras.Model([x, labels] if num_classes is not None else x, logit, name=name)
