"""A feature network for the user's own labelled images (`tfgan-zoo features train`).

The shipped classifier fits only 28×28 Fashion-MNIST, and Inception needs a large
local file. Any labelled image set can instead train a small classifier of its
own; its penultimate layer gives the features of FID, KID and precision/recall,
and its logits the Inception Score and conditional accuracy. Such numbers compare
models measured with the same classifier (its sha256 is in every protocol), not
with published ones.

A folder written by `train_classifier` holds

    classifier.weights.h5   the weights
    classifier.json         its card: input shape, classes, held-out accuracy, sha256,
                            the data and command it came from

and `load_classifier(folder)` checks the sha256 before loading it.
"""

import json
import time
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from tfgan_zoo.data.pipeline import scale_images
from tfgan_zoo.files import sha256_file, write_text_atomically

WEIGHTS_FILE = "classifier.weights.h5"
CARD_FILE = "classifier.json"
FEATURE_DIM = 128


def build_image_classifier(input_shape, num_classes):
    """[N, H, W, C] in [-1, 1] -> logits: conv-BN-ReLU pairs at widths 16, 32, 64, 128
    (halving the size after each pair while it is above 4; narrow at full size so
    that 64-pixel sets train in about a minute on a CPU), global average pooling, a
    128-unit ReLU layer named "features", dropout and linear logits."""
    x = inputs = keras.Input(tuple(input_shape), name="image")
    for filters in (16, 32, 64, 128):
        for _ in range(2):
            x = keras.layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
            # Momentum 0.9: small user sets give few steps for the moving statistics.
            x = keras.layers.BatchNormalization(momentum=0.9)(x)
            x = keras.layers.ReLU()(x)
        if x.shape[1] > 4:
            x = keras.layers.MaxPooling2D(padding="same")(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    x = keras.layers.Dense(FEATURE_DIM, activation="relu", name="features")(x)
    x = keras.layers.Dropout(0.3)(x)
    logits = keras.layers.Dense(num_classes, name="logits")(x)
    return keras.Model(inputs, logits, name="image_classifier")


def held_out_split(count, fraction, seed):
    """(train indices, held-out indices): a seeded random `fraction` held out."""
    order = np.random.default_rng(seed).permutation(count)
    held = max(1, int(round(count * fraction)))
    return np.sort(order[held:]), np.sort(order[:held])


def train_classifier(
    images,
    labels,
    class_names,
    out,
    epochs=10,
    batch_size=64,
    seed=0,
    held_out=0.1,
    learning_rate=2e-3,
    source=None,
    command=None,
):
    """Trains on all but a held-out `held_out` share of (uint8 images, labels),
    writes the weights and card to `out`, and returns the card."""
    images, labels = np.asarray(images), np.asarray(labels, np.int32)
    if len(class_names) < 2:
        raise ValueError(f"a feature classifier needs at least 2 classes; found {len(class_names)}")
    train_index, held_index = held_out_split(len(images), held_out, seed)
    if len(train_index) < batch_size:
        raise ValueError(
            f"{len(train_index)} training images is fewer than one batch of {batch_size}"
        )
    keras.utils.set_random_seed(seed)
    model = build_image_classifier(images.shape[1:], len(class_names))
    train = (
        tf.data.Dataset.from_tensor_slices((images[train_index], labels[train_index]))
        .shuffle(len(train_index), seed=seed)
        .batch(batch_size)
        .map(lambda x, y: (scale_images(x), y))
        .prefetch(tf.data.AUTOTUNE)
    )
    steps = epochs * int(train.cardinality())
    # Cosine decay to zero: the last epochs settle instead of bouncing at a high rate.
    model.compile(
        optimizer=keras.optimizers.Adam(
            keras.optimizers.schedules.CosineDecay(learning_rate, steps)
        ),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
        jit_compile=False,
    )
    started = time.perf_counter()
    model.fit(train, epochs=epochs, verbose=0)
    seconds = time.perf_counter() - started
    logits = model.predict(scale_images(images[held_index]), batch_size=256, verbose=0)
    accuracy = float(np.mean(logits.argmax(axis=1) == labels[held_index]))
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    weights = out / WEIGHTS_FILE
    model.save_weights(weights)
    card = dict(
        purpose="feature network for FID/KID/precision-recall/IS on this data",
        input_shape=list(images.shape[1:]),
        num_classes=len(class_names),
        class_names=list(class_names),
        feature_dim=FEATURE_DIM,
        data=source,
        train_images=len(train_index),
        held_out_images=len(held_index),
        held_out_accuracy=accuracy,
        chance_accuracy=float(np.bincount(labels).max() / len(labels)),
        training=dict(
            command=command,
            epochs=epochs,
            batch_size=batch_size,
            seed=seed,
            optimizer=f"Adam, cosine decay from {learning_rate} to 0",
            seconds=round(seconds, 1),
        ),
        architecture="tfgan_zoo.metrics.classifier.build_image_classifier",
        weights_file=WEIGHTS_FILE,
        sha256=sha256_file(weights),
    )
    write_text_atomically(out / CARD_FILE, json.dumps(card, indent=2))
    return card


def is_classifier_folder(path):
    return Path(path).is_dir() and (Path(path) / CARD_FILE).is_file()


def load_classifier(folder):
    """(Keras model, card) of a folder written by `train_classifier`; refuses a
    weights file whose sha256 differs from its card's."""
    folder = Path(folder)
    card = json.loads((folder / CARD_FILE).read_text())
    weights = folder / card["weights_file"]
    found = sha256_file(weights)
    if found != card["sha256"]:
        raise ValueError(
            f"{weights}: sha256 {found} does not match its card's "
            f"{card['sha256']}; retrain it with `tfgan-zoo features train`"
        )
    model = build_image_classifier(card["input_shape"], card["num_classes"])
    model.load_weights(weights)
    return model, card
