"""PacGAN packing: D scores packs of m samples, as one D on their concatenation."""

import keras
import numpy as np
import pytest

from tfgan_zoo.gans import StandardGAN
from tfgan_zoo.networks import mlp_discriminator
from tfgan_zoo.networks.mlp import PackSamples


def test_packed_discriminator_is_a_discriminator_on_concatenated_samples():
    packed = mlp_discriminator((2,), hidden=(16, 16), pack=2)
    flat = mlp_discriminator((4,), hidden=(16, 16))
    flat.set_weights(packed.get_weights())  # same shapes: the first kernel is [4, 16]
    x = np.random.default_rng(0).normal(size=(6, 2)).astype(np.float32)
    out = keras.ops.convert_to_numpy(packed(x))
    assert out.shape == (3, 1)
    np.testing.assert_allclose(out, keras.ops.convert_to_numpy(flat(x.reshape(3, 4))), rtol=1e-6)


def test_pack_must_divide_the_d_batch():
    with pytest.raises(Exception, match="must divide by 4"):
        PackSamples(4)(np.zeros((6, 2), np.float32))


def test_packed_gan_trains_saves_and_reloads(tmp_path):
    model = StandardGAN(data_shape=(2,), latent_dim=2, hidden=(16, 16, 16), pack=2, seed=0)
    model.compile()
    history = model.fit(
        np.random.default_rng(1).normal(size=(256, 2)).astype(np.float32),
        batch_size=64,
        epochs=1,
        verbose=0,
    )
    assert np.isfinite(history.history["d_loss"][-1])
    model.save(tmp_path / "pac.keras")
    again = keras.models.load_model(tmp_path / "pac.keras")
    assert again.pack == 2 and again.get_config()["pack"] == 2
    np.testing.assert_array_equal(again.sample(8, seed=3), model.sample(8, seed=3))


def test_pack_is_refused_for_images():
    with pytest.raises(ValueError, match="vector data"):
        StandardGAN(data_shape=(28, 28, 1), pack=2)
