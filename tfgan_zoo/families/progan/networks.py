"""Progressive GAN networks (Karras et al. 2018): every level in one network.

As in the original TF implementation's "linear" structure, each network holds
every level (4×4, 8×8, ... up to the target), and a float `level` (a
non-trainable weight of each network) says which of them count:

- level 0 is 4×4; level k works at 2^(k+2) × 2^(k+2). With L = floor(level)
  and α = level − L, G's output is lerp(upsample(toRGB_L), toRGB_{L+1}, α)
  nearest-upsampled to the full resolution, and D reads its full-resolution
  input only through the average-pooled image at levels L and L + 1 (the
  new level's fromRGB → block output lerped with the pooled image through
  the lower fromRGB, with the same α). At an integer level L, G's output is
  exactly the nearest-upsampled toRGB_L of the level-L features.
- Each network holds one branch per level (`ops.switch`, a `tf.switch_case`
  in a graph) and runs only the one for ceil(level): the levels above it would
  be blended in with weight 0, so a step at 8×8 computes the 8×8 networks only
  and gives the same outputs and gradients (0 for the unused levels) as the
  whole network would. One traced function serves the whole schedule this way.
- While the GAN traces a training step for one top level (`static_top`, a Python
  int set only during that tracing), the networks run that level's branch with
  no switch at all, and `level_variables` tells which weights it can move.

Layers: equalized learning rate everywhere, pixel norm after every conv of G,
LeakyReLU(0.2), nearest upsampling and 2×2 average pooling, toRGB / fromRGB as
1×1 convs, minibatch standard deviation before D's 4×4 head. G's output is
linear (no tanh), as in the paper; the GAN clips samples to the data range.
"""

import functools
import math

import keras
from keras import ops

from tfgan_zoo.networks.equalized import (
    SQRT2,
    EqualizedConv2D,
    EqualizedDense,
    MinibatchStdDev,
    PixelNorm,
)


def num_levels_for(resolution):
    """Levels of a square target: 4 -> 1, 8 -> 2, 32 -> 4; ValueError unless a power of two >= 4."""
    resolution = int(resolution)
    if resolution < 4 or resolution & (resolution - 1):
        raise ValueError(f"resolution must be a power of two >= 4, got {resolution}.")
    return int(math.log2(resolution)) - 1


def default_filters(image_shape, fmap_base=1024, fmap_max=64):
    """Feature maps per level (4×4 first) for images of `image_shape`: the paper's
    rule min(fmap_max, fmap_base / 2^(k+1)) for level k (at least 1). The paper
    uses base 8192 / max 512: 512 maps up to 32×32, halving from 64×64 on. The
    defaults keep its proportions (base = 16 × max) at an eighth of its widths:
    (64, 64, 64, 64) at 32×32, (64, 64, 64, 64, 32) at 64×64. The widths of the
    low levels set what the early phases cost against the last one."""
    return tuple(
        max(1, min(int(fmap_max), int(fmap_base) // 2 ** (k + 1)))
        for k in range(num_levels_for(image_shape[0]))
    )


def lerp(a, b, t):
    """a·(1 − t) + b·t: exactly `a` at t = 0 and exactly `b` at t = 1 (for finite inputs)."""
    return a * (1.0 - t) + b * t


def lower_weight(level, k):
    """Weight of the lower (upsampled / pooled) branch where level k is blended in:
    1 below level k − 1, 0 from level k on, 1 − α in between."""
    return ops.clip(float(k) - level, 0.0, 1.0)


def upsample(x, factor=2):
    """Nearest-neighbour upsampling of [N, H, W, C] by an integer factor."""
    if factor == 1:
        return x
    # One resize op (each output pixel copies pixel i // factor): cheaper than two repeats.
    size = (int(x.shape[1]) * factor, int(x.shape[2]) * factor)
    return ops.image.resize(x, size, interpolation="nearest")


def downsample(x, factor=2):
    """Average pooling of [N, H, W, C] over factor × factor blocks."""
    if factor == 1:
        return x
    return ops.average_pool(x, factor, strides=factor, padding="valid")


def blend_resolutions(images, level, num_levels):
    """Full-resolution images as D should see them at `level`: averaged down to
    the level's resolution, blended with α between the two adjacent ones exactly
    like G's output, nearest-upsampled back to full size."""
    pyramid = [images]
    for _ in range(num_levels - 1):
        pyramid.append(downsample(pyramid[-1]))
    pyramid = pyramid[::-1]  # 4×4 first
    level = ops.cast(level, images.dtype)
    out = pyramid[0]
    for k in range(1, num_levels):
        out = lerp(pyramid[k], upsample(out), lower_weight(level, k))
    return out


def top_level_index(level, num_levels):
    """ceil(level) as an int32 index in [0, num_levels − 1]: the highest level
    whose weight in the blend is not 0, so the branch a step runs."""
    return ops.cast(ops.clip(ops.ceil(level), 0.0, float(num_levels - 1)), "int32")


def level_variables(layer, top):
    """The trainable weights of a progressive layer that levels 0..top use."""
    sublayers = [layer.dense] if isinstance(layer, ProgressiveGenerator) else []
    if isinstance(layer, ProgressiveGenerator):
        sublayers += [layer.convs[0]] + layer.convs[1 : 2 * top + 1] + layer.to_rgb[: top + 1]
    else:
        sublayers += layer.from_rgb[: top + 1] + layer.convs[: 2 * top]
        sublayers += [layer.head_conv, layer.head_dense, layer.logit]
    return [v for sublayer in sublayers for v in sublayer.trainable_variables]


def _lrelu(x):
    return ops.leaky_relu(x, 0.2)


def _level_weight(layer):
    # Set by the GAN each step; copied (as a non-trainable weight) into the EMA copy of G.
    return layer.add_weight(
        name="level",
        shape=(),
        initializer="zeros",
        trainable=False,
        aggregation="only_first_replica",
    )


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class ProgressiveGenerator(keras.layers.Layer):
    """z [N, latent] -> images [N, R, R, channels] at the current `level`.

    Level 0: PixelNorm(z) -> dense to 4×4×f0 -> LReLU -> PixelNorm -> conv3×3 ->
    LReLU -> PixelNorm. Level k: upsample ×2, then twice conv3×3 -> LReLU -> PixelNorm.
    Each level has a linear 1×1 toRGB with gain 1.
    """

    def __init__(self, resolution=32, channels=1, filters=(64, 64, 64, 64), **kwargs):
        super().__init__(**kwargs)
        self.resolution, self.channels = int(resolution), int(channels)
        self.filters = tuple(int(f) for f in filters)
        self.num_levels = num_levels_for(self.resolution)
        self.static_top = None  # see the module docstring
        if len(self.filters) != self.num_levels:
            raise ValueError(
                f"{self.resolution}×{self.resolution} has {self.num_levels} levels; "
                f"got filters for {len(self.filters)}: {self.filters}."
            )
        f = self.filters
        self.pixel_norm = PixelNorm()
        # The paper's gain sqrt(2)/4 for the dense layer (its output is 16 pixels wide).
        self.dense = EqualizedDense(16 * f[0], gain=SQRT2 / 4, name="dense")
        # Flat list: level 0 has one conv, every other level two.
        self.convs = [EqualizedConv2D(f[0], 3, name="conv_0")]
        for k in range(1, self.num_levels):
            self.convs += [
                EqualizedConv2D(f[k], 3, name=f"conv_{k}a"),
                EqualizedConv2D(f[k], 3, name=f"conv_{k}b"),
            ]
        self.to_rgb = [
            EqualizedConv2D(self.channels, 1, gain=1.0, name=f"to_rgb_{k}")
            for k in range(self.num_levels)
        ]

    def build(self, shape):
        self.level = _level_weight(self)
        f = self.filters
        self.dense.build((None, int(shape[-1])))
        self.pixel_norm.build((None, int(shape[-1])))  # weightless, but marked built
        self.convs[0].build((None, 4, 4, f[0]))
        self.to_rgb[0].build((None, 4, 4, f[0]))
        for k in range(1, self.num_levels):
            size = 4 * 2**k
            self.convs[2 * k - 1].build((None, size, size, f[k - 1]))
            self.convs[2 * k].build((None, size, size, f[k]))
            self.to_rgb[k].build((None, size, size, f[k]))

    def _conv(self, index, x):
        return self.pixel_norm(_lrelu(self.convs[index](x)))

    def level_features(self, z):
        """The features of every level, [4×4×f0, 8×8×f1, ...] (before toRGB)."""
        h = self.dense(self.pixel_norm(z))
        h = self.pixel_norm(_lrelu(ops.reshape(h, (-1, 4, 4, self.filters[0]))))
        features = [self._conv(0, h)]
        for k in range(1, self.num_levels):
            h = upsample(features[-1])
            features.append(self._conv(2 * k, self._conv(2 * k - 1, h)))
        return features

    def level_output(self, z, top):
        """The output when the level is at most `top` (a Python int): only levels
        0..top are computed; the levels above would be blended in with weight 0,
        so the output is level `top`'s, nearest-upsampled to full size."""
        h = self.dense(self.pixel_norm(z))
        h = self.pixel_norm(_lrelu(ops.reshape(h, (-1, 4, 4, self.filters[0]))))
        features = self._conv(0, h)
        level = ops.cast(self.level, features.dtype)
        out = self.to_rgb[0](features)
        for k in range(1, top + 1):
            features = self._conv(2 * k, self._conv(2 * k - 1, upsample(features)))
            out = lerp(self.to_rgb[k](features), upsample(out), lower_weight(level, k))
        return upsample(out, 2 ** (self.num_levels - 1 - top))

    def call(self, z):
        if self.static_top is not None:
            return self.level_output(z, self.static_top)
        return ops.switch(
            top_level_index(self.level, self.num_levels),
            [functools.partial(self.level_output, top=k) for k in range(self.num_levels)],
            z,
        )

    def compute_output_shape(self, shape):
        return (shape[0], self.resolution, self.resolution, self.channels)

    def get_config(self):
        return dict(
            super().get_config(),
            resolution=self.resolution,
            channels=self.channels,
            filters=list(self.filters),
        )


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class ProgressiveDiscriminator(keras.layers.Layer):
    """images [N, R, R, channels] (always full resolution) -> one logit per image.

    fromRGB_k: 1×1 conv to f_k -> LReLU. Level k >= 1: conv3×3 to f_k -> LReLU ->
    conv3×3 to f_{k-1} -> LReLU -> 2×2 average pool. 4×4 head: MinibatchStdDev ->
    conv3×3 f0 -> LReLU -> flatten -> dense f0 -> LReLU -> dense to 1 (gain 1).
    """

    def __init__(self, resolution=32, channels=1, filters=(64, 64, 64, 64), group_size=4, **kwargs):
        super().__init__(**kwargs)
        self.resolution, self.channels = int(resolution), int(channels)
        self.filters = tuple(int(f) for f in filters)
        self.group_size = int(group_size)
        self.num_levels = num_levels_for(self.resolution)
        self.static_top = None  # see the module docstring
        if len(self.filters) != self.num_levels:
            raise ValueError(
                f"{self.resolution}×{self.resolution} has {self.num_levels} levels; "
                f"got filters for {len(self.filters)}: {self.filters}."
            )
        f = self.filters
        self.from_rgb = [
            EqualizedConv2D(f[k], 1, name=f"from_rgb_{k}") for k in range(self.num_levels)
        ]
        self.convs = []
        for k in range(1, self.num_levels):
            self.convs += [
                EqualizedConv2D(f[k], 3, name=f"conv_{k}a"),
                EqualizedConv2D(f[k - 1], 3, name=f"conv_{k}b"),
            ]
        self.minibatch_std = MinibatchStdDev(self.group_size)
        self.head_conv = EqualizedConv2D(f[0], 3, name="head_conv")
        self.head_dense = EqualizedDense(f[0], name="head_dense")
        self.logit = EqualizedDense(1, gain=1.0, name="logit")

    def build(self, shape):
        self.level = _level_weight(self)
        f = self.filters
        for k in range(self.num_levels):
            size = 4 * 2**k
            self.from_rgb[k].build((None, size, size, self.channels))
            if k:
                self.convs[2 * k - 2].build((None, size, size, f[k]))
                self.convs[2 * k - 1].build((None, size, size, f[k]))
        self.minibatch_std.build((None, 4, 4, f[0]))  # weightless, but marked built
        self.head_conv.build((None, 4, 4, f[0] + 1))
        self.head_dense.build((None, 16 * f[0]))
        self.logit.build((None, f[0]))

    def block(self, k, x):
        """Level k's block: 2^(k+2) pixels, f_k channels in, half size and f_{k-1} out."""
        x = _lrelu(self.convs[2 * k - 1](_lrelu(self.convs[2 * k - 2](x))))
        return downsample(x)

    def head(self, x):
        """The 4×4 head: features [N, 4, 4, f0] -> logits [N, 1]."""
        x = _lrelu(self.head_conv(self.minibatch_std(x)))
        x = _lrelu(self.head_dense(ops.reshape(x, (-1, 16 * self.filters[0]))))
        return self.logit(x)

    def level_logits(self, images, top):
        """The logits when the level is at most `top` (a Python int): the image is
        averaged down to level `top`'s size and only levels top..0 run (above it
        the pooled branch has weight 1, so the same logits)."""
        level = ops.cast(self.level, images.dtype)
        for _ in range(self.num_levels - 1 - top):
            images = downsample(images)
        x = _lrelu(self.from_rgb[top](images))
        for k in range(top, 0, -1):
            images = downsample(images)
            lower = _lrelu(self.from_rgb[k - 1](images))
            x = lerp(self.block(k, x), lower, lower_weight(level, k))
        return self.head(x)

    def call(self, images):
        if self.static_top is not None:
            return self.level_logits(images, self.static_top)
        return ops.switch(
            top_level_index(self.level, self.num_levels),
            [functools.partial(self.level_logits, top=k) for k in range(self.num_levels)],
            images,
        )

    def compute_output_shape(self, shape):
        return (shape[0], 1)

    def get_config(self):
        return dict(
            super().get_config(),
            resolution=self.resolution,
            channels=self.channels,
            filters=list(self.filters),
            group_size=self.group_size,
        )


def progan_generator(latent_dim, resolution=32, channels=1, filters=(64, 64, 64, 64)):
    z = keras.Input(shape=(int(latent_dim),), name="z")
    images = ProgressiveGenerator(resolution, channels, filters, name="progressive")(z)
    # Float32 out under a mixed-precision policy, as the other generators.
    images = keras.layers.Activation("linear", dtype="float32", name="image")(images)
    return keras.Model(z, images, name="generator")


def progan_discriminator(resolution=32, channels=1, filters=(64, 64, 64, 64), group_size=4):
    images = keras.Input(shape=(int(resolution), int(resolution), int(channels)), name="image")
    logit = ProgressiveDiscriminator(resolution, channels, filters, group_size, name="progressive")(
        images
    )
    logit = keras.layers.Activation("linear", dtype="float32", name="logit")(logit)
    return keras.Model(images, logit, name="discriminator")


def progressive_layer(network):
    """The `ProgressiveGenerator` / `ProgressiveDiscriminator` inside a network."""
    for layer in network.layers:
        if isinstance(layer, (ProgressiveGenerator, ProgressiveDiscriminator)):
            return layer
    raise ValueError(f"{network.name} holds no progressive layer.")
