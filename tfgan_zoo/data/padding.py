"""Centred padding and cropping of image batches (e.g. Fashion-MNIST 28×28 <-> 32×32).

Progressive GANs grow by powers of two, so 28×28 images are padded to 32×32
with the background value (0 for uint8 pixels, -1 for floats in [-1, 1]) and
samples are cropped back to 28×28 for the 28×28 metrics classifier.
"""

import numpy as np


def _as_batch(images):
    images = np.asarray(images)
    if images.ndim == 3:
        images = images[..., np.newaxis]
    if images.ndim != 4:
        raise ValueError(
            f"expected images of shape [N, H, W, C] or [N, H, W], found {images.shape}"
        )
    return images


def pad_images(images, size=32):
    """Images [N, H, W(, C)] centred in size × size, padded with the background:
    0 for uint8 pixels, -1 for floats (which must lie in [-1, 1]). An odd margin
    puts the extra row / column after the image (`crop_images` undoes it)."""
    images = _as_batch(images)
    height, width = images.shape[1:3]
    if size < height or size < width:
        raise ValueError(
            f"cannot pad {height}×{width} images to {size}×{size}: the size is "
            "smaller than the images (use crop_images)."
        )
    if images.dtype == np.uint8:
        value = 0
    elif np.issubdtype(images.dtype, np.floating):
        if images.size and (images.min() < -1.0 or images.max() > 1.0):
            raise ValueError(
                f"float images must lie in [-1, 1] (padded with -1), found range "
                f"[{images.min()}, {images.max()}]; pass uint8 pixels instead."
            )
        value = -1.0
    else:
        raise ValueError(f"expected uint8 or float images, found {images.dtype}")
    top, left = (size - height) // 2, (size - width) // 2
    margins = ((0, 0), (top, size - height - top), (left, size - width - left), (0, 0))
    return np.pad(images, margins, constant_values=value)


def crop_images(images, size=28):
    """The centred size × size window of images [N, H, W(, C)] (undoes `pad_images`)."""
    images = _as_batch(images)
    height, width = images.shape[1:3]
    if size > height or size > width:
        raise ValueError(
            f"cannot crop {height}×{width} images to {size}×{size}: the size is "
            "larger than the images (use pad_images)."
        )
    top, left = (height - size) // 2, (width - size) // 2
    return images[:, top : top + size, left : left + size]
