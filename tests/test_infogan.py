"""InfoGAN: the mutual-information loss, and codes that steer and can be read back.

The learning test (300 steps of 64 on Fashion-MNIST, base 32 filters), seeds
0-2: Q reads the categorical code back from 98.6-100 % of fresh samples
(untrained 9.4-10.4 %, chance 10 %), the last batch's code accuracy is
0.89-0.90; the classifier's class histograms for the 10 code values differ by
a mean total variation of 0.09-0.35 (untrained exactly 0: the untrained G
ignores the code); FID (project classifier, 500 samples against 1000 test
images) 686-695 -> 339-466, a ratio of 0.49-0.67. Asserted: read back < 0.2
untrained and > 0.8 trained, code accuracy > 0.5, TV < 0.05 untrained and
> 0.05 trained, FID ratio < 0.8.
"""
import numpy as np
import pytest
import tensorflow as tf
import keras

from helpers.fashion_fid import fashion_fid
from helpers.learning import learning_seed, record, seed_everything
from tfgan_zoo.data import image_dataset, load_fashion_mnist
from tfgan_zoo.gans import InfoGAN
from tfgan_zoo.families.infogan.infogan import info_loss
from tfgan_zoo.metrics.features import get_feature_network


def test_info_loss_is_cross_entropy_plus_half_squared_error():
    logits = tf.constant([[2.0, 0.0, -1.0], [0.0, 0.0, 0.0]])
    codes = tf.constant([0, 2])
    pred, target = tf.constant([[0.5, -0.5], [1.0, 0.0]]), tf.constant([[0.0, 0.0], [0.0, 1.0]])
    log_softmax = logits.numpy() - np.log(np.exp(logits.numpy()).sum(axis=1, keepdims=True))
    ce = -(log_softmax[0, 0] + log_softmax[1, 2]) / 2
    mse = np.mean((pred.numpy() - target.numpy()) ** 2)
    assert float(info_loss(logits, codes, pred, target, 2.0)) == pytest.approx(ce + mse, rel=1e-6)
    assert float(info_loss(logits, codes, pred[:, :0], target[:, :0])) == pytest.approx(ce)


def _steering_and_recovery(model, net):
    grid = model.code_grid(rows=10, steps=20, seed=learning_seed(1))  # 10 code values x 20 noises
    predicted = np.argmax(net.logits(grid.reshape(-1, 28, 28, 1)), axis=-1).reshape(10, 20)
    hist = np.stack([np.bincount(row, minlength=10) / 20 for row in predicted])
    tv = np.mean([0.5 * np.abs(hist[i] - hist[j]).sum() for i in range(10)
                  for j in range(i + 1, 10)])
    latent = model.sample_latent(500, tf.constant([learning_seed(5), 6], tf.int64)).numpy()
    codes = np.argmax(latent[:, model.noise_dim:model.noise_dim + model.categories], axis=-1)
    q = model.q_network(model.inference_generate()(latent), training=False).numpy()
    return tv, np.mean(np.argmax(q[:, :model.categories], axis=-1) == codes)


@pytest.mark.slow
@pytest.mark.learning
def test_codes_steer_the_class_and_are_recovered(tmp_path):
    images, _ = load_fashion_mnist("train")
    net = get_feature_network("fashion_mnist")
    seed = seed_everything()
    model = InfoGAN(base_filters=32, seed=seed)
    model.compile()
    tv_before, recovered_before = _steering_and_recovery(model, net)
    fid_before = fashion_fid(model.sample(500, seed=learning_seed(1)))
    history = model.fit(image_dataset(images, batch_size=64, seed=seed, repeat=True),
                        steps_per_epoch=300, epochs=1, verbose=0).history
    tv_after, recovered_after = _steering_and_recovery(model, net)
    fid_after = fashion_fid(model.sample(500, seed=learning_seed(1)))
    print(f"FID {fid_before:.1f} -> {fid_after:.1f}")
    record(fid_before=fid_before, fid_after=fid_after, fid_ratio=fid_after / fid_before,
           recovered_before=recovered_before, recovered_after=recovered_after,
           tv_before=tv_before, tv_after=tv_after,
           code_accuracy=history["code_accuracy"][-1],
           thresholds=dict(fid_ratio="< 0.8", recovered_before="< 0.2",
                           recovered_after="> 0.8", tv_before="< 0.05", tv_after="> 0.05",
                           code_accuracy="> 0.5"))
    assert fid_after < 0.8 * fid_before
    assert recovered_before < 0.2 and recovered_after > 0.8
    assert tv_before < 0.05 and tv_after > 0.05
    assert history["code_accuracy"][-1] > 0.5

    sweep = model.code_grid(rows=2, steps=5, continuous_index=0, seed=2)
    assert sweep.shape == (2, 5, 28, 28, 1)
    assert np.abs(sweep[:, 0] - sweep[:, -1]).mean() > 0.01  # the continuous code moves pixels

    model.save(tmp_path / "info.keras")
    loaded = keras.saving.load_model(tmp_path / "info.keras")
    np.testing.assert_array_equal(loaded.sample(4, seed=3), model.sample(4, seed=3))
    assert int(loaded.g_optimizer.iterations) == 300


def test_a_step_redraws_the_codes_it_generated_with():
    model = InfoGAN(image_shape=(8, 8, 1), noise_dim=3, categories=4, continuous=1,
                    base_filters=4, seed=1)
    model.compile()
    counter = tf.constant(7, tf.int64)
    latent = model.latent_noise(6, "d", counter).numpy()
    categorical, continuous = model.draw_codes(6, "d", counter)
    np.testing.assert_array_equal(np.argmax(latent[:, 3:7], axis=-1), categorical.numpy())
    np.testing.assert_array_equal(latent[:, 7:], continuous.numpy())
    assert np.abs(continuous.numpy()).max() <= 1.0
    _, other = model.draw_codes(6, "g", counter)  # a G step draws other codes
    assert np.abs(other.numpy() - continuous.numpy()).min() > 0
