"""Networks for image-to-image translation.

- `unet_generator` (pix2pix, Isola et al. 2017): stride-2 conv encoder, transposed
  conv decoder, a skip from each encoder level to its mirror; dropout in the
  inner decoder levels is G's only noise. With `latent_dim`, z is tiled and
  concatenated to the input image (BicycleGAN's "add to input").
- `patch_discriminator` (PatchGAN): a fully convolutional D giving one logit per
  patch; `downsamplings` sets the patch size (`receptive_field` says how big).
  With `conditional`, it sees the source image beside the output.
- `resnet_generator` (CycleGAN, Zhu et al. 2017): c7s1 - two stride-2 downs -
  residual blocks - two ups - c7s1, reflection padding, instance norm.
- `latent_encoder` (BicycleGAN's E): image -> (mean, log variance) of q(z | B).

Sizes: U-Net images need sides divisible by 2**depth; ResNet ones by 4.
"""

import keras
from keras import ops

from tfgan_zoo.networks.batch_norm import BatchNormalization


def normalization(kind):
    """Batch norm (pix2pix), instance norm (CycleGAN: one group per channel,
    i.e. `GroupNormalization(groups=-1)`), or none."""
    if kind == "batch":
        return BatchNormalization(synchronized=True)
    if kind == "instance":
        return keras.layers.GroupNormalization(groups=-1, epsilon=1e-5)
    if kind is None:
        return keras.layers.Identity()
    raise ValueError(f"normalization must be 'batch', 'instance' or None, got {kind!r}.")


def _init():
    return keras.initializers.RandomNormal(0.0, 0.02)


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class ReflectionPadding2D(keras.layers.Layer):
    """Pads height and width by mirroring (CycleGAN's borders, free of zero-padding artefacts)."""

    def __init__(self, padding=1, **kwargs):
        super().__init__(**kwargs)
        self.padding = int(padding)

    def call(self, x):
        p = self.padding
        return ops.pad(x, [[0, 0], [p, p], [p, p], [0, 0]], mode="reflect")

    def compute_output_shape(self, shape):
        grow = lambda n: None if n is None else n + 2 * self.padding  # noqa: E731
        return (shape[0], grow(shape[1]), grow(shape[2]), shape[3])

    def get_config(self):
        return dict(super().get_config(), padding=self.padding)


def _check_sides(image_shape, factor, what):
    if image_shape[0] % factor or image_shape[1] % factor:
        raise ValueError(f"{what} needs image sides divisible by {factor}; got {image_shape}.")


def unet_generator(
    image_shape=(28, 28, 1),
    filters=32,
    depth=2,
    bottleneck=2,
    dropout=0.5,
    out_channels=None,
    latent_dim=0,
    norm="batch",
    name="generator",
):
    """U-Net: `depth` stride-2 levels, `bottleneck` 3x3 convs at the coarsest one
    (a wider receptive field than depth alone gives small images), skips."""
    _check_sides(image_shape, 2**depth, "a U-Net of this depth")
    source = keras.Input(shape=tuple(image_shape), name="source")
    inputs, h = [source], source
    if latent_dim:
        z = keras.Input(shape=(latent_dim,), name="z")
        inputs.append(z)
        tiled = keras.layers.Reshape((1, 1, latent_dim))(z)
        tiled = keras.layers.UpSampling2D(size=tuple(image_shape[:2]))(tiled)
        h = keras.layers.Concatenate()([source, tiled])
    skips = []
    for level in range(depth):
        h = keras.layers.Conv2D(
            filters * 2**level,
            4,
            strides=2,
            padding="same",
            kernel_initializer=_init(),
            use_bias=level == 0,
        )(h)
        if level:
            h = normalization(norm)(h)
        h = keras.layers.LeakyReLU(0.2)(h)
        skips.append(h)
    for _ in range(bottleneck):
        h = keras.layers.Conv2D(
            filters * 2 ** (depth - 1),
            3,
            padding="same",
            use_bias=False,
            kernel_initializer=_init(),
        )(h)
        h = normalization(norm)(h)
        h = keras.layers.ReLU()(h)
        if dropout:
            h = keras.layers.Dropout(dropout)(h)
    for level in reversed(range(depth)):
        h = keras.layers.Concatenate()([h, skips[level]])
        width = filters * 2 ** (level - 1) if level else filters
        h = keras.layers.Conv2DTranspose(
            width, 4, strides=2, padding="same", use_bias=False, kernel_initializer=_init()
        )(h)
        h = normalization(norm)(h)
        if dropout and level == depth - 1:
            h = keras.layers.Dropout(dropout)(h)  # noise in the innermost decoder level
        h = keras.layers.ReLU()(h)
    out = keras.layers.Conv2D(
        out_channels or image_shape[-1],
        3,
        padding="same",
        activation="tanh",
        dtype="float32",
        name="image",
    )(h)
    return keras.Model(inputs if latent_dim else source, out, name=name)


def patch_discriminator(
    image_shape=(28, 28, 1),
    filters=32,
    downsamplings=1,
    conditional=True,
    norm="batch",
    name="discriminator",
):
    """PatchGAN: `downsamplings` stride-2 4x4 convs, then a stride-1 4x4 conv and a
    4x4 conv to one logit per patch. The receptive field (patch side) is
    `patch_receptive_field(downsamplings)`: 16 px for 1, 34 for 2, 70 for 3."""
    image = keras.Input(shape=tuple(image_shape), name="image")
    inputs, h = [image], image
    if conditional:
        source = keras.Input(shape=tuple(image_shape), name="source")
        inputs = [image, source]
        h = keras.layers.Concatenate()([source, image])
    for level in range(downsamplings):
        h = keras.layers.Conv2D(
            filters * 2**level,
            4,
            strides=2,
            padding="same",
            kernel_initializer=_init(),
            use_bias=level == 0,
        )(h)
        if level:
            h = normalization(norm)(h)
        h = keras.layers.LeakyReLU(0.2)(h)
    h = keras.layers.Conv2D(
        filters * 2**downsamplings, 4, padding="same", use_bias=False, kernel_initializer=_init()
    )(h)
    h = normalization(norm)(h)
    h = keras.layers.LeakyReLU(0.2)(h)
    logits = keras.layers.Conv2D(
        1, 4, padding="same", kernel_initializer=_init(), dtype="float32", name="patch_logits"
    )(h)
    return keras.Model(inputs if conditional else image, logits, name=name)


def patch_receptive_field(downsamplings):
    """Side in pixels of the input patch one PatchGAN logit sees: walk back
    through (kernel, stride) = (4, 1), (4, 1), then `downsamplings` x (4, 2)."""
    side = 1
    for kernel, stride in [(4, 1), (4, 1)] + [(4, 2)] * downsamplings:
        side = (side - 1) * stride + kernel
    return side


def resnet_generator(image_shape=(28, 28, 1), filters=16, blocks=3, name="generator"):
    _check_sides(image_shape, 4, "the ResNet generator")
    image = keras.Input(shape=tuple(image_shape), name="image")

    def conv(h, width, kernel, stride=1, pad=0):
        if pad:
            h = ReflectionPadding2D(pad)(h)
        h = keras.layers.Conv2D(
            width,
            kernel,
            strides=stride,
            padding="valid" if pad or stride == 1 else "same",
            kernel_initializer=_init(),
            use_bias=False,
        )(h)
        return normalization("instance")(h)

    h = keras.layers.ReLU()(conv(image, filters, 7, pad=3))
    h = keras.layers.ReLU()(conv(h, filters * 2, 3, stride=2))
    h = keras.layers.ReLU()(conv(h, filters * 4, 3, stride=2))
    for _ in range(blocks):
        r = keras.layers.ReLU()(conv(h, filters * 4, 3, pad=1))
        h = keras.layers.Add()([h, conv(r, filters * 4, 3, pad=1)])
    for width in (filters * 2, filters):
        h = keras.layers.Conv2DTranspose(
            width, 3, strides=2, padding="same", use_bias=False, kernel_initializer=_init()
        )(h)
        h = keras.layers.ReLU()(normalization("instance")(h))
    h = ReflectionPadding2D(3)(h)
    out = keras.layers.Conv2D(
        image_shape[-1],
        7,
        activation="tanh",
        dtype="float32",
        kernel_initializer=_init(),
        name="translated",
    )(h)
    return keras.Model(image, out, name=name)


def latent_encoder(image_shape=(28, 28, 1), filters=32, latent_dim=8, name="encoder"):
    """E(B) -> [mean, log variance] of a diagonal Gaussian over z, as one
    [batch, 2 * latent_dim] float32 tensor."""
    image = keras.Input(shape=tuple(image_shape), name="image")
    h = image
    for level in range(2):
        h = keras.layers.Conv2D(
            filters * 2**level, 4, strides=2, padding="same", kernel_initializer=_init()
        )(h)
        h = keras.layers.LeakyReLU(0.2)(h)
    h = keras.layers.GlobalAveragePooling2D()(h)
    stats = keras.layers.Dense(2 * latent_dim, dtype="float32", name="posterior")(h)
    return keras.Model(image, stats, name=name)


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class ChannelSlice(keras.layers.Layer):
    """Channels [start, stop) of an image batch (splits an image pair apart)."""

    def __init__(self, start, stop, **kwargs):
        super().__init__(**kwargs)
        self.start, self.stop = int(start), int(stop)

    def call(self, x):
        return x[..., self.start : self.stop]

    def compute_output_shape(self, shape):
        return (*shape[:-1], self.stop - self.start)

    def get_config(self):
        return dict(super().get_config(), start=self.start, stop=self.stop)


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class ImagePool(keras.layers.Layer):
    """A history of generated images for one discriminator (Shrivastava et al.
    2017; CycleGAN keeps 50 per D). Until full, images are stored and passed
    through; then each image is, with probability 1/2, swapped for a stored one
    (which it replaces). `query(images, uniform, slot_keys)` takes the random
    draws from the caller, so the engine's seeded noise decides. The pool is
    state of the model: it is saved with it."""

    def __init__(self, size=50, **kwargs):
        super().__init__(**kwargs)
        self.size = int(size)

    def build(self, input_shape):
        self.images = self.add_weight(
            name="images", shape=(self.size, *input_shape[1:]), initializer="zeros", trainable=False
        )
        self.count = self.add_weight(
            name="count", shape=(), dtype="int32", initializer="zeros", trainable=False
        )

    def call(self, images):
        return images

    def query(self, images, uniform, slot_keys):
        """`uniform` [n] in (0, 1): image i is swapped when uniform[i] < 1/2.
        `slot_keys` [size] in (0, 1): ranking them gives a random order of the
        slots, and image i may only take the slot ranked i, so one query never
        writes two images to one slot (one of them would be lost). Images past
        the first `size` of a batch pass through. Every write is a `where` over
        the whole pool, with static shapes (no scatter, no boolean masks)."""
        import tensorflow as tf

        if self.size == 0:
            return images
        images = tf.cast(images, self.images.dtype)
        n = tf.shape(images)[0]

        def fill():
            # Slot j takes image j - count while there is room.
            offset = tf.range(self.size) - self.count
            takes = (offset >= 0) & (offset < n)
            incoming = tf.gather(images, tf.clip_by_value(offset, 0, n - 1))
            self.images.assign(tf.where(_per_image(takes), incoming, self.images))
            self.count.assign(tf.minimum(self.count + n, self.size))
            return images

        def swap():
            order = tf.argsort(slot_keys)  # a permutation: the slot of rank i
            position = tf.range(n)
            slot = tf.gather(order, tf.minimum(position, self.size - 1))
            chosen = (uniform < 0.5) & (position < self.size)
            out = tf.where(_per_image(chosen), tf.gather(self.images, slot), images)
            # Slot j is written by the image of its rank r, if that one was chosen.
            rank = tf.math.invert_permutation(order)
            writer = tf.minimum(rank, n - 1)
            takes = (rank < n) & tf.gather(chosen, writer)
            self.images.assign(tf.where(_per_image(takes), tf.gather(images, writer), self.images))
            return out

        return tf.cond(self.count < self.size, fill, swap)

    def load_own_variables(self, store):
        # A file without this pool (a CycleGAN saved by 0.1.0 kept one pool of
        # pairs, which the model restores itself) leaves it as it is.
        if len(store.keys()):
            super().load_own_variables(store)

    def get_config(self):
        return dict(super().get_config(), size=self.size)


def _per_image(mask):
    """A [n] boolean mask broadcast over [n, H, W, C] images."""
    return mask[:, None, None, None]
