"""Keras's Conv2D and Conv2DTranspose, able to run as one matrix product over patches.

A k×k convolution reads, for each output pixel, one k×k×C patch of the (padded)
input; `tf.image.extract_patches` lays those out as rows, so the layer is one
[N·H'·W', k²C] × [k²C, F] matrix product: the same taps and multiply-adds.

Why: on CPUs oneDNN's strided convolutions, as TensorFlow 2.21 calls them, are
slow for small output maps read from many channels, in bfloat16 most of all,
where its matrix product is not. Forward + backward of the paper's 64×64 DCGAN
discriminator's last layer (8×8×512 -> 4×4×1024, batch 128) on 2 AMD EPYC
vCPUs: 552 ms as a convolution and 283 as patches in bfloat16, 700 and 512 in
float32; maps of 8×8 and more, and shallower patches, favour the convolution
(tools/bench_dcgan_layers.py, docs/benchmarks.md). So `patches="auto"` takes the
product on CPUs only (GPUs have cuDNN), for stride-2-or-more layers with at most
4×4 outputs and patches at least `PATCH_MIN_DEPTH` deep for the compute dtype:
4096 in bfloat16 (1.45-1.48× there, level at 2048), 8192 in float32 (1.37-1.41×
there, 0.71-0.85× at 4096).
The choice is made when the layer is traced: a SavedModel keeps the path of
the machine that exported it (both give the same outputs). The kernel is
Conv2D's own variable, [k, k, C, F], so weights move freely between the two.

The layers are named as Keras's own on purpose: Keras files address a layer's
weights by its class's name (`conv2d_1/vars/0`), so weights saved from networks
of keras.layers.Conv2D / Conv2DTranspose (every zoo entry, every older file)
load into networks of these, and back.
"""

import keras
import numpy as np
import tensorflow as tf

PATCH_MAX_OUTPUT = 4  # output side
# k²·C from which the product won, per compute dtype (docs/benchmarks.md; others: never).
PATCH_MIN_DEPTH = {"bfloat16": 4096, "float32": 8192}


def _cpu_only():
    return not tf.config.list_logical_devices("GPU")


class _Patches:
    """The `patches` argument both layers share, and its "auto" rule."""

    def __init__(self, *args, patches="auto", **kwargs):
        super().__init__(*args, **kwargs)
        if not (isinstance(patches, bool) or patches == "auto"):
            raise ValueError(f"patches must be 'auto', True or False, got {patches!r}.")
        self.patches = patches

    def _choose(self, small_side, depth):
        """For a layer the product applies to. `small_side`: the side of the
        convolution's output (the transposed layer's input); `depth`: k²·channels
        of its patches."""
        if self.patches is False:
            return False
        if self.patches is True:
            return True
        return (
            min(self.strides) > 1  # measured on stride-2 layers only
            and small_side <= PATCH_MAX_OUTPUT
            and depth >= PATCH_MIN_DEPTH.get(self.compute_dtype, float("inf"))
            and _cpu_only()
        )

    def get_config(self):
        return {**super().get_config(), "patches": self.patches}


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class Conv2D(_Patches, keras.layers.Conv2D):
    """keras.layers.Conv2D plus `patches`: "auto" (the product where it was
    measured faster, see the module), True (always, where it applies) or False
    (never). It applies to channels_last, dilation 1 and groups 1;
    elsewhere it is Conv2D."""

    def uses_patches(self, input_shape):
        """Whether a call on inputs of `input_shape` (NHWC) runs as the product."""
        height, width, channels = input_shape[1:]
        applies = (
            self.data_format == "channels_last"
            and self.groups == 1
            and tuple(self.dilation_rate) == (1, 1)
            and None not in (height, width)
        )
        if not applies:
            return False
        side = max(
            _output_side(size, k, s, self.padding)
            for size, k, s in zip((height, width), self.kernel_size, self.strides)
        )
        return self._choose(side, self.kernel_size[0] * self.kernel_size[1] * channels)

    def convolution_op(self, inputs, kernel):
        if not self.uses_patches(inputs.shape):
            return super().convolution_op(inputs, kernel)
        return patch_convolution(inputs, kernel, self.strides, self.padding)


def _output_side(size, k, s, padding):
    return -(-size // s) if padding == "same" else (size - k) // s + 1


def patch_convolution(inputs, kernel, strides, padding):
    """conv2d(inputs, kernel, strides, padding) for NHWC inputs and a kernel
    [kh, kw, C, F], as one matmul over the input's kh×kw patches."""
    (kh, kw), (sh, sw) = kernel.shape[:2], tuple(strides)
    filters = kernel.shape[3]
    pads = [[0, 0], [0, 0], [0, 0], [0, 0]]
    sides = []
    for axis, k, s in ((1, kh, sh), (2, kw, sw)):
        size = inputs.shape[axis]
        out = _output_side(size, k, s, padding)
        if padding == "same":  # TF's: the odd row after
            total = max((out - 1) * s + k - size, 0)
            pads[axis] = [total // 2, total - total // 2]
        sides.append(out)
    patches = _patches(inputs, (kh, kw), (sh, sw), pads, sides)
    flat = tf.reshape(patches, (-1, patches.shape[-1]))
    product = tf.matmul(flat, tf.reshape(kernel, (-1, filters)))
    return tf.reshape(product, (-1, sides[0], sides[1], filters))


def _patches(inputs, kernel_size, strides, pads, sides):
    """tf.image.extract_patches of the padded inputs [N, H', W', kh·kw·C], ordered
    (ky, kx, c) as a kernel's rows, with the adjoint as its gradient: every patch
    added back into place by one segment sum. TensorFlow's own gradient of
    extract_patches goes through a sparse matrix product with two transposes and
    a cast: the input gradient of the 64×64 DCGAN D's last layer (batch 128, 2 AMD
    EPYC vCPUs) took 183 ms in float32 and 98 in bfloat16 that way, 169 and 92 this
    way, with the same values."""
    (kh, kw), (sh, sw) = kernel_size, strides
    height, width, channels = inputs.shape[1:]
    spots = _landing_spots(sides, kernel_size, strides, (height, width), (pads[1][0], pads[2][0]))

    @tf.custom_gradient
    def extract(x):
        patches = tf.image.extract_patches(
            tf.pad(x, pads), [1, kh, kw, 1], [1, sh, sw, 1], [1, 1, 1, 1], "VALID"
        )

        def gradient(upstream):
            rows = tf.reshape(upstream, (-1, channels))
            return _add_into_place(rows, spots, tf.shape(x)[0], (height, width))

        return patches, gradient

    return extract(inputs)


def _landing_spots(source, kernel_size, strides, grid, offset):
    """int32 [h·w·kh·kw], in the order (i, j, ky, kx): the cell y·W + x of a grid
    [H, W] where tap (ky, kx) of source pixel (i, j) of a [h, w] map lands, with
    y = i·sh + ky − offset_h (x alike); −1 off the grid."""
    (kh, kw), (sh, sw) = kernel_size, strides
    i, j, ky, kx = np.meshgrid(
        np.arange(source[0]), np.arange(source[1]), np.arange(kh), np.arange(kw), indexing="ij"
    )
    y, x = i * sh + ky - offset[0], j * sw + kx - offset[1]
    inside = (y >= 0) & (y < grid[0]) & (x >= 0) & (x < grid[1])
    return np.where(inside, y * grid[1] + x, -1).reshape(-1).astype("int32")


def _add_into_place(rows, spots, batch, grid):
    """rows [N·L, C] summed per example into a grid [N, H, W, C] at `spots` [L]
    (`_landing_spots`); rows whose spot is −1 are dropped (unsorted_segment_sum
    drops negative ids)."""
    cells = grid[0] * grid[1]
    ids = tf.where(spots[None, :] >= 0, tf.range(batch)[:, None] * cells + spots[None, :], -1)
    summed = tf.math.unsorted_segment_sum(rows, tf.reshape(ids, [-1]), batch * cells)
    return tf.reshape(summed, (-1, grid[0], grid[1], rows.shape[-1]))


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class Conv2DTranspose(_Patches, keras.layers.Conv2DTranspose):
    """keras.layers.Conv2DTranspose plus `patches`, as Conv2D: a transposed
    convolution is the adjoint of a convolution, so it runs as the adjoint of
    the patch product: one matmul to k²·F-deep patches of the output, summed
    into place (`patch_convolution_transpose`). It applies to channels_last,
    dilation 1, no output_padding and kernels at least the stride. "auto" takes
    it where Conv2D takes the convolution it is the adjoint of: inputs of at
    most PATCH_MAX_OUTPUT a side, k²·F at least PATCH_MIN_DEPTH deep, on CPUs.
    (Forced on a GPU, its segment sum adds in no fixed order.)"""

    def uses_patches(self, input_shape):
        """Whether a call on inputs of `input_shape` (NHWC) runs as the product."""
        height, width = input_shape[1:3]
        applies = (
            self.data_format == "channels_last"
            and tuple(self.dilation_rate) == (1, 1)
            and self.output_padding is None
            and all(k >= s for k, s in zip(self.kernel_size, self.strides))
            and None not in (height, width)
        )
        depth = self.kernel_size[0] * self.kernel_size[1] * self.filters
        return applies and self._choose(max(height, width), depth)

    def call(self, inputs):
        if not self.uses_patches(inputs.shape):
            return super().call(inputs)
        outputs = patch_convolution_transpose(inputs, self.kernel, self.strides, self.padding)
        if self.use_bias:
            outputs = outputs + tf.reshape(self.bias, (1, 1, 1, self.filters))
        return outputs if self.activation is None else self.activation(outputs)


def patch_convolution_transpose(inputs, kernel, strides, padding):
    """conv2d_transpose(inputs, kernel) as Keras pads it (output side s·h for
    "same", (h − 1)·s + k for "valid"; kernel [kh, kw, F, C], k >= s) for NHWC
    inputs: one matmul gives every input pixel's k×k×F patch of the output,
    and a segment sum adds the overlapping patches into place."""
    (kh, kw), (sh, sw) = kernel.shape[:2], tuple(strides)
    filters, channels = kernel.shape[2], kernel.shape[3]
    height, width = inputs.shape[1], inputs.shape[2]
    if padding == "same":
        (out_h, out_w), crop = (height * sh, width * sw), ((kh - sh) // 2, (kw - sw) // 2)
    else:
        (out_h, out_w), crop = ((height - 1) * sh + kh, (width - 1) * sw + kw), (0, 0)
    weights = tf.reshape(tf.transpose(kernel, [3, 0, 1, 2]), (channels, kh * kw * filters))
    cols = tf.matmul(tf.reshape(inputs, (-1, channels)), weights)  # rows (n, i, j), (ky, kx, f)
    # Taps that Keras's padding crops away land off the output grid and are dropped
    # by the sum itself, not cut from a larger canvas (a slice and its gradient).
    spots = _landing_spots((height, width), (kh, kw), (sh, sw), (out_h, out_w), crop)
    return _add_into_place(
        tf.reshape(cols, (-1, filters)), spots, tf.shape(inputs)[0], (out_h, out_w)
    )
