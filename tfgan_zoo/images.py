"""Image grids, atomic PNG writing and a dependency-free 2D scatter plot."""

import math
import os
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from tfgan_zoo.data.pipeline import unscale_images

BORDER = 2
BORDER_VALUE = 255
# Ten distinguishable colours (the Tableau 10 palette), indexed by label % 10.
PALETTE = np.array(
    [
        (31, 119, 180),
        (255, 127, 14),
        (44, 160, 44),
        (214, 39, 40),
        (148, 103, 189),
        (140, 86, 75),
        (227, 119, 194),
        (127, 127, 127),
        (188, 189, 34),
        (23, 190, 207),
    ],
    dtype=np.uint8,
)
POINT_COLOUR = PALETTE[0]
CENTRE_COLOUR = (0, 0, 0)
AXIS_COLOUR = (210, 210, 210)
CENTRE_RADIUS = 5
DOT_SIZE = 2


def _to_uint8(images: np.ndarray) -> np.ndarray:
    # Float images are in the generator's [-1, 1] range.
    return images if images.dtype == np.uint8 else unscale_images(images)


def image_grid(images, nrow=None) -> np.ndarray:
    """Tile [N, H, W, C] images (C = 1 or 3) into one uint8 [H', W', C] image.

    `nrow` is the number of images per row (default: ceil(sqrt(N))). Every tile
    is surrounded by a BORDER-pixel white border, so the grid is
    (rows * H + (rows + 1) * BORDER) x (nrow * W + (nrow + 1) * BORDER).
    """
    images = _to_uint8(np.asarray(images))
    if images.ndim != 4 or images.shape[-1] not in (1, 3) or len(images) == 0:
        raise ValueError(
            f"expected images of shape [N, H, W, 1 or 3] with N > 0, found {images.shape}"
        )
    count, height, width, channels = images.shape
    ncol = nrow or math.ceil(math.sqrt(count))
    nrows = math.ceil(count / ncol)
    grid = np.full(
        (nrows * height + (nrows + 1) * BORDER, ncol * width + (ncol + 1) * BORDER, channels),
        BORDER_VALUE,
        np.uint8,
    )
    for i, image in enumerate(images):
        top = BORDER + (i // ncol) * (height + BORDER)
        left = BORDER + (i % ncol) * (width + BORDER)
        grid[top : top + height, left : left + width] = image
    return grid


def save_png(array, path) -> Path:
    """Write uint8 [H, W], [H, W, 1], [H, W, 3] or [H, W, 4] as PNG, atomically.

    Writing to a temporary file in the same directory and renaming means a
    reader (e.g. a dashboard polling the file) never sees a half-written PNG.
    """
    array = np.asarray(array)
    if array.dtype != np.uint8:
        raise ValueError(f"save_png expects uint8 pixels, found {array.dtype}")
    if array.ndim == 3 and array.shape[-1] == 1:
        array = array[..., 0]
    if not (array.ndim == 2 or (array.ndim == 3 and array.shape[-1] in (3, 4))):
        raise ValueError(f"expected [H, W], [H, W, 1], [H, W, 3] or [H, W, 4], found {array.shape}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(str(path) + ".tmp")
    try:
        Image.fromarray(array).save(tmp, format="PNG")
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def _auto_extent(points: np.ndarray, centres) -> tuple:
    """Square (xmin, xmax, ymin, ymax) around all data with a 10% margin; equal axis scales."""
    everything = points if centres is None else np.concatenate([points, centres])
    finite = everything[np.all(np.isfinite(everything), axis=1)]
    if len(finite) == 0:
        return (-1.0, 1.0, -1.0, 1.0)
    low, high = finite.min(axis=0), finite.max(axis=0)
    middle = (low + high) / 2.0
    half = max(float((high - low).max()) / 2.0, 1e-6) * 1.1
    return (middle[0] - half, middle[0] + half, middle[1] - half, middle[1] + half)


def _to_pixels(xy: np.ndarray, extent, size: int):
    xmin, xmax, ymin, ymax = extent
    cols = (xy[:, 0] - xmin) / (xmax - xmin) * (size - 1)
    rows = (ymax - xy[:, 1]) / (ymax - ymin) * (size - 1)  # image rows grow downwards
    return np.round(rows), np.round(cols)


def scatter_png(points, path, centres=None, size=512, extent=None, labels=None) -> Path:
    """Plot 2D `points` to a `size` x `size` PNG at `path` and return the path.

    `extent` is (xmin, xmax, ymin, ymax); by default it fits points and centres
    with a 10% margin. Centres are drawn as hollow black circles, points as
    DOT_SIZE-pixel dots coloured by `labels` (PALETTE[label % 10]) if given.
    """
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    if centres is not None:
        centres = np.asarray(centres, dtype=np.float64).reshape(-1, 2)
    extent = tuple(float(v) for v in (extent or _auto_extent(points, centres)))
    if extent[1] <= extent[0] or extent[3] <= extent[2]:
        raise ValueError(f"extent must be (xmin, xmax, ymin, ymax) with min < max, found {extent}")

    canvas = np.full((size, size, 3), 255, np.uint8)
    origin_row, origin_col = _to_pixels(np.zeros((1, 2)), extent, size)
    if 0 <= origin_row[0] < size:
        canvas[int(origin_row[0]), :] = AXIS_COLOUR
    if 0 <= origin_col[0] < size:
        canvas[:, int(origin_col[0])] = AXIS_COLOUR

    rows, cols = _to_pixels(points, extent, size)
    colours = (
        np.broadcast_to(POINT_COLOUR, (len(points), 3))
        if labels is None
        else PALETTE[np.asarray(labels, dtype=np.int64).reshape(-1) % len(PALETTE)]
    )
    for d_row in range(DOT_SIZE):
        for d_col in range(DOT_SIZE):
            r, c = rows + d_row, cols + d_col
            inside = np.isfinite(r) & np.isfinite(c) & (r >= 0) & (r < size) & (c >= 0) & (c < size)
            canvas[r[inside].astype(int), c[inside].astype(int)] = colours[inside]

    image = Image.fromarray(canvas)
    if centres is not None:
        draw = ImageDraw.Draw(image)
        for row, col in zip(*_to_pixels(centres, extent, size)):
            draw.ellipse(
                (
                    col - CENTRE_RADIUS,
                    row - CENTRE_RADIUS,
                    col + CENTRE_RADIUS,
                    row + CENTRE_RADIUS,
                ),
                outline=CENTRE_COLOUR,
            )
    return save_png(np.asarray(image), path)
