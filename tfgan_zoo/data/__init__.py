"""Datasets: Fashion-MNIST, 2D Gaussian mixtures, IDX files, image folders, tfds and
arrays (`sources`), and tf.data pipelines."""

from tfgan_zoo.data.fashion_mnist import (
    CLASS_NAMES,
    DEFAULT_DIRS,
    find_local_dir,
    is_available,
    load_fashion_mnist,
)
from tfgan_zoo.data.idx import read_idx, write_idx
from tfgan_zoo.data.mixtures import (
    MIXTURES,
    Mixture,
    get_mixture,
    grid_centres,
    ring_centres,
    sample_mixture,
)
from tfgan_zoo.data.pipeline import (
    epoch_batches,
    image_dataset,
    points_dataset,
    row_reader,
    scale_images,
    unscale_images,
)

__all__ = [
    "CLASS_NAMES",
    "DEFAULT_DIRS",
    "find_local_dir",
    "is_available",
    "load_fashion_mnist",
    "read_idx",
    "write_idx",
    "MIXTURES",
    "Mixture",
    "get_mixture",
    "grid_centres",
    "ring_centres",
    "sample_mixture",
    "epoch_batches",
    "image_dataset",
    "points_dataset",
    "row_reader",
    "scale_images",
    "unscale_images",
]
