"""StyleGAN networks (Karras et al. 2019), sized for small images.

G = synthesis ∘ mapping. The mapping network (PixelNorm, then `depth` dense
layers at 1/100 of the learning rate) turns z into w. The synthesis network
starts from a learned 4×4 constant (initialised to ones, as the authors' code);
each higher resolution doubles the size by nearest-neighbour upsampling, a 3×3
conv and the binomial low-pass filter [1, 2, 1] ⊗ [1, 2, 1] / 16 (the paper's
"bilinear" resampling; `resampling="bilinear"` keeps the Keras bilinear
upsampling and unfiltered D of files saved before the filter); every layer is conv → per-pixel noise
with a learned per-channel strength → LeakyReLU → AdaIN, whose scale and bias
come from that layer's own copy of w (the `ws` input, [batch, num_ws, w_dim],
so copies can differ: style mixing and truncation act there). The noise is an
input of the synthesis network; the full generator feeds it fixed noise
images (weights drawn once), so `G(z)` is a deterministic function of z, as
sampling and serving need, while training draws fresh noise every step.
D is a ProGAN-style conv stack with a minibatch-stddev layer (with the
binomial filter before each 2×2 average pooling's conv), split into a
body (everything but the last dense layer) and a head, so an encoder can
share the body (Info-StyleGAN).
"""

import math

import keras
from keras import ops

from tfgan_zoo.families.translators.networks import ChannelSlice
from tfgan_zoo.networks.equalized import EqualizedConv2D, EqualizedDense, MinibatchStdDev, PixelNorm


def _check_resolution(image_shape, filters):
    side = int(image_shape[0])
    levels = int(math.log2(side)) - 1
    if image_shape[0] != image_shape[1] or side < 4 or 2 ** (levels + 1) != side:
        raise ValueError(
            f"StyleGAN makes square images with a power-of-two side >= 4; got "
            f"{tuple(image_shape)} (pad Fashion-MNIST to 32x32 with "
            "tfgan_zoo.data.padding.pad_images)"
        )
    if len(filters) != levels:
        raise ValueError(
            f"filters needs one width per resolution 4..{side} ({levels}); got {tuple(filters)}"
        )
    return levels


def default_filters(image_shape, widest=64, narrowest=16):
    """One width per resolution 4..side: `widest` at 4×4 and 8×8, then halving down
    to `narrowest` (32×32 gives (64, 64, 32, 16)), so any power-of-two side builds."""
    levels = int(math.log2(int(image_shape[0]))) - 1
    return tuple(max(narrowest, widest >> max(0, level - 1)) for level in range(levels))


def noise_sizes(image_shape):
    """The side of each synthesis layer's noise image, first layer first."""
    levels = int(math.log2(image_shape[0])) - 1
    return [4 * 2**level for level in range(levels) for _ in range(2)]


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class ConstantInput(keras.layers.Layer):
    """The learned 4×4 starting block, repeated over the batch of its input."""

    def __init__(self, channels, size=4, **kwargs):
        super().__init__(**kwargs)
        self.channels, self.size = int(channels), int(size)

    def build(self, shape):
        self.constant = self.add_weight(
            name="constant", shape=(self.size, self.size, self.channels), initializer="ones"
        )

    def call(self, reference):
        return ops.broadcast_to(
            ops.cast(self.constant, self.compute_dtype)[None],
            (ops.shape(reference)[0], self.size, self.size, self.channels),
        )

    def compute_output_shape(self, shape):
        return (shape[0], self.size, self.size, self.channels)

    def get_config(self):
        return dict(super().get_config(), channels=self.channels, size=self.size)


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class FixedNoise(keras.layers.Layer):
    """A noise image drawn once (a non-trainable weight), repeated over the batch."""

    def __init__(self, size, seed=0, **kwargs):
        super().__init__(**kwargs)
        self.size, self.seed = int(size), int(seed)

    def build(self, shape):
        self.noise = self.add_weight(
            name="noise",
            shape=(self.size, self.size, 1),
            trainable=False,
            initializer=keras.initializers.RandomNormal(stddev=1.0, seed=self.seed),
        )

    def call(self, reference):
        return ops.broadcast_to(
            ops.cast(self.noise, self.compute_dtype)[None],
            (ops.shape(reference)[0], self.size, self.size, 1),
        )

    def compute_output_shape(self, shape):
        return (shape[0], self.size, self.size, 1)

    def get_config(self):
        return dict(super().get_config(), size=self.size, seed=self.seed)


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class NoiseInjection(keras.layers.Layer):
    """x + s ⊙ noise with a learned strength s per channel (starting at 0)."""

    def build(self, shapes):
        self.strength = self.add_weight(
            name="strength", shape=(shapes[0][-1],), initializer="zeros"
        )

    def call(self, inputs):
        x, noise = inputs
        return x + ops.cast(self.strength, x.dtype) * ops.cast(noise, x.dtype)

    def compute_output_shape(self, shapes):
        return shapes[0]


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class AdaIN(keras.layers.Layer):
    """AdaIN(x, w) = (1 + y_s(w)) · (x − μ(x)) / σ(x) + y_b(w), per sample and
    channel, with the style (y_s, y_b) a learned affine map of w."""

    def __init__(self, epsilon=1e-5, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = float(epsilon)

    def build(self, shapes):
        x_shape, w_shape = shapes
        self.channels = int(x_shape[-1])
        self.affine = EqualizedDense(2 * self.channels, gain=1.0)
        self.affine.build(w_shape)

    def call(self, inputs):
        x, w = inputs
        mean, variance = ops.moments(x, axes=(1, 2), keepdims=True)
        normalised = (x - mean) * ops.rsqrt(variance + self.epsilon)
        style = ops.cast(self.affine(w), x.dtype)[:, None, None, :]
        return normalised * (1.0 + style[..., : self.channels]) + style[..., self.channels :]

    def compute_output_shape(self, shapes):
        return shapes[0]

    def get_config(self):
        return dict(super().get_config(), epsilon=self.epsilon)


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class StyleAt(keras.layers.Layer):
    """ws[:, index]: the copy of w one synthesis layer reads."""

    def __init__(self, index, **kwargs):
        super().__init__(**kwargs)
        self.index = int(index)

    def call(self, ws):
        return ws[:, self.index]

    def compute_output_shape(self, shape):
        return (shape[0], shape[2])

    def get_config(self):
        return dict(super().get_config(), index=self.index)


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class RepeatStyles(keras.layers.Layer):
    """w [batch, w_dim] -> ws [batch, num_ws, w_dim]."""

    def __init__(self, num_ws, **kwargs):
        super().__init__(**kwargs)
        self.num_ws = int(num_ws)

    def call(self, w):
        return ops.repeat(w[:, None, :], self.num_ws, axis=1)

    def compute_output_shape(self, shape):
        return (shape[0], self.num_ws, shape[-1])

    def get_config(self):
        return dict(super().get_config(), num_ws=self.num_ws)


RESAMPLING = ("binomial", "bilinear")


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class Blur(keras.layers.Layer):
    """Per-channel 3×3 low-pass filter [1, 2, 1] ⊗ [1, 2, 1] / 16 with zero padding
    (size kept), the filter StyleGAN applies after each upsampling and before
    each downsampling."""

    def call(self, x):
        # Separable: [1, 2, 1] / 4 down the columns, then along the rows (two
        # depthwise convs are faster on CPU than one 3×3 or shifted slices).
        taps = ops.convert_to_tensor([0.25, 0.5, 0.25], dtype=x.dtype)
        channels = int(x.shape[-1])
        down = ops.tile(ops.reshape(taps, (3, 1, 1, 1)), (1, 1, channels, 1))
        across = ops.tile(ops.reshape(taps, (1, 3, 1, 1)), (1, 1, channels, 1))
        x = ops.depthwise_conv(x, down, strides=1, padding="same")
        return ops.depthwise_conv(x, across, strides=1, padding="same")

    def compute_output_shape(self, shape):
        return shape


def check_resampling(resampling):
    if resampling not in RESAMPLING:
        raise ValueError(f"resampling must be one of {RESAMPLING}, got {resampling!r}.")
    return resampling


def mapping_network(input_dim, w_dim, depth, lr_multiplier=0.01, code_dim=0):
    """z -> w. With `code_dim`, the last entries of the input are a factor code,
    normalised on its own so that it weighs as much as z in w (normalised
    together, a 10-value one-hot code would hold 1/65 of a 64-d z's energy)."""
    z = keras.Input((input_dim,), name="z")
    if code_dim:
        h = keras.layers.Concatenate()(
            [
                PixelNorm()(ChannelSlice(0, input_dim - code_dim)(z)),
                PixelNorm()(ChannelSlice(input_dim - code_dim, input_dim)(z)),
            ]
        )
    else:
        h = PixelNorm()(z)
    for _ in range(depth):
        h = keras.layers.LeakyReLU(0.2)(EqualizedDense(w_dim, lr_multiplier=lr_multiplier)(h))
    return keras.Model(z, h, name="mapping")


def synthesis_network(image_shape, w_dim, filters, resampling="binomial"):
    """ws and noise images -> image. Each resolution above 4×4 starts with
    nearest ×2 upsampling, a 3×3 conv and the binomial filter (the authors'
    order), or with bilinear upsampling before the conv (`resampling="bilinear"`)."""
    levels = _check_resolution(image_shape, filters)
    binomial = check_resampling(resampling) == "binomial"
    sizes = noise_sizes(image_shape)
    ws = keras.Input((len(sizes), w_dim), name="ws")
    noises = [keras.Input((size, size, 1), name=f"noise_{i}") for i, size in enumerate(sizes)]
    h = ConstantInput(filters[0])(ws)
    layer = 0
    for level in range(levels):
        if level:
            h = keras.layers.UpSampling2D(interpolation="nearest" if binomial else "bilinear")(h)
        for conv in range(2):
            if level or conv:  # the constant takes the first conv's place
                h = EqualizedConv2D(filters[level], 3)(h)
            if level and conv == 0 and binomial:
                h = Blur()(h)
            h = NoiseInjection()([h, noises[layer]])
            h = keras.layers.LeakyReLU(0.2)(h)
            h = AdaIN()([h, StyleAt(layer)(ws)])
            layer += 1
    image = EqualizedConv2D(image_shape[-1], 1, gain=1.0, name="to_image")(h)
    return keras.Model([ws, *noises], image, name="synthesis")


def stylegan_generator(
    image_shape,
    latent_dim,
    w_dim,
    mapping_depth,
    filters,
    mapping_lr_multiplier=0.01,
    code_dim=0,
    resampling="binomial",
):
    """z -> image with fixed noise (see `mapping_network` for `code_dim`)."""
    mapping = mapping_network(latent_dim, w_dim, mapping_depth, mapping_lr_multiplier, code_dim)
    synthesis = synthesis_network(image_shape, w_dim, filters, resampling)
    sizes = noise_sizes(image_shape)
    z = keras.Input((latent_dim,), name="z")
    ws = RepeatStyles(len(sizes))(mapping(z))
    noises = [FixedNoise(size, seed=i, name=f"fixed_noise_{i}")(z) for i, size in enumerate(sizes)]
    return keras.Model(z, synthesis([ws, *noises]), name="stylegan_generator")


def discriminator_body(image_shape, filters, mbstd_group_size=4, resampling="binomial"):
    """Image -> features: everything of D but its last dense layer. With
    "binomial" resampling each block filters before its second conv, which the
    2×2 average pooling follows (the authors' order)."""
    levels = _check_resolution(image_shape, filters)
    binomial = check_resampling(resampling) == "binomial"
    image = keras.Input(tuple(image_shape), name="image")
    h = keras.layers.LeakyReLU(0.2)(EqualizedConv2D(filters[-1], 1)(image))
    for level in reversed(range(1, levels)):
        for conv, width in enumerate((filters[level], filters[level - 1])):
            if conv and binomial:
                h = Blur()(h)
            h = keras.layers.LeakyReLU(0.2)(EqualizedConv2D(width, 3)(h))
        h = keras.layers.AveragePooling2D(2)(h)
    h = MinibatchStdDev(mbstd_group_size)(h)
    h = keras.layers.LeakyReLU(0.2)(EqualizedConv2D(filters[0], 3)(h))
    h = keras.layers.Flatten()(h)
    h = keras.layers.LeakyReLU(0.2)(EqualizedDense(filters[0])(h))
    return keras.Model(image, h, name="d_body")


def head(body, units, name):
    """`body` followed by one linear layer: D's score (units=1) or an encoder."""
    image = keras.Input(body.input_shape[1:], name="image")
    return keras.Model(image, EqualizedDense(units, gain=1.0)(body(image)), name=name)
