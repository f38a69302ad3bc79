"""Image-to-image translation tasks built from local data, and their pipelines.

Paired tasks (source -> target, pixel-aligned; for pix2pix and BicycleGAN), all
derived from Fashion-MNIST so they work offline:
  edges     Sobel edge magnitude of the item -> the item
  inpaint   the item with a 12x12 square blanked (a fixed place per image) -> the item
  superres  the item averaged down to 7x7 and blown back up (4x) -> the item
Unpaired tasks (two domains, no correspondence; for CycleGAN):
  sneaker2boot   Fashion-MNIST sneakers (class 7) <-> ankle boots (class 9)
Online users get the standard sets with the same pipelines: the CycleGAN sets
through tensorflow-datasets (`tfds_unpaired`), and the pix2pix sets (facades,
maps, ...; not in tfds) from their side-by-side pair images (`side_by_side_pairs`).

Arrays are uint8 [N, H, W, C]; the pipelines scale them to [-1, 1].
"""

import numpy as np
import tensorflow as tf

from tfgan_zoo.data.fashion_mnist import load_fashion_mnist
from tfgan_zoo.data.pipeline import epoch_batches, scale_images

PAIRED_TASKS = ("edges", "inpaint", "superres")
UNPAIRED_TASKS = {"sneaker2boot": (7, 9)}
MASK_SIDE = 12


def sobel_edges(images):
    """uint8 edge-magnitude images, scaled so each image's strongest edge is 255."""
    x = tf.image.convert_image_dtype(tf.constant(images), tf.float32)
    gradients = tf.image.sobel_edges(x)  # [N, H, W, C, 2]
    magnitude = tf.norm(gradients, axis=-1).numpy()
    peak = magnitude.max(axis=(1, 2, 3), keepdims=True)
    return np.round(255 * magnitude / np.maximum(peak, 1e-6)).astype(np.uint8)


def masked(images, seed=0):
    """Images with one MASK_SIDE square set to 0 (background); its place is drawn
    per image from `seed`, inside the central region where the items are."""
    out = images.copy()
    rng = np.random.default_rng(seed)
    height, width = images.shape[1:3]
    tops = rng.integers(4, height - MASK_SIDE - 4 + 1, len(images))
    lefts = rng.integers(4, width - MASK_SIDE - 4 + 1, len(images))
    for image, top, left in zip(out, tops, lefts):
        image[top : top + MASK_SIDE, left : left + MASK_SIDE] = 0
    return out


def low_resolution(images, factor=4):
    """Images averaged over factor x factor blocks, then repeated back to full size."""
    n, height, width, channels = images.shape
    blocks = images.reshape(n, height // factor, factor, width // factor, factor, channels)
    small = blocks.astype(np.float32).mean(axis=(2, 4))
    big = small.repeat(factor, axis=1).repeat(factor, axis=2)
    return np.round(big).astype(np.uint8)


def make_source(task, targets, seed=0):
    """The source images of paired `task` for `targets`."""
    if task == "edges":
        return sobel_edges(targets)
    if task == "inpaint":
        return masked(targets, seed)
    if task == "superres":
        return low_resolution(targets)
    raise ValueError(f"unknown paired task {task!r}; expected one of {list(PAIRED_TASKS)}")


def paired_task(task, split="train", data_dir=None, limit=None):
    """(source, target, class labels) of a paired Fashion-MNIST task."""
    if task not in PAIRED_TASKS:
        raise ValueError(f"unknown paired task {task!r}; expected one of {list(PAIRED_TASKS)}")
    targets, labels = load_fashion_mnist(split, data_dir=data_dir)
    targets, labels = targets[:limit], labels[:limit]
    # Held-out masks differ from training masks: the seed follows the split.
    return make_source(task, targets, seed=0 if split == "train" else 1), targets, labels


def unpaired_task(task="sneaker2boot", split="train", data_dir=None, limit=None):
    """(domain A images, domain B images, (class A, class B)) of an unpaired task."""
    if task not in UNPAIRED_TASKS:
        raise ValueError(
            f"unknown unpaired task {task!r}; expected one of {sorted(UNPAIRED_TASKS)}"
        )
    class_a, class_b = UNPAIRED_TASKS[task]
    images, labels = load_fashion_mnist(split, data_dir=data_dir)
    return images[labels == class_a][:limit], images[labels == class_b][:limit], (class_a, class_b)


def _check_pair(a, b, paired):
    for name, images in (("source", a), ("target", b)):
        if images.dtype != np.uint8 or images.ndim != 4:
            raise ValueError(
                f"{name} images must be uint8 [N, H, W, C]; found {images.dtype} {images.shape}"
            )
    if a.shape[1:] != b.shape[1:]:
        raise ValueError(
            f"both domains need one image shape; found {a.shape[1:]} and {b.shape[1:]}"
        )
    if paired and len(a) != len(b):
        raise ValueError(
            f"paired data needs as many sources as targets; found {len(a)} and {len(b)}"
        )


def paired_batches(source, target, batch_size, steps_per_epoch, seed=0, start_epoch=0):
    """Endless (source, target) float batches in [-1, 1], pairs kept together;
    epoch e's order depends only on (seed, e) (see `epoch_batches`)."""
    _check_pair(source, target, paired=True)
    channels = source.shape[-1]
    both = np.concatenate([source, target], axis=-1)  # one array keeps the pairs aligned

    def split(x):
        x = scale_images(x)
        return x[..., :channels], x[..., channels:]

    return epoch_batches(both, None, batch_size, steps_per_epoch, seed, start_epoch, to_float=split)


def unpaired_batches(domain_a, domain_b, batch_size, steps_per_epoch, seed=0, start_epoch=0):
    """Endless (a, b) float batches in [-1, 1]: each domain shuffled on its own."""
    _check_pair(domain_a, domain_b, paired=False)
    a = epoch_batches(
        domain_a, None, batch_size, steps_per_epoch, seed, start_epoch, to_float=scale_images
    )
    b = epoch_batches(
        domain_b, None, batch_size, steps_per_epoch, seed + 1, start_epoch, to_float=scale_images
    )
    return tf.data.Dataset.zip((a, b))


def _tfds_images(name, split, image_size, data_dir):
    import tensorflow_datasets as tfds

    ds = tfds.load(name, split=split, data_dir=data_dir, try_gcs=False)
    images = []
    for example in tfds.as_numpy(ds):
        image = example["image"] if isinstance(example, dict) else example[0]
        images.append(tf.image.resize(image, image_size, antialias=True).numpy())
    return np.clip(np.round(np.stack(images)), 0, 255).astype(np.uint8)


def tfds_unpaired(name="cycle_gan/horse2zebra", split="train", image_size=(64, 64), data_dir=None):
    """(domain A, domain B) uint8 images of a tfds CycleGAN set (splits trainA /
    trainB or testA / testB), resized; feed them to `unpaired_batches`."""
    return tuple(_tfds_images(name, f"{split}{side}", image_size, data_dir) for side in ("A", "B"))


def side_by_side_pairs(directory, image_size=(64, 64), source_side="right"):
    """(source, target) uint8 images from a folder of side-by-side pair images
    (.jpg/.png), the layout of the pix2pix datasets (facades, maps, edges2shoes:
    download and unpack one, then point this at a split folder; facades keeps
    the photo on the left and the label map, the source, on the right)."""
    from pathlib import Path

    from PIL import Image

    if source_side not in ("left", "right"):
        raise ValueError(f"source_side must be 'left' or 'right', got {source_side!r}")
    files = sorted(
        p for p in Path(directory).iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png")
    )
    if not files:
        raise FileNotFoundError(f"no .jpg or .png pair images in {directory}")
    sources, targets = [], []
    for path in files:
        pair = np.asarray(Image.open(path).convert("RGB"))
        half = pair.shape[1] // 2
        left, right = pair[:, :half], pair[:, half : 2 * half]
        source, target = (right, left) if source_side == "right" else (left, right)
        for out, image in ((sources, source), (targets, target)):
            resized = Image.fromarray(image).resize(image_size[::-1], Image.BICUBIC)
            out.append(np.asarray(resized))
    return np.stack(sources), np.stack(targets)
