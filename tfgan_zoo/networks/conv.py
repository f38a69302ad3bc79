"""DCGAN-style convolutional networks (Radford et al. 2015 guidelines).

G: dense projection to an (H/2^k, W/2^k) map, k stride-2 transposed convs halving
the width each time (BN + ReLU), tanh output. D mirrors it: k stride-2 convs
doubling the width, LeakyReLU(0.2), BN on all but the first, one logit. No
pooling; weights ~ N(0, 0.02). With `num_classes`, G gets the one-hot label
beside z and D gets it as constant feature maps beside the image.

The depth k (`stages`) follows the image: the most halvings that leave a map of
at least 4×4, and at least two where the sides divide by 4 (2 up to 28×28, 3 at
32×32, 4 at 64×64, as the paper's 4×4×1024 → 64×64×3 generator with base_filters
128), so a unit of the first map sees the whole image at every size.
"""

import keras

from tfgan_zoo.networks import batch_norm as bn
from tfgan_zoo.networks import patch_conv
from tfgan_zoo.networks.conditioning import label_input, latent_input


def default_stages(image_shape):
    """Stride-2 stages: halve both sides while they stay even and the halves >= 4;
    at least two where the sides divide by 4 (the small nets of before)."""
    height, width = image_shape[:2]
    stages = 0
    while height % 2 == 0 and width % 2 == 0 and min(height, width) // 2 >= 4:
        height, width, stages = height // 2, width // 2, stages + 1
    return max(stages, 2) if image_shape[0] % 4 == 0 and image_shape[1] % 4 == 0 else stages


def check_stages(image_shape, stages):
    stages = default_stages(image_shape) if stages is None else int(stages)
    height, width = image_shape[:2]
    if stages < 1 or height % 2**stages or width % 2**stages:
        raise ValueError(
            f"image height and width must divide by 2^stages = {2**stages} "
            f"(stages >= 1); got {tuple(image_shape)}."
        )
    return stages


def dcgan_init():
    return keras.initializers.RandomNormal(0.0, 0.02)


def batch_norm():
    """Batch norm whose statistics span the global batch under tf.distribute
    (all-reduced over replicas), so a distributed step equals the one-device step;
    one fused kernel per training call in mixed precision (`networks.batch_norm`)."""
    return bn.BatchNormalization(synchronized=True)


def conv_generator(
    latent_dim,
    image_shape=(28, 28, 1),
    base_filters=64,
    num_classes=None,
    name="generator",
    hidden=(),
    stages=None,
):
    """`hidden`: widths of fully connected layers (BN + ReLU) before the projection
    to the first map, as InfoGAN's G has one of 1024. `stages`: None follows the
    image (`default_stages`); 2 is the network of versions before 0.2."""
    height, width, channels = image_shape
    stages = check_stages(image_shape, stages)
    size = 2**stages
    z = latent_input(latent_dim)
    h = z
    if num_classes is not None:
        labels, one_hot = label_input(num_classes)
        h = keras.layers.Concatenate()([z, one_hot])
    for units in hidden:
        h = keras.layers.Dense(units, use_bias=False, kernel_initializer=dcgan_init())(h)
        h = keras.layers.ReLU()(batch_norm()(h))
    top = base_filters * 2 ** (stages - 1)
    h = keras.layers.Dense(
        (height // size) * (width // size) * top, use_bias=False, kernel_initializer=dcgan_init()
    )(h)
    h = batch_norm()(h)
    h = keras.layers.ReLU()(h)
    h = keras.layers.Reshape((height // size, width // size, top))(h)
    for stage in range(stages - 2, -1, -1):
        # Runs small deep maps as a matmul on CPUs (patch_conv).
        h = patch_conv.Conv2DTranspose(
            base_filters * 2**stage,
            4,
            strides=2,
            padding="same",
            use_bias=False,
            kernel_initializer=dcgan_init(),
        )(h)
        h = batch_norm()(h)
        h = keras.layers.ReLU()(h)
    out = keras.layers.Conv2DTranspose(
        channels,
        4,
        strides=2,
        padding="same",
        activation="tanh",
        kernel_initializer=dcgan_init(),
        dtype="float32",
        name="image",
    )(h)
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


def conv_discriminator(
    image_shape=(28, 28, 1),
    base_filters=64,
    num_classes=None,
    normalization="batch",
    name="discriminator",
    stages=None,
):
    x = keras.Input(shape=tuple(image_shape), name="image")
    h = x
    if num_classes is not None:
        labels, one_hot = label_input(num_classes)
        maps = keras.layers.Reshape((1, 1, num_classes))(one_hot)
        maps = keras.layers.UpSampling2D(size=tuple(image_shape[:2]))(maps)
        h = keras.layers.Concatenate()([x, maps])
    h = keras.layers.Conv2D(
        base_filters, 4, strides=2, padding="same", kernel_initializer=dcgan_init()
    )(h)
    h = keras.layers.LeakyReLU(0.2)(h)
    for stage in range(1, check_stages(image_shape, stages)):
        # A Conv2D that runs small deep maps as a matmul on CPUs (patch_conv).
        h = patch_conv.Conv2D(
            base_filters * 2**stage,
            4,
            strides=2,
            padding="same",
            use_bias=normalization is None,
            kernel_initializer=dcgan_init(),
        )(h)
        h = _normalization(normalization)(h)
        h = keras.layers.LeakyReLU(0.2)(h)
    h = keras.layers.Flatten()(h)
    logit = keras.layers.Dense(1, kernel_initializer=dcgan_init(), dtype="float32", name="logit")(h)
    return keras.Model([x, labels] if num_classes is not None else x, logit, name=name)
