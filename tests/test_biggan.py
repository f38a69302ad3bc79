"""BigGAN's mechanisms: spectral norm, orthogonal regularisation, truncation,
projection D, conditional batch norm, self-attention, EMA and saving.

Learning quality is not claimed here yet: with this CPU budget (800 steps of
64, filters 16) samples reached 13 % conditional accuracy (chance 10 %).
"""
import numpy as np
import pytest
import tensorflow as tf
import keras

from tfgan_zoo.gans import BigGAN
from tfgan_zoo.gans.biggan import orthogonal_penalty, truncated_normal
from tfgan_zoo.networks.biggan import ConditionalBatchNorm, SelfAttention


def _small(**kwargs):
    keras.utils.set_random_seed(0)
    return BigGAN(image_shape=(8, 8, 1), num_classes=3, latent_dim=6, filters=4,
                  embedding_dim=4, seed=0, **kwargs)


def _data(n=32):
    rng = np.random.default_rng(0)
    return (rng.uniform(-1, 1, (n, 8, 8, 1)).astype("float32"),
            rng.integers(0, 3, n).astype("int32"))


def test_orthogonal_penalty_closed_form():
    w = np.array([[1.0, 1.0], [0.0, 1.0]], np.float32)  # WᵀW = [[1, 1], [1, 2]]
    assert float(orthogonal_penalty([tf.constant(w)])) == pytest.approx(2.0)
    q, _ = np.linalg.qr(np.random.default_rng(0).normal(size=(5, 3)))
    assert float(orthogonal_penalty([tf.constant(q, tf.float32)])) == pytest.approx(0, abs=1e-10)


def test_truncated_normal_stays_in_range_and_keeps_the_shape_of_the_normal():
    z = truncated_normal((20000,), tf.constant([1, 2], tf.int64), 0.5).numpy()
    assert np.abs(z).max() <= 0.5 and z.std() == pytest.approx(0.28, abs=0.01)  # 0.2820 exact
    wide = truncated_normal((20000,), tf.constant([1, 2], tf.int64), 8.0).numpy()
    assert wide.std() == pytest.approx(1.0, abs=0.02)


def test_spectral_norm_keeps_each_kernel_at_unit_singular_value(tmp_path):
    model = _small()
    model.compile(ema_decay=0.9)
    images, labels = _data()
    history = model.fit(images, labels, batch_size=16, epochs=2, verbose=0).history
    assert all(np.isfinite(v[-1]) for v in history.values())
    layers = model.spectral_layers(model.generator) + model.spectral_layers(model.discriminator)
    assert len(layers) > 15
    sigmas = [np.linalg.svd(layer.kernel.numpy().reshape(-1, layer.kernel.shape[-1]),
                            compute_uv=False)[0] for layer in layers]
    assert max(abs(s - 1.0) for s in sigmas) < 0.05
    assert history["orthogonal"][-1] > 0

    model.save(tmp_path / "big.keras")
    loaded = keras.saving.load_model(tmp_path / "big.keras")
    np.testing.assert_array_equal(loaded.sample(6, seed=1, truncation=0.7),
                                  model.sample(6, seed=1, truncation=0.7))
    assert loaded.ema.decay == 0.9


def test_truncation_lowers_the_variety_of_samples(tmp_path):
    model = _small()
    model.compile(ema_decay="none")  # BigGAN keeps an EMA by default; not this one
    assert model.ema is None
    model.save(tmp_path / "no_ema.keras")
    assert keras.saving.load_model(tmp_path / "no_ema.keras").ema is None
    spread = {t: model.sample(200, labels=0, seed=2, truncation=t).std(axis=0).mean()
              for t in (None, 1.0, 0.25)}
    assert spread[0.25] < spread[1.0] < spread[None]


def test_conditioning_layers():
    cbn = ConditionalBatchNorm()
    x = tf.random.normal((4, 3, 3, 2))
    condition = tf.random.normal((4, 5))
    out = cbn([x, condition], training=True)  # gain/bias start at 1 and 0: plain batch norm
    mean = tf.reduce_mean(x, axis=[0, 1, 2])
    std = tf.math.reduce_std(x, axis=[0, 1, 2])
    np.testing.assert_allclose(out.numpy(), ((x - mean) / tf.sqrt(std ** 2 + 1e-3)).numpy(),
                               atol=1e-4)
    attention = SelfAttention()
    np.testing.assert_array_equal(attention(x).numpy(), x.numpy())  # γ starts at 0
    attention.gamma.assign(1.0)
    assert not np.allclose(attention(x).numpy(), x.numpy())


def test_projection_discriminator_uses_the_label():
    model = _small()
    images = tf.constant(_data(4)[0])
    embedding = [l for l in model.discriminator.layers if isinstance(l, keras.layers.Embedding)][0]
    embedding.embeddings.assign(tf.random.normal(embedding.embeddings.shape))
    scores = [model.discriminate(images, tf.fill([4], c)).numpy() for c in range(3)]
    assert not np.allclose(scores[0], scores[1])
