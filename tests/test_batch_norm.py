"""tfgan_zoo.networks.batch_norm: Keras's BatchNormalization that normalises a
training batch in TensorFlow's fused kernel, with the Keras layer's outputs,
gradients, moving statistics and weights."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from helpers.distributed_setup import two_cpu_strategy

from tfgan_zoo.networks.batch_norm import BatchNormalization

SHAPE = (6, 5, 4, 3)


def _pair(dtype="float32", **kwargs):
    """Keras's layer and ours (fused=True), built with the same non-trivial weights."""
    plain = keras.layers.BatchNormalization(momentum=0.8, dtype=dtype, **kwargs)
    fused = BatchNormalization(momentum=0.8, dtype=dtype, fused=True, **kwargs)
    rng = np.random.default_rng(0)
    for layer in (plain, fused):
        layer.build(SHAPE)
    weights = [rng.uniform(0.5, 1.5, w.shape).astype("float32") for w in plain.get_weights()]
    plain.set_weights(weights)
    fused.set_weights(weights)
    x = rng.standard_normal(SHAPE).astype("float32") * 3 + 1
    return plain, fused, tf.constant(x)


def _train_call(layer, x):
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = layer(x, training=True)
        loss = tf.reduce_sum(tf.cast(y, tf.float32) * tf.range(3, dtype=tf.float32))
    return y, tape.gradient(loss, [x, *layer.trainable_weights])


@pytest.mark.parametrize("scale, center", [(True, True), (False, False)])
def test_fused_training_step_equals_the_keras_layer(scale, center):
    """Outputs, the gradients of x, gamma and beta, and both moving statistics
    (Keras's average of the batch's own variance, not the kernel's n/(n-1) one)."""
    plain, fused, x = _pair(scale=scale, center=center)
    assert fused.uses_fused_kernel(x)
    start_mean, start_variance = (w.numpy() for w in fused.non_trainable_weights)
    y_plain, g_plain = _train_call(plain, x)
    y_fused, g_fused = _train_call(fused, x)
    np.testing.assert_allclose(y_fused.numpy(), y_plain.numpy(), atol=1e-5)
    for a, b in zip(g_fused, g_plain):
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-4)
    for a, b in zip(fused.non_trainable_weights, plain.non_trainable_weights):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6)
    mean, variance = np.mean(x, axis=(0, 1, 2)), np.var(x, axis=(0, 1, 2))
    np.testing.assert_allclose(
        fused.moving_variance.numpy(), 0.8 * start_variance + 0.2 * variance, rtol=1e-5
    )
    np.testing.assert_allclose(fused.moving_mean.numpy(), 0.8 * start_mean + 0.2 * mean, rtol=1e-5)
    # Inference is Keras's own scale and shift of the moving statistics.
    np.testing.assert_allclose(fused(x).numpy(), plain(x).numpy(), atol=1e-5)


@pytest.mark.parametrize("policy", ["mixed_bfloat16", "mixed_float16"])
def test_reduced_precision_training_step_agrees_with_the_keras_layer(policy):
    """To bfloat16's precision (8 bits; float16 keeps more)."""
    plain, fused, x = _pair(dtype=policy)
    x = tf.cast(x, plain.compute_dtype)
    y_plain, g_plain = _train_call(plain, x)
    y_fused, g_fused = _train_call(fused, x)
    assert y_fused.dtype == plain.compute_dtype
    scale = float(tf.reduce_max(tf.abs(tf.cast(y_plain, tf.float32))))
    difference = tf.reduce_max(tf.abs(tf.cast(y_fused, tf.float32) - tf.cast(y_plain, tf.float32)))
    assert float(difference) < 0.01 * scale  # bfloat16 keeps 8 bits
    for a, b in zip(g_fused[1:], g_plain[1:]):  # gamma and beta: float32 variables
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=0.02, atol=0.02)
    for a, b in zip(fused.non_trainable_weights, plain.non_trainable_weights):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=0.01)


def test_auto_fuses_training_steps_in_reduced_precision_only():
    x4, x2 = tf.zeros(SHAPE, tf.bfloat16), tf.zeros((6, 3), tf.bfloat16)
    mixed = BatchNormalization(dtype="mixed_bfloat16")
    assert mixed.uses_fused_kernel(x4)
    assert not mixed.uses_fused_kernel(x4, training=False)  # inference: a scale and a shift
    assert not mixed.uses_fused_kernel(x2)  # the kernel takes 4-D inputs
    assert not mixed.uses_fused_kernel(x4, mask=tf.ones(SHAPE[:-1], bool))
    assert not BatchNormalization(axis=1, dtype="mixed_bfloat16").uses_fused_kernel(x4)
    # The kernel would raise a smaller epsilon to 1.001e-5.
    assert not BatchNormalization(epsilon=1e-5, dtype="mixed_bfloat16").uses_fused_kernel(x4)
    assert not BatchNormalization(dtype="mixed_bfloat16", fused=False).uses_fused_kernel(x4)
    # Float32 keeps Keras's ops unless asked.
    assert not BatchNormalization().uses_fused_kernel(tf.zeros(SHAPE))
    assert BatchNormalization(fused=True).uses_fused_kernel(tf.zeros(SHAPE))


def test_a_batch_synchronised_over_two_replicas_keeps_keras_s_ops():
    """The kernel sees one replica's batch; synchronised statistics span both."""
    strategy = two_cpu_strategy()
    with strategy.scope():
        synced = BatchNormalization(synchronized=True, fused=True)
        alone = BatchNormalization(synchronized=False, fused=True)
    x = tf.zeros(SHAPE)
    decided = strategy.run(lambda: (synced.uses_fused_kernel(x), alone.uses_fused_kernel(x)))
    assert decided == (False, True)
    assert BatchNormalization(synchronized=True, fused=True).uses_fused_kernel(x)  # one device


def test_weights_saved_from_the_keras_layer_load_into_this_one_and_back(tmp_path):
    """Keras files address weights by the class's name: this one keeps Keras's."""

    def network(norm):
        return keras.Sequential([keras.Input(SHAPE[1:]), keras.layers.Conv2D(3, 3), norm()])

    plain, ours = network(keras.layers.BatchNormalization), network(BatchNormalization)
    x = np.random.default_rng(0).standard_normal(SHAPE).astype("float32")
    for source, target in ((plain, ours), (ours, plain)):
        source.layers[1].moving_mean.assign(source.layers[1].moving_mean + 0.5)
        source.save_weights(tmp_path / "w.weights.h5")
        target.load_weights(tmp_path / "w.weights.h5")
        np.testing.assert_allclose(source(x).numpy(), target(x).numpy(), atol=1e-5)


def test_config_round_trips_and_rejects_other_values():
    layer = BatchNormalization(fused=False, synchronized=True, name="n")
    clone = BatchNormalization.from_config(layer.get_config())
    assert clone.fused is False and clone.get_config() == layer.get_config()
    for wrong in ("yes", 1, 0, None):  # 1 and 0 equal True and False, but are not bools
        with pytest.raises(ValueError, match="fused must be"):
            BatchNormalization(fused=wrong)


@pytest.mark.parametrize("policy, fused", [("mixed_bfloat16", True), ("float32", False)])
def test_dcgan_networks_fuse_their_image_batch_norms_in_mixed_precision_only(policy, fused):
    """At 16×16: G's batch norm after its dense projection (2-D) and after its first
    transposed convolution (8×8), D's after its second convolution (4×4)."""
    from tfgan_zoo.engine.precision import precision_policy
    from tfgan_zoo.networks.conv import conv_discriminator, conv_generator

    with precision_policy(policy):
        networks = [conv_generator(8, (16, 16, 3), 8), conv_discriminator((16, 16, 3), 8)]
    norms = [
        layer
        for network in networks
        for layer in network.layers
        if isinstance(layer, keras.layers.BatchNormalization)
    ]
    assert all(type(layer) is BatchNormalization for layer in norms)
    decided = [
        layer.uses_fused_kernel(tf.zeros((2, *layer.input.shape[1:]), layer.compute_dtype))
        for layer in norms
    ]
    ranks = [len(layer.input.shape) for layer in norms]
    assert ranks == [2, 4, 4]
    assert decided == [False, fused, fused]
