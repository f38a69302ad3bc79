"""Spectral normalisation as Miyato et al.'s reparameterisation W/σ(W)
(tfgan_zoo/networks/spectral.py): σ against numpy's SVD, the gradient against
autodiff of the formula, inference leaving u alone, and `.keras` saving."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_zoo.networks.spectral import SNConv2D, SNDense, SNEmbedding


def _converge(layer, x, calls=60):
    for _ in range(calls):
        layer(x, training=True)


def _top_singular_value(kernel):
    kernel = np.asarray(kernel)
    return np.linalg.svd(kernel.reshape(-1, kernel.shape[-1]), compute_uv=False)[0]


@pytest.mark.parametrize(
    "make,x",
    [
        (lambda: SNDense(7), np.random.default_rng(0).normal(size=(4, 20))),
        (
            lambda: SNConv2D(5, 3, padding="same"),
            np.random.default_rng(1).normal(size=(2, 6, 6, 4)),
        ),
        (lambda: SNEmbedding(10, 6), np.array([0, 3, 9])),
    ],
)
def test_sigma_matches_the_svd_and_the_normalised_kernel_has_unit_norm(make, x):
    keras.utils.set_random_seed(0)
    layer = make()
    layer(x)
    weight = layer.spectral_weight()
    weight.assign(weight * 3.0)  # σ far from 1, so the division is seen
    _converge(layer, x)
    sigma = _top_singular_value(weight.numpy())
    assert float(layer.sigma()) == pytest.approx(sigma, rel=1e-5)
    assert abs(np.log(sigma)) > 0.5  # the raw weight is not normalised...
    # ...the weight the layer computes with is
    assert _top_singular_value(layer.normalized_weight().numpy()) == pytest.approx(1.0, rel=1e-5)


def test_gradient_is_autodiff_of_w_over_sigma_of_w():
    """∂L/∂W through σ(W) (Miyato et al. eq. 12), against autodiff of
    L(W / σ_svd(W)). Keras' SpectralNormalization differentiates with σ held
    fixed: its gradient differs by 2.7 relative on this example (ours: 6e-7)."""
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = tf.constant(rng.normal(size=(8, 12)), tf.float32)
    target = tf.constant(rng.normal(size=(8, 5)), tf.float32)
    layer = SNDense(5, use_bias=False)
    layer(x)
    layer.kernel.assign(rng.normal(size=(12, 5)) * 0.7)
    _converge(layer, x, calls=200)

    def loss(y):
        return tf.reduce_sum(tf.square(y - target))

    with tf.GradientTape() as tape:
        ours = loss(layer(x, training=True))
    gradient = tape.gradient(ours, layer.kernel).numpy()

    w = tf.constant(layer.kernel.numpy())
    with tf.GradientTape() as tape:
        tape.watch(w)
        sigma = tf.linalg.svd(w, compute_uv=False)[0]
        exact = loss(tf.matmul(x, w / sigma))
    expected = tape.gradient(exact, w).numpy()
    assert float(ours) == pytest.approx(float(exact), rel=1e-5)
    relative = np.linalg.norm(gradient - expected) / np.linalg.norm(expected)
    assert relative < 1e-4

    wrapper = keras.layers.SpectralNormalization(keras.layers.Dense(5, use_bias=False))
    wrapper(x)
    wrapper.layer.kernel.assign(w)
    with tf.GradientTape() as tape:
        projected = loss(wrapper(x, training=True))
    keras_gradient = tape.gradient(projected, wrapper.layer.kernel).numpy()
    keras_relative = np.linalg.norm(keras_gradient - expected) / np.linalg.norm(expected)
    assert keras_relative > 0.5  # what the reparameterisation fixes
    print(f"relative gradient error: ours {relative:.2e}, Keras' wrapper {keras_relative:.2f}")


def test_inference_leaves_u_alone_and_training_takes_one_power_step():
    keras.utils.set_random_seed(0)
    x = tf.constant(np.random.default_rng(0).normal(size=(3, 9)), tf.float32)
    layer = SNDense(4)
    layer(x)
    u = layer.u.numpy().copy()
    first = layer(x, training=False).numpy()
    np.testing.assert_array_equal(layer.u.numpy(), u)
    np.testing.assert_array_equal(layer(x).numpy(), first)  # the same σ every time
    w, b = layer.kernel.numpy(), layer.bias.numpy()
    np.testing.assert_allclose(
        first, x.numpy() @ (w / np.linalg.norm(w @ u)) + b, rtol=1e-5, atol=1e-6
    )  # inference: σ = |Wu|
    # A training call takes one power step from u: v = Wu/|Wu|, u' = Wᵀv/|Wᵀv|, σ = |Wᵀv|.
    v = w @ u / np.linalg.norm(w @ u)
    next_u = w.T @ v / np.linalg.norm(w.T @ v)
    trained = layer(x, training=True).numpy()
    np.testing.assert_allclose(
        trained, x.numpy() @ (w / np.linalg.norm(w.T @ v)) + b, rtol=1e-5, atol=1e-6
    )
    np.testing.assert_allclose(layer.u.numpy(), next_u, rtol=1e-5, atol=1e-6)


def test_layers_round_trip_through_keras_files_and_keep_float32_u_under_bfloat16(tmp_path):
    keras.utils.set_random_seed(0)
    image = keras.Input((6, 6, 2))
    label = keras.Input((), dtype="int32")
    h = keras.layers.Flatten()(SNConv2D(3, 3, padding="same", activation="relu")(image))
    out = SNDense(4)(h) + SNEmbedding(5, 4)(label)
    model = keras.Model([image, label], out)
    x = np.random.default_rng(0).normal(size=(2, 6, 6, 2)).astype("float32")
    labels = np.array([1, 4], np.int32)
    for _ in range(3):
        model([x, labels], training=True)
    model.save(tmp_path / "sn.keras")
    loaded = keras.saving.load_model(tmp_path / "sn.keras")
    np.testing.assert_array_equal(loaded([x, labels]).numpy(), model([x, labels]).numpy())
    assert sorted(type(l).__name__ for l in loaded.layers if hasattr(l, "u")) == [
        "SNConv2D",
        "SNDense",
        "SNEmbedding",
    ]

    layer = SNDense(4, dtype="mixed_bfloat16")
    y = layer(tf.constant(x.reshape(2, -1)), training=True)
    assert y.dtype == tf.bfloat16 and layer.u.dtype == "float32"
    # The power iteration ran in float32: σ is the float32 estimate from u.
    assert layer.sigma().dtype == tf.float32
