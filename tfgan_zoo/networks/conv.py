"""DCGAN-style convolutional networks (Radford et al. 2015 guidelines).

G: dense projection to a (H/2^s, W/2^s) map, s stride-2 transposed convs, BN + ReLU,
tanh output. D: s stride-2 convs with LeakyReLU(0.2), BN on all but the first, one
logit. s (`stages`) follows the image size (`default_stages`): 2 at 28×28, 4 at
64×64 as in the paper's nets. No pooling; weights ~ N(0, 0.02). With `num_classes`,
G gets the one-hot label beside z and D gets it as constant feature maps beside the
image.
"""
import keras

from tfgan_zoo.networks.conditioning import label_input, latent_input


def dcgan_init():
    return keras.initializers.RandomNormal(0.0, 0.02)


def batch_norm():
    """Batch norm whose statistics span the global batch under tf.distribute
    (all-reduced over replicas), so a distributed step equals the one-device step."""
    return keras.layers.BatchNormalization(synchronized=True)


def default_stages(image_shape):
    """Stride-2 stages of the DCGAN-style nets for `image_shape`: halve the sides
    while both stay even and at least 4, and at least twice (28 -> 7: 2; 32 -> 4: 3;
    64 -> 4: 4, the paper's 64×64 nets)."""
    height, width = int(image_shape[0]), int(image_shape[1])
    stages = 0
    while height % 2 == 0 and width % 2 == 0 and min(height, width) // 2 >= 4:
        height, width, stages = height // 2, width // 2, stages + 1
    return max(stages, 2)


def _check_stages(image_shape, stages):
    height, width = image_shape[:2]
    if height % 2**stages or width % 2**stages:
        raise ValueError(f"image height and width must divide by 2^{stages} = {2**stages} "
                         f"({stages} stride-2 stages); got {tuple(image_shape)}.")


def conv_generator(latent_dim, image_shape=(28, 28, 1), base_filters=64, num_classes=None,
                   stages=2, name="generator"):
    """Dense projection to (H/2^stages, W/2^stages, base_filters·2^(stages-1)), then
    `stages` stride-2 transposed convs halving the width each time (BN + ReLU), the
    last one to the image with tanh."""
    height, width, channels = image_shape
    _check_stages(image_shape, stages)
    z = latent_input(latent_dim)
    h = z
    if num_classes is not None:
        labels, one_hot = label_input(num_classes)
        h = keras.layers.Concatenate()([z, one_hot])
    scale, filters = 2**stages, base_filters * 2**(stages - 1)
    h = keras.layers.Dense((height // scale) * (width // scale) * filters, use_bias=False,
                           kernel_initializer=dcgan_init())(h)
    h = batch_norm()(h)
    h = keras.layers.ReLU()(h)
    h = keras.layers.Reshape((height // scale, width // scale, filters))(h)
    for _ in range(stages - 1):
        filters //= 2
        h = keras.layers.Conv2DTranspose(filters, 4, strides=2, padding="same", use_bias=False,
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
                       normalization="batch", stages=2, name="discriminator"):
    """`stages` stride-2 convs doubling the width from `base_filters` (LeakyReLU 0.2,
    normalisation on all but the first), then one logit."""
    _check_stages(image_shape, stages)
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
    for stage in range(1, stages):
        h = keras.layers.Conv2D(base_filters * 2**stage, 4, strides=2, padding="same",
                                use_bias=normalization is None,
                                kernel_initializer=dcgan_init())(h)
        h = _normalization(normalization)(h)
        h = keras.layers.LeakyReLU(0.2)(h)
    h = keras.layers.Flatten()(h)
    logit = keras.layers.Dense(1, kernel_initializer=dcgan_init(), dtype="float32",
                               name="logit")(h)
    return keras.Model([x, labels] if num_classes is not None else x, logit, name=name)
