import json
import shutil
import socket

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_zoo.data.fashion_mnist import load_fashion_mnist
from tfgan_zoo.data.pipeline import scale_images
from tfgan_zoo.metrics import FEATURE_NETWORKS, FeatureNetwork, get_feature_network
from tfgan_zoo.metrics.features import (
    CLASSIFIER_CARD,
    CLASSIFIER_WEIGHTS,
    INCEPTION_ENV_VAR,
    INCEPTION_WEIGHTS_FILE,
    WEIGHTS_DIR,
    ChecksumError,
)


@pytest.fixture(scope="module")
def classifier():
    return get_feature_network("fashion_mnist")


@pytest.fixture(scope="module")
def test_split():
    return load_fashion_mnist("test")


@pytest.fixture
def no_network(monkeypatch):
    """Any download or socket connection fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(keras.utils, "get_file", refuse)
    monkeypatch.setattr("keras.src.utils.file_utils.get_file", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


def test_known_networks():
    assert FEATURE_NETWORKS == ("fashion_mnist", "fid_inception", "inception_v3")
    with pytest.raises(ValueError, match="unknown feature network 'vgg'"):
        get_feature_network("vgg")


def test_classifier_accuracy_matches_card(classifier, test_split):
    images, labels = test_split
    card = json.loads((WEIGHTS_DIR / CLASSIFIER_CARD).read_text())
    accuracy = float((classifier.logits(images).argmax(axis=1) == labels).mean())
    assert accuracy >= 0.90
    assert abs(accuracy - card["test_accuracy"]) <= 0.002
    assert card["feature_dim"] == classifier.feature_dim == 128
    assert card["num_classes"] == classifier.num_classes == 10
    assert classifier.protocol_id == "fashion_mnist-" + card["sha256"][:12]
    assert (WEIGHTS_DIR / CLASSIFIER_WEIGHTS).stat().st_size < 2 * 1024 * 1024


def test_classifier_is_cached(classifier):
    assert get_feature_network("fashion_mnist") is classifier
    assert get_feature_network("fashion_mnist", weights=WEIGHTS_DIR) is classifier


def test_classifier_shapes_batches_and_uint8(classifier, test_split):
    images = test_split[0][:300]
    features, logits = classifier.features_and_logits(images)
    assert features.shape == (300, 128) and features.dtype == np.float64
    assert logits.shape == (300, 10) and logits.dtype == np.float64
    assert (features >= 0).all() and features.std() > 0  # post-ReLU, not dead

    scaled = scale_images(images)
    np.testing.assert_allclose(classifier.features(scaled, batch_size=7), features, atol=1e-5)
    np.testing.assert_allclose(
        classifier.logits(tf.constant(scaled), batch_size=7), logits, atol=1e-5
    )
    np.testing.assert_array_equal(classifier.logits(scaled), logits)


def test_classifier_empty_batch(classifier):
    features, logits = classifier.features_and_logits(np.zeros((0, 28, 28, 1), np.float32))
    assert features.shape == (0, 128) and logits.shape == (0, 10)


@pytest.mark.parametrize(
    "images, message",
    [
        (np.zeros((4, 28, 28), np.float32), r"\[N, 28, 28, 1\]; found rank 3"),
        (np.zeros((4, 32, 32, 1), np.float32), r"\[N, 28, 28, 1\]; found shape \(4, 32, 32, 1\)"),
        (np.zeros((4, 28, 28, 3), np.float32), r"found shape \(4, 28, 28, 3\)"),
        (
            np.full((4, 28, 28, 1), 255.0, np.float32),
            r"float in \[-1, 1\].*found values in \[255, 255\]",
        ),
        (np.full((4, 28, 28, 1), np.nan, np.float32), "finite values; found 3136 NaN/inf"),
        (np.zeros((4, 28, 28, 1), np.int32), "found dtype int32"),
    ],
)
def test_classifier_rejects_bad_inputs(classifier, images, message):
    with pytest.raises(ValueError, match=message):
        classifier.features(images)


def test_range_slack(classifier):
    # Float round-off just past +-1 is accepted; a real overshoot is not.
    classifier.features(np.full((1, 28, 28, 1), 1.0009, np.float32))
    with pytest.raises(ValueError, match="found values in"):
        classifier.features(np.full((1, 28, 28, 1), -1.01, np.float32))


def _copy_weights(directory):
    for name in (CLASSIFIER_WEIGHTS, CLASSIFIER_CARD):
        shutil.copy(WEIGHTS_DIR / name, directory / name)
    return directory / CLASSIFIER_WEIGHTS


def test_corrupted_weights_refused_before_loading(tmp_path, monkeypatch):
    weights = _copy_weights(tmp_path)
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0xFF
    weights.write_bytes(bytes(data))

    def no_load(*args, **kwargs):
        raise AssertionError("weights loaded before the checksum was checked")

    monkeypatch.setattr(keras.Model, "load_weights", no_load)
    with pytest.raises(ChecksumError, match="does not match") as error:
        get_feature_network("fashion_mnist", weights=tmp_path)
    expected = json.loads((tmp_path / CLASSIFIER_CARD).read_text())["sha256"]
    assert str(weights) in str(error.value) and expected in str(error.value)
    assert isinstance(error.value, ValueError)
    with pytest.raises(ChecksumError):
        get_feature_network("fashion_mnist", weights=weights)


def test_intact_copy_loads_from_file_path(tmp_path, classifier):
    weights = _copy_weights(tmp_path)
    network = get_feature_network("fashion_mnist", weights=weights)
    assert network.protocol_id == classifier.protocol_id
    images = np.linspace(-1, 1, 2 * 784, dtype=np.float32).reshape(2, 28, 28, 1)
    np.testing.assert_allclose(network.logits(images), classifier.logits(images), atol=1e-6)


def test_missing_weights_says_how_to_regenerate(tmp_path):
    with pytest.raises(FileNotFoundError, match="tools/train_feature_classifier.py"):
        get_feature_network("fashion_mnist", weights=tmp_path)


def test_inception_missing_weights(tmp_path, monkeypatch, no_network):
    monkeypatch.delenv(INCEPTION_ENV_VAR, raising=False)
    with pytest.raises(FileNotFoundError, match=INCEPTION_ENV_VAR) as error:
        get_feature_network("inception_v3")
    assert INCEPTION_WEIGHTS_FILE in str(error.value) and "weights=" in str(error.value)
    monkeypatch.setenv(INCEPTION_ENV_VAR, str(tmp_path / INCEPTION_WEIGHTS_FILE))
    with pytest.raises(FileNotFoundError, match="not found.*" + INCEPTION_ENV_VAR):
        get_feature_network("inception_v3")


@pytest.mark.slow
def test_inception_random_weights(no_network):
    network = get_feature_network("inception_v3", weights="random")
    assert isinstance(network, FeatureNetwork)
    assert network.protocol_id == "inception_v3-random"
    assert (network.feature_dim, network.num_classes) == (2048, 1000)

    # Image 0: a constant; image 1: a gradient, to pin down bilinear resizing.
    small = np.stack(
        [
            np.full((28, 28, 1), 0.25, np.float32),
            np.linspace(-1, 1, 784, dtype=np.float32).reshape(28, 28, 1),
        ]
    )
    large = tf.repeat(tf.image.resize(small, (299, 299), method="bilinear"), 3, axis=-1)
    np.testing.assert_allclose(large[0], 0.25, atol=1e-6)
    features, logits = network.features_and_logits(small)
    assert features.shape == (2, 2048) and logits.shape == (2, 1000)
    assert features.dtype == logits.dtype == np.float64
    large_features, large_logits = network.features_and_logits(large.numpy())
    # Random weights give small activations, so tolerances are relative to their scale.
    f_scale, l_scale = np.abs(features).max(), np.abs(logits).max()
    assert f_scale > 0 and l_scale > 0
    np.testing.assert_allclose(features, large_features, rtol=1e-4, atol=1e-4 * f_scale)
    np.testing.assert_allclose(logits, large_logits, rtol=1e-4, atol=1e-4 * l_scale)
    # 299x299x3 input goes to the model unchanged (the resize is then the identity).
    direct_features, _ = network.model(large, training=False)
    np.testing.assert_allclose(direct_features, large_features, rtol=1e-5, atol=1e-5 * f_scale)
    # The two images differ at the output: the inputs do reach it.
    assert np.abs(features[0] - features[1]).max() > 0.1 * f_scale

    with pytest.raises(ValueError, match="H, W, 1 or 3.*found 2 channels"):
        network.features(np.zeros((1, 28, 28, 2), np.float32))
    assert get_feature_network("inception_v3", weights="random") is network
