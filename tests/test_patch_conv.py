"""tfgan_zoo.networks.patch_conv: a Conv2D and a Conv2DTranspose that run as one
matmul over patches, where that was measured faster (small deep maps on
CPUs), with the Keras layers' outputs, gradients, second derivatives and weights."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_zoo.networks import patch_conv
from tfgan_zoo.networks.conv import conv_discriminator, conv_generator

# (height, width, channels, filters, kernel, stride, padding): TF's "same" pads
# the odd row after (7×7, 9×6), "valid" drops the rows no window reaches (9×6).
SHAPES = [
    (8, 8, 5, 7, 4, 2, "same"),
    (7, 7, 3, 4, 4, 2, "same"),
    (9, 6, 2, 3, 4, 2, "same"),
    (9, 6, 2, 3, 4, 2, "valid"),
    (12, 12, 2, 3, 6, 3, "same"),
    (5, 5, 2, 2, 3, 1, "same"),
]


@pytest.fixture
def on_cpus(monkeypatch):
    """ "auto" takes the product on CPUs only: decide as on a machine without GPUs."""
    monkeypatch.setattr(patch_conv, "_cpu_only", lambda: True)


def test_auto_keeps_the_convolution_where_a_gpu_is_visible(monkeypatch):
    monkeypatch.setattr(patch_conv, "_cpu_only", lambda: False)
    assert not patch_conv.Conv2D(1024, 4, 2, "same").uses_patches((None, 8, 8, 512))
    assert not patch_conv.Conv2DTranspose(512, 4, 2, "same").uses_patches((None, 4, 4, 1024))


# Transposed: the adjoints of convolutions with those shapes (Keras's "same"
# gives s·h, "valid" (h − 1)·s + k).
TRANSPOSED_SHAPES = [
    (4, 4, 5, 7, 4, 2, "same"),
    (3, 5, 2, 3, 4, 2, "same"),
    (4, 4, 3, 2, 4, 2, "valid"),
    (3, 3, 2, 2, 3, 2, "same"),
    (3, 3, 2, 2, 3, 2, "valid"),
    (4, 4, 2, 3, 6, 3, "same"),
    (5, 5, 2, 2, 3, 1, "same"),
]
CASES = [(keras.layers.Conv2D, patch_conv.Conv2D, shape) for shape in SHAPES] + [
    (keras.layers.Conv2DTranspose, patch_conv.Conv2DTranspose, shape) for shape in TRANSPOSED_SHAPES
]


def _pair(keras_cls, cls, height, width, channels, filters, kernel, stride, padding):
    conv = keras_cls(filters, kernel, stride, padding)
    patch = cls(filters, kernel, stride, padding, patches=True)
    for layer in (conv, patch):
        layer.build((None, height, width, channels))
    rng = np.random.default_rng(0)
    weights = [rng.standard_normal(w.shape).astype("float32") for w in conv.get_weights()]
    conv.set_weights(weights)
    patch.set_weights(weights)  # the same variables: a Conv2D's weights load as they are
    x = rng.standard_normal((3, height, width, channels)).astype("float32")
    return conv, patch, tf.constant(x)


@pytest.mark.parametrize(
    "keras_cls, cls, shape",
    CASES,
    ids=[f"{c[1].__name__}-" + "x".join(map(str, c[2][:6])) + c[2][6] for c in CASES],
)
def test_outputs_and_gradients_equal_the_keras_layer(keras_cls, cls, shape):
    conv, patch, x = _pair(keras_cls, cls, *shape)
    assert patch.uses_patches(x.shape)
    outputs = []
    for layer in (conv, patch):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = layer(x)
            loss = tf.reduce_sum(y * tf.sin(y))  # a loss whose gradient varies per pixel
        outputs.append((y, *tape.gradient(loss, [x, *layer.trainable_weights])))
    for a, b in zip(*outputs):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-4, atol=1e-4)
        assert np.abs(a.numpy()).max() > 0.1  # not two zero tensors


@pytest.mark.parametrize(
    "keras_cls, cls, shape",
    [
        (keras.layers.Conv2D, patch_conv.Conv2D, (8, 8, 64, 32, 4, 2, "same")),
        (keras.layers.Conv2DTranspose, patch_conv.Conv2DTranspose, (4, 4, 64, 32, 4, 2, "same")),
    ],
    ids=["conv", "transposed"],
)
def test_bfloat16_outputs_agree_with_the_keras_layer_to_bfloat16_precision(keras_cls, cls, shape):
    """Under mixed_bfloat16 both round to 8 bits; the transposed product also
    adds up to 4 overlapping bfloat16 terms. Max difference over 3 random
    inputs: 0 for the convolution, 0.35-0.41 % of the outputs' scale for the
    transposed one; asserted < 2 %."""
    keras.config.set_dtype_policy("mixed_bfloat16")
    try:
        conv, patch, x = _pair(keras_cls, cls, *shape)
    finally:
        keras.config.set_dtype_policy("float32")
    a, b = (tf.cast(layer(x), "float32").numpy() for layer in (conv, patch))
    assert patch.compute_dtype == "bfloat16" and patch.uses_patches(x.shape)
    assert np.abs(a - b).max() < 0.02 * np.abs(a).max()


def _penalty_gradient(layer, x):
    """Gradient of a gradient penalty (WGAN-GP, R1): second derivatives."""
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            inner.watch(x)
            score = tf.reduce_sum(tf.tanh(layer(x)))
        grad = inner.gradient(score, x)
        penalty = tf.reduce_sum(grad**2)
    return outer.gradient(penalty, layer.trainable_weights)


def test_gradient_penalty_gradients_equal_conv2d_eagerly_and_under_xla():
    conv, patch, x = _pair(keras.layers.Conv2D, patch_conv.Conv2D, 8, 8, 5, 7, 4, 2, "same")
    reference = _penalty_gradient(conv, x)
    compiled = tf.function(_penalty_gradient, jit_compile=True)
    for got in (_penalty_gradient(patch, x), compiled(patch, x)):
        for a, b in zip(reference, got):
            scale = np.abs(a.numpy()).max()  # ~150: float32 sums agree to ~2e-5 of it
            assert scale > 1e-2
            assert np.abs(a.numpy() - b.numpy()).max() < 1e-4 * scale


@pytest.mark.parametrize(
    "input_shape, filters, dtype, expected",
    [
        # The last layer of the paper's 64×64 D: 8192-deep patches, 4×4 out.
        ((None, 8, 8, 512), 1024, "float32", True),
        ((None, 8, 8, 512), 1024, "mixed_bfloat16", True),
        # 4096-deep (base 64): 1.45-1.48× as patches in bfloat16, 0.71-0.85× in float32.
        ((None, 8, 8, 256), 512, "mixed_bfloat16", True),
        ((None, 8, 8, 256), 512, "float32", False),
        ((None, 8, 8, 128), 256, "mixed_bfloat16", False),  # 2048-deep: level (0.92-1.09×)
        ((None, 16, 16, 512), 1024, "mixed_bfloat16", False),  # 8×8 out: conv
        ((None, 8, 8, 512), 1024, "mixed_float16", False),  # not measured
    ],
)
def test_auto_takes_the_product_only_where_it_was_measured_faster(
    input_shape, filters, dtype, expected, on_cpus
):
    layer = patch_conv.Conv2D(filters, 4, 2, "same", dtype=dtype)
    assert layer.uses_patches(input_shape) is expected
    assert (
        patch_conv.Conv2D(filters, 4, 2, "same", patches=False).uses_patches(input_shape) is False
    )
    assert patch_conv.Conv2D(filters, 4, 1, "same").uses_patches(input_shape) is False  # stride 1
    # The transposed layer that is this convolution's adjoint decides alike.
    adjoint = patch_conv.Conv2DTranspose(input_shape[-1], 4, 2, "same", dtype=dtype)
    side = input_shape[1] // 2
    assert adjoint.uses_patches((None, side, side, filters)) is expected


def test_weights_saved_from_keras_layers_load_into_these_and_back(tmp_path):
    """Keras files address weights by the class's name: these keep Keras's."""

    def network(conv, transposed):
        return keras.Sequential(
            [
                keras.Input((8, 8, 3)),
                conv(4, 4, 2, "same"),
                conv(6, 4, 2, "same"),
                transposed(5, 4, 2, "same"),
            ]
        )

    plain = network(keras.layers.Conv2D, keras.layers.Conv2DTranspose)
    ours = network(patch_conv.Conv2D, patch_conv.Conv2DTranspose)
    x = np.random.default_rng(0).standard_normal((2, 8, 8, 3)).astype("float32")
    for source, target in ((plain, ours), (ours, plain)):
        source.save_weights(tmp_path / "w.weights.h5")
        target.load_weights(tmp_path / "w.weights.h5")
        np.testing.assert_allclose(source(x).numpy(), target(x).numpy(), atol=1e-5)
        source.layers[0].kernel.assign(source.layers[0].kernel * 2)  # differ for the way back


@pytest.mark.parametrize("cls", [patch_conv.Conv2D, patch_conv.Conv2DTranspose])
def test_config_round_trips_and_rejects_other_values(cls):
    layer = cls(8, 4, 2, "same", patches=False, name="d")
    clone = cls.from_config(layer.get_config())
    assert clone.patches is False and clone.get_config() == layer.get_config()
    for wrong in ("yes", 1, 0, None):  # 1 and 0 equal True and False, but are not bools
        with pytest.raises(ValueError, match="patches must be"):
            cls(8, 4, 2, patches=wrong)


@pytest.mark.parametrize(
    "base_filters, policy, discriminator_uses, generator_uses",
    [
        # The paper's 8×8×512 -> 4×4×1024 and 4×4×1024 -> 8×8×512: 8192-deep patches.
        (128, "float32", [False, False, True], [True, False, False]),
        (128, "mixed_bfloat16", [False, False, True], [True, False, False]),
        # 4096-deep: 0.85× (D) and 0.71× (G) in float32, 1.48× and 1.45× in bfloat16.
        (64, "float32", [False, False, False], [False, False, False]),
        (64, "mixed_bfloat16", [False, False, True], [True, False, False]),
    ],
)
def test_a_64_pixel_dcgan_runs_only_its_smallest_maps_as_patches(
    base_filters, policy, discriminator_uses, generator_uses, on_cpus
):
    keras.config.set_dtype_policy(policy)
    try:
        discriminator = conv_discriminator((64, 64, 3), base_filters)
        generator = conv_generator(8, (64, 64, 3), base_filters)
    finally:
        keras.config.set_dtype_policy("float32")
    b = base_filters
    for network, cls, shapes, expected in (
        (
            discriminator,
            patch_conv.Conv2D,
            [(32, 32, b), (16, 16, 2 * b), (8, 8, 4 * b)],
            discriminator_uses,
        ),
        (
            generator,
            patch_conv.Conv2DTranspose,
            [(4, 4, 8 * b), (8, 8, 4 * b), (16, 16, 2 * b)],
            generator_uses,
        ),
    ):
        layers = [layer for layer in network.layers if isinstance(layer, cls)]
        assert [layer.input.shape[1:] for layer in layers] == shapes
        assert [layer.uses_patches(layer.input.shape) for layer in layers] == expected
