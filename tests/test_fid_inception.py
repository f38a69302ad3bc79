"""The FID Inception graph loader, on a graph built here with the interface of the
2015-12-05 `classify_image_graph_def.pb`: the `ExpandDims:0` input (a batch-1 image
in [0, 255]), `ResizeBilinear`, normalisation, `pool_3:0` [N, 1, 1, F], the
batch-1 `pool_3/_reshape` and the `softmax/logits/MatMul` weights."""

import numpy as np
import pytest
import tensorflow as tf

from tfgan_zoo.metrics import get_feature_network
from tfgan_zoo.metrics.fid_inception import GRAPH_ENV_VAR, GRAPH_FILE

SIDE, FEATURES, CLASSES = 8, 6, 5
RNG = np.random.default_rng(0)
PROJECTION = RNG.normal(size=(3, FEATURES)).astype("float32")
SOFTMAX_WEIGHTS = RNG.normal(size=(FEATURES, CLASSES)).astype("float32")


def write_graph(path):
    graph = tf.Graph()
    with graph.as_default():
        contents = tf.compat.v1.placeholder(tf.string, shape=[], name="DecodeJpeg/contents")
        decoded = tf.image.decode_jpeg(contents, channels=3, name="DecodeJpeg")
        x = tf.expand_dims(tf.cast(decoded, tf.float32), 0, name="ExpandDims")
        x = tf.compat.v1.image.resize_bilinear(x, [SIDE, SIDE], name="ResizeBilinear")
        x = (x - 128.0) / 128.0
        pooled = tf.reduce_mean(x, axis=[1, 2])  # [N, 3]
        features = tf.matmul(pooled, tf.constant(PROJECTION))
        pool_3 = tf.reshape(features, [-1, 1, 1, FEATURES], name="pool_3")
        flat = tf.reshape(pool_3, [1, FEATURES], name="pool_3/_reshape")  # batch 1 only
        tf.matmul(
            flat, tf.constant(SOFTMAX_WEIGHTS, name="softmax/weights"), name="softmax/logits/MatMul"
        )
    path.write_bytes(graph.as_graph_def().SerializeToString())
    return path


def expected(images):
    pixels = np.broadcast_to((images + 1.0) * 127.5, images.shape[:3] + (3,))
    features = ((pixels - 128.0) / 128.0).mean(axis=(1, 2)) @ PROJECTION
    return features, features @ SOFTMAX_WEIGHTS


def test_the_graph_gives_its_pool_features_and_logits_for_a_batch(tmp_path):
    network = get_feature_network("fid_inception", weights=write_graph(tmp_path / GRAPH_FILE))
    assert (network.feature_dim, network.num_classes) == (FEATURES, CLASSES)
    assert network.protocol_id.startswith("fid_inception-")
    # Five grey images of the graph's size, in [-1, 1]: fed as [0, 255] RGB in one batch.
    images = RNG.uniform(-1, 1, (5, SIDE, SIDE, 1)).astype("float32")
    features, logits = network.features_and_logits(images, batch_size=5)
    want_features, want_logits = expected(images)
    np.testing.assert_allclose(features, want_features, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(logits, want_logits, rtol=1e-5, atol=1e-5)
    # Colour images and other sizes go through the graph's own resize.
    colour = RNG.uniform(-1, 1, (3, 2 * SIDE, 2 * SIDE, 3)).astype("float32")
    assert network.features(colour).shape == (3, FEATURES)


def test_the_file_comes_from_the_environment_and_bad_files_say_so(tmp_path, monkeypatch):
    monkeypatch.delenv(GRAPH_ENV_VAR, raising=False)
    with pytest.raises(FileNotFoundError, match=GRAPH_ENV_VAR):
        get_feature_network("fid_inception")
    monkeypatch.setenv(GRAPH_ENV_VAR, str(write_graph(tmp_path / GRAPH_FILE)))
    assert get_feature_network("fid_inception").feature_dim == FEATURES

    garbage = tmp_path / "garbage.pb"
    garbage.write_bytes(b"\xff\x00 not a graph")
    with pytest.raises(ValueError, match="not a TensorFlow GraphDef"):
        get_feature_network("fid_inception", weights=garbage)
    other = tmp_path / "other.pb"
    graph = tf.Graph()
    with graph.as_default():
        tf.constant(1.0, name="ExpandDims")
    other.write_bytes(graph.as_graph_def().SerializeToString())
    with pytest.raises(ValueError, match="not the FID Inception graph"):
        get_feature_network("fid_inception", weights=other)
