"""PixelCNN (van den Oord et al. 2016): an exact-likelihood autoregressive baseline.

Images are modelled pixel by pixel in raster order (rows top to bottom, each
left to right), and within a pixel colour by colour (R, then G given R, then B
given R and G), each value a categorical over `levels` intensity bins:
p(x) = prod_i p(x_i | x_<i). Masked convolutions keep every output from seeing
its own value or later ones: type "A" (first layer) also hides the centre
pixel's own and later colours, type "B" (later layers) may use its own colour,
since there it holds only earlier context. Feature channels are split into one
contiguous block per colour, as in PixelRNN's colour masks (van den Oord et al. 2016a).

Images are uint8-valued (ints or floats in 0..255); pixel v falls in class
floor(v * levels / 256). `bits_per_dim` is the mean NLL in bits per pixel.
"""

import math

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from tfgan_zoo.engine.fitting import DatasetFit
from tfgan_zoo.engine.renames import current_config
from tfgan_zoo.engine.replicas import step_logs
from tfgan_zoo.engine.validation import checked_sample_request
from tfgan_zoo.registry import register_model


def colour_groups(channels, colours):
    """The colour each of `channels` feature channels belongs to: contiguous blocks,
    colour 0 first (with colours x levels logits, channel j is colour j // levels)."""
    return np.arange(channels) * colours // channels


def causal_mask(kernel_size, mask_type, in_channels=1, out_channels=1, colours=1):
    """float32 mask: 1 on rows above the centre and left of it in its row.

    At the centre, an output of colour c sees inputs of colours < c (type "A") or
    <= c (type "B"). With one colour every (in, out) pair shares the spatial mask,
    returned as [k, k, 1, 1]; otherwise [k, k, in_channels, out_channels].
    """
    if mask_type not in ("A", "B"):
        raise ValueError(f"mask_type must be 'A' or 'B', found {mask_type!r}")
    shape = (1, 1) if colours == 1 else (in_channels, out_channels)
    mask = np.zeros((kernel_size, kernel_size) + shape, np.float32)
    centre = kernel_size // 2
    mask[:centre] = 1.0
    mask[centre, :centre] = 1.0
    if colours == 1:
        mask[centre, centre] = float(mask_type == "B")
    else:
        seen = colour_groups(in_channels, colours)[:, None]
        own = colour_groups(out_channels, colours)[None, :]
        mask[centre, centre] = (seen < own) if mask_type == "A" else (seen <= own)
    return mask


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class MaskedConv2D(keras.layers.Layer):
    """Stride-1 "same" conv whose kernel is multiplied by a fixed causal mask
    (over `colours` colour blocks of its input and output channels)."""

    def __init__(self, filters, kernel_size, mask_type="B", colours=1, **kwargs):
        super().__init__(**kwargs)
        if kernel_size % 2 != 1:
            raise ValueError(f"kernel_size must be odd, found {kernel_size}")
        self.filters, self.kernel_size, self.mask_type = int(filters), int(kernel_size), mask_type
        self.colours = int(colours)

    def build(self, input_shape):
        k = self.kernel_size
        # A constant, not a weight: it follows from the config, so it is never saved or trained.
        self.mask = ops.convert_to_tensor(
            causal_mask(k, self.mask_type, int(input_shape[-1]), self.filters, self.colours)
        )
        self.kernel = self.add_weight(
            name="kernel", shape=(k, k, input_shape[-1], self.filters), initializer="glorot_uniform"
        )
        self.bias = self.add_weight(name="bias", shape=(self.filters,), initializer="zeros")

    def call(self, x):
        return (
            ops.conv(x, self.kernel * ops.cast(self.mask, self.kernel.dtype), padding="same")
            + self.bias
        )

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.filters,)

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "mask_type": self.mask_type,
            "colours": self.colours,
        }


def bits_per_dim_256(bits_L, levels):
    """Bits/dim of the L-level model read as a model of the 8-bit pixels.

    Spreading each bin's probability uniformly over its 256 / L pixel values gives
    a 256-level model whose NLL is exactly bits_L + log2(256 / L) bits per pixel
    (the dequantised-to-uniform-within-bin convention). A uniform L-level model,
    log2(L) bits/dim, becomes the uniform 256-level model's 8 bits/dim.
    """
    return float(bits_L) + math.log2(256 / levels)


@register_model("pixelcnn", kind="baseline")
@keras.saving.register_keras_serializable(package="tfgan_zoo")
class PixelCNN(DatasetFit, keras.Model):
    """uint8-valued images [N, H, W, C] -> logits [N, H, W, C, levels].

    7x7 type-A masked conv, `blocks` residual blocks (1x1, 3x3 masked B, 1x1, ReLU),
    then two 1x1 convs to the logits; with C > 1 colours every conv, 1x1 included,
    is masked by colour. With `num_classes`, a learned per-class bias
    is added after the first layer (a constant per image, so causality holds) and
    fit/sample take labels; otherwise labels given to fit are ignored.

    `base_filters` is the width of every layer (the residual blocks' inner layers
    have half). Unlike the other models' it does not depend on image_shape: the
    network is convolutional to the end, so its size does not grow with the image.
    """

    description = (
        "Masked-convolution autoregressive model, exact NLL in bits/dim (van den Oord et al. 2016)"
    )
    RENAMED = {"filters": "base_filters"}  # 0.1.0

    def __init__(
        self,
        levels=8,
        base_filters=64,
        blocks=5,
        num_classes=None,
        image_shape=(28, 28, 1),
        **kwargs,
    ):
        super().__init__(**kwargs)
        if not (2 <= levels <= 256 and 256 % levels == 0):
            raise ValueError(f"levels must be a power of two in [2, 256], found {levels}")
        self.levels, self.base_filters, self.blocks = int(levels), int(base_filters), int(blocks)
        self.num_classes, self.image_shape = num_classes, tuple(int(v) for v in image_shape)
        colours = self.colours = self.image_shape[-1]
        if not 1 <= colours <= min(self.base_filters // 2, 4):
            raise ValueError(
                f"PixelCNN takes 1 to 4 channels with base_filters >= 2 x channels;"
                f" found image_shape {image_shape}, base_filters {base_filters}"
            )

        def conv1(f):  # 1x1; with one colour its type-B mask is all ones, so a plain conv
            return keras.layers.Conv2D(f, 1) if colours == 1 else MaskedConv2D(f, 1, "B", colours)

        filters = self.base_filters
        self.stem = MaskedConv2D(filters, 7, "A", colours, name="stem")
        self.res = [
            [conv1(filters // 2), MaskedConv2D(filters // 2, 3, "B", colours), conv1(filters)]
            for _ in range(blocks)
        ]
        self.head = [conv1(filters), conv1(levels * colours)]
        self.class_bias = (
            keras.layers.Embedding(num_classes, filters, name="class_bias") if num_classes else None
        )
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.bpd_tracker = keras.metrics.Mean(name="bits_per_dim")
        # Rows above / columns either side that one output pixel can see (sampling windows).
        self.reach = 3 + blocks
        # Built now: fit() never calls build(), and .keras loading needs the variables.
        self.build()

    def build(self, input_shape=None):
        """Creates every variable; the image shape comes from the config."""
        dummy = ops.zeros((1,) + self.image_shape)
        self.network(dummy, ops.zeros((1,), "int32") if self.class_bias else None)
        self.built = True

    training_pixels = "uint8"  # it models 0..255 intensities

    @classmethod
    def for_data(cls, data_shape, num_classes=None, seed=None, **kwargs):
        # Sampling is seeded per call: the class takes no construction seed.
        return super().for_data(data_shape, num_classes, **kwargs)

    def validate_data(self, x, y=None):
        """The pre-flight check, for intensities as uint8 (their natural dtype) or
        as floats in [0, 255]."""
        if isinstance(x, tf.data.Dataset):
            x = x.map(
                lambda images, *rest: (
                    (tf.cast(images, tf.float32), *rest) if rest else tf.cast(images, tf.float32)
                )
            )
        super().validate_data(x, y)

    def preview_images(self, n, seed, inputs=None):
        # Sampling is one network pass per pixel: 16 images keep a preview cheap.
        return self.sample(min(n, 16), seed=seed) / 127.5 - 1.0

    @property
    def data_shape(self):
        """One sample's shape, as the GAN classes name it (metrics and CLI use it)."""
        return tuple(self.image_shape)

    def get_config(self):
        return {
            **super().get_config(),
            "levels": self.levels,
            "base_filters": self.base_filters,
            "blocks": self.blocks,
            "num_classes": self.num_classes,
            "image_shape": self.image_shape,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**current_config(cls, config))

    # --- the network -------------------------------------------------------------
    def quantise(self, images):
        """0..255 values -> int32 class indices floor(v * levels / 256)."""
        classes = ops.floor(ops.cast(images, "float32") * (self.levels / 256.0))
        return ops.cast(ops.clip(classes, 0, self.levels - 1), "int32")

    def to_input(self, classes):
        """Class index -> [-1, 1], the network's input scale."""
        return ops.cast(classes, "float32") * (2.0 / (self.levels - 1)) - 1.0

    def logits(self, h):
        """The head's output [N, h, w, C x levels] -> [N, h, w, C, levels] (colour-major)."""
        shape = tf.shape(h)
        return tf.reshape(h, tf.concat([shape[:-1], [self.colours, self.levels]], 0))

    def network(self, x, labels=None):
        """Scaled input [N, h, w, C] in [-1, 1] -> logits [N, h, w, C, levels];
        differentiable (causality tests)."""
        h = self.stem(x)
        if self.class_bias is not None:
            if labels is None:
                raise ValueError("this PixelCNN is class-conditional: pass labels")
            h = h + self.class_bias(ops.cast(labels, "int32"))[:, None, None, :]
        for first, masked, last in self.res:
            h = h + last(ops.relu(masked(ops.relu(first(ops.relu(h))))))
        return self.logits(self.head[1](ops.relu(self.head[0](ops.relu(h)))))

    def call(self, images, labels=None):
        return self.network(self.to_input(self.quantise(images)), labels)

    # --- likelihood and training -----------------------------------------------------
    def _pixel_nll(self, images, labels):
        """NLL in nats per value, [N, H, W, C]."""
        classes = self.quantise(images)
        logits = self.network(self.to_input(classes), labels)
        return tf.nn.sparse_softmax_cross_entropy_with_logits(classes, tf.cast(logits, tf.float32))

    def _unpack(self, data):
        images, labels, _ = keras.utils.unpack_x_y_sample_weight(data)
        return images, (labels if self.class_bias is not None else None)

    @property
    def metrics(self):
        return [self.loss_tracker, self.bpd_tracker]

    def _record(self, nats):
        self.loss_tracker.update_state(nats)
        self.bpd_tracker.update_state(nats / math.log(2.0))
        return step_logs(self.metrics)

    def train_step(self, data):
        images, labels = self._unpack(data)
        with tf.GradientTape() as tape:
            nats = tf.reduce_mean(self._pixel_nll(images, labels))
        grads = tape.gradient(nats, self.trainable_variables)
        self.optimizer.apply(grads, self.trainable_variables)
        return self._record(nats)

    def test_step(self, data):
        return self._record(tf.reduce_mean(self._pixel_nll(*self._unpack(data))))

    # One trace per model: any batch size, and dummy labels when unconditional.
    @tf.function(
        input_signature=[
            tf.TensorSpec([None, None, None, None], tf.float32),
            tf.TensorSpec([None], tf.int32),
        ]
    )
    def _nll_sum(self, images, labels):
        labels = labels if self.class_bias is not None else None
        # float64: float32 sums over ~10^6 pixels drift in the 6th digit.
        return tf.reduce_sum(tf.cast(self._pixel_nll(images, labels), "float64"))

    def nll_bits_per_dim(self, images, batch_size=256, labels=None) -> float:
        """Exact mean NLL of the quantised images, in bits/dim (see `bits_per_dim_256`)."""
        images = np.asarray(images)
        labels = np.zeros(len(images), np.int32) if labels is None else np.asarray(labels, np.int32)
        total = 0.0
        for start in range(0, len(images), batch_size):
            batch = slice(start, start + batch_size)
            total += float(
                self._nll_sum(tf.constant(images[batch], tf.float32), tf.constant(labels[batch]))
            )
        return total / (images.size * math.log(2.0))

    # --- sampling ---------------------------------------------------------------------
    def window(self, row, col, reach=None):
        """Top-left corner (r0, c0) and size (h, w) of the crop that decides pixel (row, col).

        Output (row, col) depends only on rows row-reach..row and columns within
        `reach` (default: the whole network's); a crop with that much margin gives
        its exact logits (zero padding at a cut edge is `reach` pixels away). The
        crop stays inside the image, so its edges there pad as the full frame's do.
        Python ints give ints; tensors (inside a graph) give tensors.
        """
        reach = self.reach if reach is None else reach
        height, width = self.image_shape[:2]
        h, w = min(height, reach + 1), min(width, 2 * reach + 1)
        if isinstance(row, int) and isinstance(col, int):
            return max(0, row - reach), min(max(0, col - reach), width - w), h, w
        return (tf.maximum(0, row - reach), tf.minimum(tf.maximum(0, col - reach), width - w), h, w)

    def pixel_logits(self, canvas, labels, row, col):
        """Logits [N, C, levels] of pixel (row, col) from the class canvas [N, H, W, C],
        equal to `network`'s there.

        Each layer runs only on the window its later layers read: the stem on the
        crop of the full reach (3 + blocks), its output on the window of `blocks`,
        and every residual block's masked conv one row and column fewer, down to
        the one pixel the head sees (~5x fewer multiply-adds than the full-reach
        crop at the default 5 blocks). Slicing a layer's output to a smaller window
        drops only positions whose padding was cut; the windows stay nested.
        """

        def crop(x, reach, at):
            r0, c0, h, w = self.window(row, col, reach)
            return tf.slice(x, tf.stack([0, r0 - at[0], c0 - at[1], 0]), [-1, h, w, -1]), (r0, c0)

        x, at = crop(canvas, self.reach, (0, 0))
        h, inner = crop(self.stem(self.to_input(x)), self.blocks, at)
        if self.class_bias is not None:
            h = h + self.class_bias(ops.cast(labels, "int32"))[:, None, None, :]
        for reach, (first, masked, last) in zip(range(self.blocks - 1, -1, -1), self.res):
            t, _ = crop(masked(ops.relu(first(ops.relu(h)))), reach, inner)
            h, inner = crop(h, reach, inner)
            h = h + last(ops.relu(t))
        return self.logits(self.head[1](ops.relu(self.head[0](ops.relu(h)))))[:, 0, 0]

    def draw_value(self, canvas, labels, index, seed):
        """The class canvas [N, H, W, C] with value `index` drawn: values in raster
        order, colours in order within a pixel; value i from the stateless seed
        (seed, i), so a draw depends on its seed and the canvas only."""
        height, width = self.image_shape[:2]
        pixel, colour = index // self.colours, index % self.colours
        logits = tf.gather(
            self.pixel_logits(canvas, labels, pixel // width, pixel % width), colour, axis=1
        )
        drawn = tf.random.stateless_categorical(
            tf.cast(logits, tf.float32),
            1,
            seed=tf.stack([seed, tf.cast(index, seed.dtype)]),
            dtype=tf.int32,
        )
        where = tf.reshape(
            tf.one_hot(index, height * width * self.colours, dtype=tf.int32),
            [1, height, width, self.colours],
        )
        return canvas + drawn[:, :, None, None] * where

    def serving_endpoints(self):
        """`sample` (int64 seed (+ label) -> uint8 images, drawn pixel by pixel in the
        graph) and `png`; there is no latent to serve a `generate` for."""
        from tfgan_zoo.serving.signatures import autoregressive_functions

        return autoregressive_functions(self)

    def serving_trackables(self):
        return [self]

    def bin_centres(self, classes):
        """Class index -> uint8 value at the centre of its bin (class itself for 256 levels)."""
        step = 256 // self.levels
        return (np.asarray(classes, np.int64) * step + step // 2).astype(np.uint8)

    @tf.function(reduce_retracing=True)
    def _draw(self, canvas, labels, seed):
        """Draws every value of the class canvas [n, H, W, C] (`draw_value`): one
        graph, so a small batch is not paced by Python calls."""
        values = self.image_shape[0] * self.image_shape[1] * self.colours
        return tf.while_loop(
            lambda index, _: index < values,
            lambda index, canvas: (index + 1, self.draw_value(canvas, labels, index, seed)),
            [tf.constant(0), canvas],
        )[1]

    def sample(self, n, seed=0, labels=None) -> np.ndarray:
        """n images, uint8 [n, H, W, C], drawn value by value; the same for the same seed."""
        if (labels is None) != (self.class_bias is None):
            raise ValueError("pass labels exactly when the PixelCNN is class-conditional")
        n, labels = checked_sample_request(n, labels, self.num_classes)
        if n == 0:
            return self.bin_centres(np.zeros((0,) + self.image_shape, np.int32))
        labels = None if labels is None else tf.constant(np.asarray(labels, np.int32))
        canvas = tf.zeros((n,) + self.image_shape, tf.int32)  # unsampled pixels: class 0
        return self.bin_centres(self._draw(canvas, labels, tf.constant(seed)).numpy())
