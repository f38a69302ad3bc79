"""DiffAugment (Zhao et al. 2020): differentiable augmentation of everything D sees.

D judges T(x) and T(G(z)) with the same random family T for real and fake
images, in both D and G steps; because T is differentiable, G's gradient flows
through it. This keeps D from memorising a small training set. Each function
is pure: it takes the images and its random draws (uniforms in (0, 1), one row
per image), so the engine's seeded streams decide, and it compiles under XLA
(integer shifts are gathers, masks are comparisons).
"""

import tensorflow as tf

# Uniform draws each augmentation takes per image.
DRAWS = {"translation": 2, "cutout": 2, "color": 3}


def _shift(images, shift, axis):
    """Moves each image by `shift[i]` pixels along `axis` (1: rows, 2: columns),
    filling with zeros (the background of [-1, 1] images is -1: see `translation`)."""
    size = tf.shape(images)[axis]
    source = tf.range(size)[None, :] - shift[:, None]  # [B, size]
    valid = (source >= 0) & (source < size)
    moved = tf.gather(images, tf.clip_by_value(source, 0, size - 1), axis=axis, batch_dims=1)
    mask_shape = [-1, 1, 1, 1]
    mask_shape[axis] = size
    return moved * tf.reshape(tf.cast(valid, images.dtype), mask_shape)


def translation(images, uniform, ratio=0.125):
    """Shifts each image by up to ±ratio of its size in each direction (integer
    pixels), padding with the background value -1."""
    height, width = tf.shape(images)[1], tf.shape(images)[2]
    max_dy = tf.cast(tf.cast(height, tf.float32) * ratio + 0.5, tf.int32)
    max_dx = tf.cast(tf.cast(width, tf.float32) * ratio + 0.5, tf.int32)
    dy = tf.cast(tf.floor(uniform[:, 0] * tf.cast(2 * max_dy + 1, tf.float32)), tf.int32) - max_dy
    dx = tf.cast(tf.floor(uniform[:, 1] * tf.cast(2 * max_dx + 1, tf.float32)), tf.int32) - max_dx
    shifted = _shift(_shift(images + 1.0, dy, 1), dx, 2)
    return shifted - 1.0


def cutout(images, uniform, ratio=0.5):
    """Sets a square of side ratio x the image size, centred at a random pixel,
    to the background value -1 (clipped at the borders)."""
    height, width = tf.shape(images)[1], tf.shape(images)[2]
    side_y = tf.cast(tf.cast(height, tf.float32) * ratio + 0.5, tf.int32)
    side_x = tf.cast(tf.cast(width, tf.float32) * ratio + 0.5, tf.int32)
    cy = tf.cast(tf.floor(uniform[:, 0] * tf.cast(height, tf.float32)), tf.int32)
    cx = tf.cast(tf.floor(uniform[:, 1] * tf.cast(width, tf.float32)), tf.int32)
    rows = tf.range(height)[None, :] - (cy - side_y // 2)[:, None]
    cols = tf.range(width)[None, :] - (cx - side_x // 2)[:, None]
    inside = ((rows >= 0) & (rows < side_y))[:, :, None] & ((cols >= 0) & (cols < side_x))[
        :, None, :
    ]
    keep = tf.cast(~inside, images.dtype)[..., None]
    return images * keep - (1.0 - keep)


def color(images, uniform):
    """Brightness (+U(-0.5, 0.5)), saturation (x U(0, 2) around the pixel's
    channel mean; a no-op for one channel) and contrast (x U(0.5, 1.5) around
    the image mean), as in DiffAugment."""
    brightness = (uniform[:, 0] - 0.5)[:, None, None, None]
    x = images + brightness
    channel_mean = tf.reduce_mean(x, axis=-1, keepdims=True)
    x = (x - channel_mean) * (uniform[:, 1] * 2.0)[:, None, None, None] + channel_mean
    image_mean = tf.reduce_mean(x, axis=[1, 2, 3], keepdims=True)
    return (x - image_mean) * (uniform[:, 2] + 0.5)[:, None, None, None] + image_mean


AUGMENTATIONS = {"translation": translation, "cutout": cutout, "color": color}


def parse_policy(policy):
    """("color", "translation", ...) from "color,translation,cutout", a list, or None."""
    if policy in (None, "", "none"):
        return ()
    names = tuple(policy.split(",")) if isinstance(policy, str) else tuple(policy)
    unknown = [n for n in names if n not in AUGMENTATIONS]
    if unknown:
        raise ValueError(
            f"unknown augmentation(s) {unknown}; expected names from {sorted(AUGMENTATIONS)}"
        )
    return names


def draws_needed(policy):
    return sum(DRAWS[name] for name in policy)


def diff_augment(images, policy, uniform):
    """`images` through every augmentation of `policy` in order; `uniform` is
    [batch, draws_needed(policy)] in (0, 1)."""
    start = 0
    for name in policy:
        images = AUGMENTATIONS[name](images, uniform[:, start : start + DRAWS[name]])
        start += DRAWS[name]
    return images
