"""Semi-supervised data: a few labelled images among many unlabelled ones.

Label -1 marks an unlabelled image. With 10 labels among 60,000 images, a
batch of 32 holds a labelled image once in 19 batches; `semi_supervised_dataset`
instead puts `labelled_per_batch` labelled images in every batch (drawn, with
reshuffling, from the labelled pool) beside images of the whole set with their
labels hidden, as semi-supervised GANs train.
"""

import numpy as np
import tensorflow as tf

from tfgan_zoo.data.pipeline import scale_images

UNLABELLED = -1


def hide_labels(labels, per_class, seed=0):
    """Labels with all but `per_class` randomly chosen ones per class set to -1."""
    labels = np.asarray(labels)
    kept = np.full(labels.shape, UNLABELLED, np.int32)
    rng = np.random.default_rng(seed)
    for value in np.unique(labels):
        where = np.flatnonzero(labels == value)
        chosen = rng.choice(where, size=min(per_class, len(where)), replace=False)
        kept[chosen] = value
    return kept


def semi_supervised_dataset(images, labels, batch_size=32, labelled_per_batch=8, seed=0):
    """Endless batches of (images in [-1, 1], labels): the first
    `labelled_per_batch` rows are labelled images, the others come from all
    `images` with label -1. `labels` holds -1 for unlabelled images."""
    labels = np.asarray(labels, np.int32)
    if labels.shape != (len(images),):
        raise ValueError(f"expected one label per image, found {labels.shape} for {len(images)}")
    labelled = np.flatnonzero(labels >= 0)
    if not 0 < labelled_per_batch < batch_size:
        raise ValueError(
            f"labelled_per_batch must be in [1, {batch_size}), found {labelled_per_batch}"
        )
    if len(labelled) == 0:
        raise ValueError("no labelled image (every label is -1)")
    to_float = scale_images if np.asarray(images).dtype == np.uint8 else tf.identity
    few = (
        tf.data.Dataset.from_tensor_slices((images[labelled], labels[labelled]))
        .shuffle(len(labelled), seed=seed)
        .repeat()
        .batch(labelled_per_batch)
    )
    many = (
        tf.data.Dataset.from_tensor_slices(images)
        .shuffle(len(images), seed=seed + 1)
        .repeat()
        .batch(batch_size - labelled_per_batch)
    )

    def join(few_batch, many_batch):
        x = tf.concat([to_float(few_batch[0]), to_float(many_batch)], axis=0)
        hidden = tf.fill([batch_size - labelled_per_batch], UNLABELLED)
        return x, tf.concat([few_batch[1], hidden], axis=0)

    return tf.data.Dataset.zip((few, many)).map(join).prefetch(tf.data.AUTOTUNE)
