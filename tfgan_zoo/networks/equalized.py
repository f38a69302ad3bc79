"""Layers of Progressive GAN (Karras et al. 2018) shared with StyleGAN.

- Equalized learning rate: weights are drawn from N(0, 1) and scaled at run
  time by He's constant gain / sqrt(fan_in), so Adam's per-weight step sizes
  are the same for every layer whatever its fan-in. `lr_multiplier` slows a
  layer down (StyleGAN's mapping network uses 0.01).
- `PixelNorm`: each pixel's feature vector scaled to unit mean square.
- `MinibatchStdDev`: one extra channel holding the mean standard deviation of
  features over a group of samples, so D can see a lack of variety.
"""

import math

import keras
from keras import ops

SQRT2 = math.sqrt(2.0)


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class EqualizedDense(keras.layers.Layer):
    def __init__(self, units, gain=SQRT2, lr_multiplier=1.0, bias_initial=0.0, **kwargs):
        super().__init__(**kwargs)
        self.units, self.gain = int(units), float(gain)
        self.lr_multiplier, self.bias_initial = float(lr_multiplier), float(bias_initial)

    def build(self, shape):
        fan_in = int(shape[-1])
        self.kernel = self.add_weight(
            name="kernel",
            shape=(fan_in, self.units),
            initializer=keras.initializers.RandomNormal(stddev=1.0 / self.lr_multiplier),
        )
        self.bias = self.add_weight(
            name="bias",
            shape=(self.units,),
            initializer=keras.initializers.Constant(self.bias_initial / self.lr_multiplier),
        )
        self.scale = self.gain / math.sqrt(fan_in) * self.lr_multiplier

    def call(self, x):
        kernel = ops.cast(self.kernel, x.dtype) * self.scale
        return ops.matmul(x, kernel) + ops.cast(self.bias, x.dtype) * self.lr_multiplier

    def compute_output_shape(self, shape):
        return (*shape[:-1], self.units)

    def get_config(self):
        return dict(
            super().get_config(),
            units=self.units,
            gain=self.gain,
            lr_multiplier=self.lr_multiplier,
            bias_initial=self.bias_initial,
        )


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class EqualizedConv2D(keras.layers.Layer):
    """A stride-1 'same' convolution with an equalized learning rate."""

    def __init__(self, filters, kernel_size=3, gain=SQRT2, use_bias=True, **kwargs):
        super().__init__(**kwargs)
        self.filters, self.kernel_size = int(filters), int(kernel_size)
        self.gain, self.use_bias = float(gain), bool(use_bias)

    def build(self, shape):
        channels = int(shape[-1])
        self.kernel = self.add_weight(
            name="kernel",
            shape=(self.kernel_size, self.kernel_size, channels, self.filters),
            initializer=keras.initializers.RandomNormal(stddev=1.0),
        )
        self.bias = (
            self.add_weight(name="bias", shape=(self.filters,), initializer="zeros")
            if self.use_bias
            else None
        )
        self.scale = self.gain / math.sqrt(channels * self.kernel_size**2)

    def call(self, x):
        y = ops.conv(x, ops.cast(self.kernel, x.dtype) * self.scale, padding="same")
        return y if self.bias is None else y + ops.cast(self.bias, x.dtype)

    def compute_output_shape(self, shape):
        return (*shape[:-1], self.filters)

    def get_config(self):
        return dict(
            super().get_config(),
            filters=self.filters,
            kernel_size=self.kernel_size,
            gain=self.gain,
            use_bias=self.use_bias,
        )


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class PixelNorm(keras.layers.Layer):
    def __init__(self, epsilon=1e-8, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = float(epsilon)

    def call(self, x):
        return x * ops.rsqrt(ops.mean(ops.square(x), axis=-1, keepdims=True) + self.epsilon)

    def get_config(self):
        return dict(super().get_config(), epsilon=self.epsilon)


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class MinibatchStdDev(keras.layers.Layer):
    """Appends the group-wise feature standard deviation (averaged to one number
    per group) as a channel. Groups are `group_size` consecutive samples; a batch
    that does not divide into them forms one group."""

    def __init__(self, group_size=4, epsilon=1e-8, **kwargs):
        super().__init__(**kwargs)
        self.group_size, self.epsilon = int(group_size), float(epsilon)

    def call(self, x):
        shape = ops.shape(x)
        batch, height, width, channels = shape[0], shape[1], shape[2], shape[3]
        group = ops.where(batch % self.group_size == 0, self.group_size, batch)
        grouped = ops.reshape(x, (group, -1, height, width, channels))  # [G, M, H, W, C]
        variance = ops.mean(ops.square(grouped - ops.mean(grouped, axis=0)), axis=0)
        std = ops.mean(ops.sqrt(variance + self.epsilon), axis=(1, 2, 3))  # [M]
        # Sample i belongs to group i mod M (as the reshape laid them out).
        per_sample = ops.tile(std, (group,))[:, None, None, None]
        return ops.concatenate([x, ops.ones_like(x[..., :1]) * per_sample], axis=-1)

    def compute_output_shape(self, shape):
        return (*shape[:-1], shape[-1] + 1)

    def get_config(self):
        return dict(super().get_config(), group_size=self.group_size, epsilon=self.epsilon)
