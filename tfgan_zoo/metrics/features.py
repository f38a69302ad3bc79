"""Feature networks for sample-quality metrics (FID, KID, IS, precision/recall).

"fashion_mnist": a small CNN classifier trained by `tools/train_feature_classifier.py`
and shipped in `tfgan_zoo/weights/` with a model card; its 128-d penultimate layer
gives the features. "fid_inception": the 2015-12-05 Inception graph published FIDs
use (`fid_inception.py`), from a local file. "inception_v3": Keras' ImageNet
InceptionV3 with weights from a local file, 2048-d pool features and 1000-way
logits; other weights than FID's graph, so its FIDs are not comparable with
published numbers. Nothing is ever downloaded.

Both take images in [-1, 1] (or uint8) of shape [N, H, W, C] and return float64.
"""

import functools
import json
import os
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from tfgan_zoo.data.pipeline import scale_images
from tfgan_zoo.files import sha256_file  # noqa: F401  (used by the training tool too)
from tfgan_zoo.metrics import fid_inception

FEATURE_NETWORKS = ("fashion_mnist", "fid_inception", "inception_v3")
WEIGHTS_DIR = Path(__file__).resolve().parent.parent / "weights"
CLASSIFIER_WEIGHTS = "fashion_mnist_classifier.weights.h5"
CLASSIFIER_CARD = "fashion_mnist_classifier.json"
CLASSIFIER_INPUT_SHAPE = (28, 28, 1)
INCEPTION_ENV_VAR = "TFGAN_ZOO_INCEPTION_WEIGHTS"
INCEPTION_WEIGHTS_FILE = "inception_v3_weights_tf_dim_ordering_tf_kernels.h5"
INCEPTION_SIZE = 299
# Generators end in tanh, so [-1, 1] holds exactly; the slack absorbs float round-off.
RANGE_SLACK = 1e-3
REGENERATE_HINT = "regenerate it with `python tools/train_feature_classifier.py`"


class ChecksumError(ValueError):
    """A weight file whose sha256 differs from the one recorded in its model card."""


def build_classifier(num_classes=10) -> keras.Model:
    """The Fashion-MNIST feature classifier: [N, 28, 28, 1] in [-1, 1] -> logits.

    Two conv blocks (32, 64 filters; conv-BN-ReLU twice, then 2x2 max-pool), one
    more "same" pool 7x7 -> 4x4 so the dense layer stays small (weights < 1 MB),
    a 128-unit ReLU layer named "features", dropout and a linear logits layer.
    """
    x = inputs = keras.Input(CLASSIFIER_INPUT_SHAPE, name="image")
    for filters in (32, 32, "pool", 64, 64, "pool", "pool"):
        if filters == "pool":
            # "same": pooling 7x7 without padding would drop the last row and column.
            x = keras.layers.MaxPooling2D(padding="same")(x)
            continue
        x = keras.layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
        x = keras.layers.BatchNormalization()(x)
        x = keras.layers.ReLU()(x)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dense(128, activation="relu", name="features")(x)
    x = keras.layers.Dropout(0.3)(x)
    logits = keras.layers.Dense(num_classes, name="logits")(x)
    return keras.Model(inputs, logits, name="fashion_mnist_classifier")


class FeatureNetwork:
    """Wraps a Keras model with outputs [features, logits] behind a numpy interface.

    `preprocess` maps a validated float32 batch to the model's input (resizing for
    InceptionV3); `input_shape` is the [H, W, C] required, or None for any size.
    """

    def __init__(
        self, name, protocol_id, model, feature_dim, num_classes, input_shape=None, preprocess=None
    ):
        self.name = name
        self.protocol_id = protocol_id
        self.feature_dim = int(feature_dim)
        self.num_classes = int(num_classes)
        self.input_shape = tuple(input_shape) if input_shape is not None else None
        self.model = model
        preprocess = preprocess or (lambda x: x)

        # One trace per input shape; reduce_retracing keeps the short last batch cheap.
        @tf.function(reduce_retracing=True)
        def forward(x):
            features, logits = model(preprocess(x), training=False)
            return features, logits

        self._forward = forward

    def __repr__(self):
        return f"FeatureNetwork({self.protocol_id!r}, feature_dim={self.feature_dim})"

    def accepts(self, shape):
        """Whether images of `shape` [H, W, C] can be measured: any size for a
        resizing network, else the input shape or larger (centre-cropped)."""
        if self.input_shape is None:
            return len(shape) == 3 and shape[-1] in (1, 3)
        height, width, channels = self.input_shape
        return len(shape) == 3 and shape[2] == channels and shape[0] >= height and shape[1] >= width

    def features(self, images, batch_size=256) -> np.ndarray:
        return self.features_and_logits(images, batch_size)[0]

    def logits(self, images, batch_size=256) -> np.ndarray:
        return self.features_and_logits(images, batch_size)[1]

    def features_and_logits(self, images, batch_size=256):
        """(features float64 [N, feature_dim], pre-softmax logits float64 [N, num_classes])."""
        images = self.validate(images)
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, found {batch_size}")
        features = np.empty((len(images), self.feature_dim), np.float64)
        logits = np.empty((len(images), self.num_classes), np.float64)
        for start in range(0, len(images), batch_size):
            f, l = self._forward(tf.constant(images[start : start + batch_size]))
            features[start : start + batch_size] = f.numpy()
            logits[start : start + batch_size] = l.numpy()
        return features, logits

    def validate(self, images) -> np.ndarray:
        """float32 [N, H, W, C] in [-1, 1], or ValueError saying what was expected and found."""
        images = images.numpy() if tf.is_tensor(images) else np.asarray(images)
        expected = (
            f"{self.name} expects images [N, "
            + (", ".join(map(str, self.input_shape)) if self.input_shape else "H, W, 1 or 3")
            + "]"
        )
        if images.ndim != 4:
            raise ValueError(f"{expected}; found rank {images.ndim}, shape {images.shape}")
        if self.input_shape and images.shape[1:] != self.input_shape:
            raise ValueError(f"{expected}; found shape {images.shape}")
        if not self.input_shape and images.shape[-1] not in (1, 3):
            raise ValueError(f"{expected}; found {images.shape[-1]} channels, shape {images.shape}")
        if images.dtype == np.uint8:
            return scale_images(images)
        if not np.issubdtype(images.dtype, np.floating):
            raise ValueError(f"{expected} as uint8 or float in [-1, 1]; found dtype {images.dtype}")
        images = images.astype(np.float32, copy=False)
        if images.size and not np.isfinite(images).all():
            raise ValueError(
                f"{expected} with finite values; found "
                f"{int(np.count_nonzero(~np.isfinite(images)))} NaN/inf values"
            )
        if images.size and (images.min() < -1 - RANGE_SLACK or images.max() > 1 + RANGE_SLACK):
            raise ValueError(
                f"{expected} as float in [-1, 1] (uint8 is scaled for you); found values in "
                f"[{images.min():.4g}, {images.max():.4g}]. "
                "Scale [0, 255] floats with x / 127.5 - 1."
            )
        return images


def _classifier_paths(weights):
    """(weights file, card file) from None (package copy), a directory or a .weights.h5 path."""
    path = WEIGHTS_DIR if weights is None else Path(weights)
    if path.is_dir() or not path.name.endswith(".weights.h5"):
        path = path / CLASSIFIER_WEIGHTS
    return path, path.with_name(path.name[: -len(".weights.h5")] + ".json")


def _verified_classifier_sha(weights_path, card_path) -> str:
    for path in (weights_path, card_path):
        if not path.is_file():
            raise FileNotFoundError(
                f"Fashion-MNIST feature classifier file {path} not found; {REGENERATE_HINT}."
            )
    expected = json.loads(card_path.read_text())["sha256"]
    found = sha256_file(weights_path)
    if found != expected:
        raise ChecksumError(
            f"{weights_path}: sha256 {found} does not match {expected} recorded "
            f"in {card_path.name}; refusing to load it. Restore the file or "
            f"{REGENERATE_HINT}."
        )
    return found


def classifier_network(
    model,
    protocol_id="fashion_mnist-unsaved",
    name="fashion_mnist",
    input_shape=CLASSIFIER_INPUT_SHAPE,
) -> FeatureNetwork:
    """FeatureNetwork over a classifier with a "features" layer (`build_classifier`,
    also used by the trainer, or `classifier.build_image_classifier`)."""
    both = keras.Model(model.input, [model.get_layer("features").output, model.output])
    return FeatureNetwork(
        name,
        protocol_id,
        both,
        feature_dim=both.outputs[0].shape[-1],
        num_classes=both.outputs[1].shape[-1],
        input_shape=input_shape,
    )


@functools.lru_cache(maxsize=4)
def _load_classifier(weights_path: str, sha: str) -> FeatureNetwork:
    # Keyed by sha too, so a regenerated file is not served from a stale cache entry.
    model = build_classifier()
    model.load_weights(weights_path)
    return classifier_network(model, f"fashion_mnist-{sha[:12]}")


def _local_file(weights, env_var, file_name, what, how_to_get):
    how = (
        f"Download {file_name} ({how_to_get}) once, then set {env_var}=/path/to/"
        f"{file_name} or pass weights='/path/to/{file_name}'; it is never downloaded "
        "at run time."
    )
    weights = weights if weights is not None else os.environ.get(env_var)
    if not weights:
        raise FileNotFoundError(f"No {what} given. {how}")
    path = Path(weights)
    if not path.is_file():
        raise FileNotFoundError(f"{what} {path} not found. {how}")
    return path.resolve()


def _inception_path(weights) -> Path:
    return _local_file(
        weights,
        INCEPTION_ENV_VAR,
        INCEPTION_WEIGHTS_FILE,
        "InceptionV3 weights",
        "the file Keras' InceptionV3 uses; weights='random' gives untrained "
        "weights for plumbing tests only",
    )


def _to_inception_input(x):
    """Bilinear resize to 299x299 and gray -> RGB; [-1, 1] is already Inception's range.

    Written for shapes unknown at trace time (reduce_retracing relaxes them): a
    299 -> 299 resize is the identity, and broadcasting leaves 3 channels alone.
    """
    x = tf.image.resize(x, (INCEPTION_SIZE, INCEPTION_SIZE), method="bilinear")
    x = tf.broadcast_to(x, tf.concat([tf.shape(x)[:3], [3]], axis=0))
    return tf.ensure_shape(x, [None, INCEPTION_SIZE, INCEPTION_SIZE, 3])


@functools.lru_cache(maxsize=2)
def _load_inception(weights_path, sha) -> FeatureNetwork:
    """weights_path None: random weights (plumbing only; differ between processes)."""
    base = keras.applications.InceptionV3(
        include_top=True, weights=None, classifier_activation=None
    )
    if weights_path is not None:
        base.load_weights(weights_path)
    both = keras.Model(base.input, [base.get_layer("avg_pool").output, base.output])
    protocol_id = f"inception_v3-{sha[:12]}" if sha else "inception_v3-random"
    return FeatureNetwork(
        "inception_v3",
        protocol_id,
        both,
        feature_dim=2048,
        num_classes=1000,
        preprocess=_to_inception_input,
    )


@functools.lru_cache(maxsize=8)
def _cached_sha(path: str, mtime_ns: int, size: int) -> str:
    # InceptionV3's file is ~90 MB: hash it once per version of the file, not per call.
    return sha256_file(path)


def _file_sha(path: Path) -> str:
    stat = path.stat()
    return _cached_sha(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=4)
def _load_user_classifier(folder: str, sha: str) -> FeatureNetwork:
    from tfgan_zoo.metrics.classifier import load_classifier

    model, card = load_classifier(folder)
    return classifier_network(
        model, f"classifier-{sha[:12]}", name="classifier", input_shape=tuple(card["input_shape"])
    )


def get_feature_network(name="fashion_mnist", weights=None) -> FeatureNetwork:
    """The named feature network, built once per process and weight file.

    fashion_mnist: `weights` is None (the shipped copy), a directory holding
    fashion_mnist_classifier.{weights.h5,json}, or the .weights.h5 path (card beside
    it); the file's sha256 is checked against the card before loading.
    fid_inception: `weights` is the local classify_image_graph_def.pb, else
    $TFGAN_ZOO_FID_INCEPTION_GRAPH.
    A folder written by `tfgan-zoo features train` (`metrics.classifier`): the
    classifier trained on that data.
    inception_v3: `weights` is a local .h5 path, else $TFGAN_ZOO_INCEPTION_WEIGHTS,
    or "random".
    """
    from tfgan_zoo.metrics.classifier import CARD_FILE, is_classifier_folder

    if is_classifier_folder(name):
        folder = Path(name).resolve()
        sha = json.loads((folder / CARD_FILE).read_text())["sha256"]
        return _load_user_classifier(str(folder), sha)
    if name == "fashion_mnist":
        weights_path, card_path = _classifier_paths(weights)
        sha = _verified_classifier_sha(weights_path, card_path)
        return _load_classifier(str(weights_path.resolve()), sha)
    if name == "inception_v3":
        if weights == "random":
            return _load_inception(None, None)
        path = _inception_path(weights)
        return _load_inception(str(path), _file_sha(path))
    if name == "fid_inception":
        path = _local_file(
            weights,
            fid_inception.GRAPH_ENV_VAR,
            fid_inception.GRAPH_FILE,
            "FID Inception graph",
            "in inception-2015-12-05.tgz, the graph published FIDs use",
        )
        sha = _file_sha(path)
        graph = fid_inception.load_graph(str(path), sha)
        return FeatureNetwork(
            "fid_inception",
            f"fid_inception-{sha[:12]}",
            graph,
            feature_dim=graph.feature_dim,
            num_classes=graph.num_classes,
        )
    raise ValueError(
        f"unknown feature network {name!r}; expected one of {FEATURE_NETWORKS} "
        "or a folder written by `tfgan-zoo features train`"
    )
