"""tf.data input pipelines: images scaled to [-1, 1] (the tanh range of generators) and 2D points."""

import numpy as np
import tensorflow as tf


def scale_images(x):
    """uint8 pixels in [0, 255] -> float32 in [-1, 1]; numpy in, numpy out, tensor in, tensor out."""
    if tf.is_tensor(x):
        return tf.cast(x, tf.float32) / 127.5 - 1.0
    return np.asarray(x).astype(np.float32) / np.float32(127.5) - np.float32(1.0)


def unscale_images(x):
    """float in [-1, 1] -> uint8 in [0, 255], clipped, rounded half up."""
    if tf.is_tensor(x):
        y = tf.floor((tf.cast(x, tf.float32) + 1.0) * 127.5 + 0.5)
        return tf.cast(tf.clip_by_value(y, 0.0, 255.0), tf.uint8)
    # float64 so that values like 127.5 round the same way for every input dtype.
    y = np.floor((np.asarray(x, dtype=np.float64) + 1.0) * 127.5 + 0.5)
    return np.clip(y, 0, 255).astype(np.uint8)


def _checked_labels(labels, count):
    labels = np.asarray(labels)
    if labels.shape != (count,):
        raise ValueError(f"expected labels of shape ({count},), found {labels.shape}")
    return labels.astype(np.int32)


def _batched(features, labels, batch_size, shuffle, seed, repeat, to_float):
    """Shared pipeline: slice, shuffle, repeat, batch (drop remainder), convert, prefetch."""
    count = len(features)
    if batch_size <= 0 or batch_size > count:
        raise ValueError(
            f"batch_size must be in [1, {count}] for {count} examples "
            f"(the last partial batch is dropped), found {batch_size}"
        )
    if labels is None:
        ds = tf.data.Dataset.from_tensor_slices(features)
    else:
        ds = tf.data.Dataset.from_tensor_slices((features, _checked_labels(labels, count)))
    if shuffle:
        ds = ds.shuffle(count, seed=seed, reshuffle_each_iteration=True)
    if repeat:
        ds = ds.repeat()
    ds = ds.batch(batch_size, drop_remainder=True)
    # Converting whole batches after batching is cheaper than per example,
    # and keeping uint8 in the source holds a quarter of the memory of float32.
    if labels is None:
        ds = ds.map(to_float, num_parallel_calls=tf.data.AUTOTUNE)
    else:
        ds = ds.map(lambda x, y: (to_float(x), y), num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)


def row_reader(features):
    """index -> features[index]: from memory, or by reading rows of an array kept
    on disk (np.memmap: image sets larger than the memory budget)."""
    if not isinstance(features, np.memmap):
        features = tf.constant(features)
        return lambda index: tf.gather(features, index)
    dtype, row_shape = tf.as_dtype(features.dtype), features.shape[1:]

    def read(index):
        rows = tf.numpy_function(lambda i: np.asarray(features[np.asarray(i)]), [index], dtype)
        return tf.ensure_shape(rows, [None, *row_shape])

    return read


def epoch_batches(
    features, labels, batch_size, steps_per_epoch, seed=0, start_epoch=0, to_float=tf.identity
):
    """An endless stream of epochs, where epoch e's batches depend only on (seed, e).

    A plain `shuffle(reshuffle_each_iteration=True)` orders epoch e by how many
    times this process has iterated the dataset, so a run resumed at epoch e
    would see epoch 0's order. Here epoch e is shuffled with seed (seed, e):
    starting at `start_epoch` yields exactly the batches an uninterrupted run
    sees from that epoch on. Each epoch is `steps_per_epoch` batches, cycling
    through the (reshuffled) data as often as needed.
    """
    count = len(features)
    if batch_size <= 0 or batch_size > count:
        raise ValueError(
            f"batch_size must be in [1, {count}] for {count} examples "
            f"(the last partial batch is dropped), found {batch_size}"
        )
    gather_rows = row_reader(features)
    labels = None if labels is None else tf.constant(_checked_labels(labels, count))
    passes = -(-steps_per_epoch * batch_size // count)  # data passes one epoch needs

    # Stateless permutations (not `shuffle(seed=...)`): they take a tensor seed
    # and stay valid under op determinism.
    def one_pass(e, p):
        seed_pair = tf.stack([tf.constant(seed, tf.int64), e * 4096 + p])
        order = tf.random.experimental.stateless_shuffle(
            tf.range(count, dtype=tf.int64), seed=seed_pair
        )
        return tf.data.Dataset.from_tensor_slices(order)

    def epoch(e):
        return (
            tf.data.Dataset.range(passes)
            .flat_map(lambda p: one_pass(e, p))
            .batch(batch_size, drop_remainder=True)
            .take(steps_per_epoch)
        )

    def gather(index):
        x = to_float(gather_rows(index))
        return x if labels is None else (x, tf.gather(labels, index))

    ds = tf.data.Dataset.range(int(start_epoch), 2**62).flat_map(epoch)
    return ds.map(gather, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)


def image_dataset(images, labels=None, batch_size=64, shuffle=True, seed=0, repeat=False):
    """Batches of float32 images in [-1, 1] (with int32 labels as `(images, labels)` if given).

    `images` is [N, H, W, C] (or [N, H, W], given a channel axis): uint8 pixels
    are scaled; float arrays must already lie in [-1, 1] and pass through.
    """
    images = np.asarray(images)
    if images.ndim == 3:
        images = images[..., np.newaxis]
    if images.ndim != 4:
        raise ValueError(f"expected images of shape [N, H, W, C], found {images.shape}")
    if images.dtype == np.uint8:
        to_float = scale_images
    elif np.issubdtype(images.dtype, np.floating):
        if images.size and (images.min() < -1.0 or images.max() > 1.0):
            raise ValueError(
                f"float images must lie in [-1, 1], found range "
                f"[{images.min()}, {images.max()}]; pass uint8 pixels to scale them"
            )
        images = images.astype(np.float32, copy=False)
        to_float = tf.identity
    else:
        raise ValueError(f"expected uint8 or float images, found {images.dtype}")
    return _batched(images, labels, batch_size, shuffle, seed, repeat, to_float)


def points_dataset(points, labels=None, batch_size=256, shuffle=True, seed=0, repeat=False):
    """Batches of float32 vectors [batch, D] (with int32 labels as `(points, labels)` if given)."""
    points = np.asarray(points, dtype=np.float32)
    if points.ndim != 2:
        raise ValueError(f"expected points of shape [N, D], found {points.shape}")
    return _batched(points, labels, batch_size, shuffle, seed, repeat, tf.identity)
