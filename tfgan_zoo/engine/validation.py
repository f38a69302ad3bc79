"""Checks training data against a GAN before its first step.

A GAN that trains on NaNs, on unscaled pixels or on labels it has no embedding
for does not crash: it silently learns garbage. `validate_training_data` finds
these cases up front, from the dataset's element spec and one scan of its
batches, and raises `DataValidationError` saying what was expected and what was
found. It reads the data only; nothing is written.
"""

import numpy as np
import tensorflow as tf

# Values this far outside `data_range` are rounding, not a scaling mistake.
_RANGE_TOLERANCE = 1e-3
# How many batches to scan when a dataset's length is infinite or unknown.
DEFAULT_SCAN_BATCHES = 100
# Batches whose stats the scan fetches at once.
SCAN_CHUNK = 1024


class DataValidationError(ValueError):
    """Training data does not match what the model was built for."""


def _split_spec(spec):
    """(sample spec, label spec or None) of one dataset element."""
    if isinstance(spec, dict):
        raise DataValidationError(
            "expected batches of samples or (samples, labels) tuples; found a dict "
            f"with keys {sorted(spec)}."
        )
    if isinstance(spec, (tuple, list)):
        if len(spec) not in (1, 2, 3):
            raise DataValidationError(
                f"expected (samples,) or (samples, labels); found a tuple of {len(spec)}."
            )
        return spec[0], (spec[1] if len(spec) > 1 else None)
    return spec, None


def _check_static(model, x_spec, y_spec):
    expected = (None,) + tuple(model.data_shape)
    found = tuple(x_spec.shape)
    if len(found) != len(expected):
        hint = ""
        if len(found) == 2 and len(expected) == 4:
            hint = (
                " This looks like a dataset of points (e.g. a 2D mixture); image GANs "
                "need image batches. Train a point model such as "
                "VanillaGAN(data_shape=(2,)) on it instead."
            )
        elif len(found) == 3 and len(expected) == 4:
            hint = " Add the channel axis: images[..., None]."
        raise DataValidationError(
            f"expected samples of shape {expected} (batch first); found rank "
            f"{len(found)} shape {found}.{hint}"
        )
    for want, got in zip(expected[1:], found[1:]):
        if got is not None and want is not None and want != got:
            raise DataValidationError(f"expected samples of shape {expected}; found {found}.")
    if model.num_classes is not None:
        if y_spec is None:
            raise DataValidationError(
                f"a conditional GAN ({model.num_classes} classes) needs (samples, labels) "
                "batches; found samples only."
            )
        if not y_spec.dtype.is_integer:
            raise DataValidationError(
                f"labels must be integer class ids in [0, {model.num_classes}); found dtype "
                f"{y_spec.dtype.name}."
            )
        if y_spec.shape.rank not in (None, 1) and tuple(y_spec.shape[1:]) != (1,):
            raise DataValidationError(
                f"labels must have shape (batch,); found {tuple(y_spec.shape)}."
            )


def _batch_stats(x, y=None):
    xf = tf.cast(x, tf.float64)
    finite = tf.math.is_finite(xf)
    safe = tf.where(finite, xf, tf.zeros_like(xf))
    stats = dict(
        n=tf.shape(x)[0],
        nonfinite=tf.reduce_sum(tf.cast(~finite, tf.int64)),
        low=tf.reduce_min(safe),
        high=tf.reduce_max(safe),
    )
    if y is not None:
        y64 = tf.reshape(tf.cast(y, tf.int64), [-1])
        stats.update(
            n_labels=tf.size(y64), label_low=tf.reduce_min(y64), label_high=tf.reduce_max(y64)
        )
    return stats


def _check_batch(model, i, s, divisor, is_int, x_spec, use_labels):
    """Raises the DataValidationError that batch `i`, with stats `s`, deserves."""
    n = int(s["n"])
    if s["nonfinite"]:
        raise DataValidationError(
            f"batch {i} holds {int(s['nonfinite'])} NaN or infinite values; training "
            "data must be finite."
        )
    if n % divisor:
        raise DataValidationError(
            f"batch {i} has {n} samples, which does not divide by d_steps x replicas = "
            f"{model.d_steps} x {divisor // model.d_steps}; use a batch size that "
            f"does (and drop_remainder=True)."
        )
    if model.data_range is not None:
        lo, hi = model.data_range
        if is_int or s["low"] < lo - _RANGE_TOLERANCE or s["high"] > hi + _RANGE_TOLERANCE:
            kind = f"integer ({x_spec.dtype.name}) " if is_int else ""
            raise DataValidationError(
                f"samples must be floats in [{lo:g}, {hi:g}]; batch {i} holds {kind}values "
                f"in [{s['low']:g}, {s['high']:g}]. Scale pixels with "
                "tfgan_zoo.data.scale_images (uint8 [0, 255] -> [-1, 1])."
            )
    if use_labels:
        if int(s["n_labels"]) != n:
            raise DataValidationError(f"batch {i} has {n} samples but {int(s['n_labels'])} labels.")
        if s["label_low"] < 0 or s["label_high"] >= model.num_classes:
            raise DataValidationError(
                f"labels must be in [0, {model.num_classes}); batch {i} holds labels in "
                f"[{s['label_low']}, {s['label_high']}]."
            )


def validate_training_data(model, x, y=None, max_batches=None):
    """Raises `DataValidationError` if `x` (a batched `tf.data.Dataset`) does not fit `model`.

    Checks: element structure, sample rank/shape/dtype, value range against
    `model.data_range`, NaN/Inf, emptiness, integer labels in range with one
    label per sample (conditional models), and batch sizes divisible by
    `d_steps` x replicas. Scans every batch of a finite dataset, otherwise the
    first `max_batches` (default 100). Inputs other than datasets pass unchecked.
    """
    if not isinstance(x, tf.data.Dataset):
        return
    x_spec, y_spec = _split_spec(x.element_spec)
    _check_static(model, x_spec, y_spec)

    if max_batches is None:
        finite = int(x.cardinality()) >= 0
        max_batches = -1 if finite else DEFAULT_SCAN_BATCHES
    if model.num_classes is None:
        y_spec = None
    use_labels = y_spec is not None

    def stats(*element):
        return _batch_stats(element[0], element[1] if use_labels else None)

    # Stats of many batches come back together: one Python step per batch made the
    # scan of a 60,000-image dataset in batches of 10 take seconds.
    ds = x.take(max_batches).map(stats).batch(SCAN_CHUNK)
    divisor = model.d_steps * model.distribute_strategy.num_replicas_in_sync
    is_int = x_spec.dtype.is_integer
    low_seen, high_seen, count = np.inf, -np.inf, 0
    for chunk in ds.as_numpy_iterator():
        bad = (chunk["nonfinite"] > 0) | (chunk["n"] % divisor != 0)
        if model.data_range is not None:
            lo, hi = model.data_range
            bad |= (
                is_int
                | (chunk["low"] < lo - _RANGE_TOLERANCE)
                | (chunk["high"] > hi + _RANGE_TOLERANCE)
            )
        if use_labels:
            bad |= (
                (chunk["n_labels"] != chunk["n"])
                | (chunk["label_low"] < 0)
                | (chunk["label_high"] >= model.num_classes)
            )
        if bad.any():
            first = int(np.argmax(bad))
            _check_batch(
                model,
                count + first,
                {k: v[first] for k, v in chunk.items()},
                divisor,
                is_int,
                x_spec,
                use_labels,
            )
        count += len(chunk["n"])
        low_seen = min(low_seen, chunk["low"].min())
        high_seen = max(high_seen, chunk["high"].max())
    if count == 0:
        raise DataValidationError(
            "the dataset yields no batches (is it empty, or smaller than one batch with "
            "drop_remainder=True?)."
        )
    if not x_spec.dtype.is_floating:
        raise DataValidationError(
            f"samples must be floating point; found {x_spec.dtype.name} values in "
            f"[{low_seen:g}, {high_seen:g}]."
        )


def checked_sample_request(n, labels, num_classes):
    """(n, labels as int32 [n] or None) for a `sample(n, labels=...)` call.

    Raises a ValueError naming the argument for a negative or non-integer `n`,
    labels given to an unconditional model, labels of the wrong length, and
    labels outside [0, num_classes). Conditional models without labels cycle
    through the classes.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"n must be a non-negative integer; got {n!r}")
    n = int(n)
    if num_classes is None:
        if labels is not None:
            raise ValueError(
                "labels= is for conditional models; this model is "
                "unconditional (num_classes is None)"
            )
        return n, None
    if labels is None:
        return n, np.arange(n, dtype=np.int32) % num_classes
    labels = np.asarray(labels)
    if labels.ndim > 1 or (labels.ndim == 1 and len(labels) != n):
        raise ValueError(f"labels must be one int or {n} ints; got shape {labels.shape}")
    if labels.size and not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be integers; got {labels.dtype}")
    labels = np.broadcast_to(labels.astype(np.int32), (n,))
    if n and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(
            f"labels must be in [0, {num_classes}); got {labels.min()}..{labels.max()}"
        )
    return n, labels
