"""BEGAN: the controller and convergence measure, and M_global falling on Fashion-MNIST."""
import numpy as np
import pytest
import keras

from helpers.learning import record, seed_everything
from tfgan_zoo.data import image_dataset, load_fashion_mnist
from tfgan_zoo.engine import losses
from tfgan_zoo.gans import BEGAN


def test_k_update_and_convergence_measure_closed_forms():
    # gamma L(x) - L(G(z)) = 0.5 * 0.4 - 0.1 = 0.1 -> k + 0.001 * 0.1
    assert float(losses.began_k_update(0.3, 0.4, 0.1, 0.5, 0.001)) == pytest.approx(0.3001)
    assert float(losses.began_k_update(0.0, 0.1, 0.9, 0.5, 0.1)) == 0.0   # clipped below
    assert float(losses.began_k_update(0.99, 0.9, 0.0, 0.5, 0.1)) == 1.0  # clipped above
    assert float(losses.began_convergence(0.4, 0.1, 0.5)) == pytest.approx(0.4 + 0.1)
    assert float(losses.began_discriminator_loss(np.array([0.2, 0.4]), np.array([0.1, 0.3]),
                                                 k=0.5)) == pytest.approx(0.3 - 0.5 * 0.2)


def test_discriminator_scores_are_reconstruction_errors():
    model = BEGAN(image_shape=(8, 8, 1), latent_dim=4, base_filters=4, seed=0)
    images = np.random.default_rng(0).uniform(-1, 1, (3, 8, 8, 1)).astype("float32")
    encoder = model.discriminator.get_layer("encoder")
    decoder = model.discriminator.get_layer("d_decoder")
    expected = np.abs(images - decoder(encoder(images)).numpy()).mean(axis=(1, 2, 3))
    np.testing.assert_allclose(model.discriminator(images).numpy()[:, 0], expected, rtol=1e-5)


@pytest.mark.slow
@pytest.mark.learning
def test_m_global_decreases_on_fashion_mnist_and_k_is_saved(tmp_path):
    """300 steps of 64: the first epoch's mean M_global against the third's.

    Seeds 0-2: M_global 0.43-0.46 -> 0.24-0.29, a ratio of 0.54-0.64.
    Asserted: ratio < 0.8.
    """
    seed = seed_everything()
    images, _ = load_fashion_mnist("train")
    data = image_dataset(images[:12_800], batch_size=64, seed=seed, repeat=True)
    model = BEGAN(latent_dim=32, base_filters=16, seed=seed)
    model.compile()
    history = model.fit(data, epochs=3, steps_per_epoch=100, verbose=0).history
    m_global = history["m_global"]
    record(m_global_first=m_global[0], m_global_last=m_global[-1],
           m_global_ratio=m_global[-1] / m_global[0], thresholds=dict(m_global_ratio="< 0.8"))
    assert m_global[-1] < 0.8 * m_global[0]
    k = float(model.k_t.numpy())
    assert 0.0 <= k <= 1.0 and k == pytest.approx(history["k_t"][-1], abs=0.01)
    model.save(tmp_path / "began.keras")
    assert float(keras.models.load_model(tmp_path / "began.keras").k_t.numpy()) == k
