"""Images from files: every picture under a folder, decoded in parallel by tf.data.

Formats: PNG, JPEG, BMP and GIF (its first frame), in nested folders; hidden files
are ignored. Every image becomes `side` × `side` × `channels` uint8: grey and colour
are converted (alpha is dropped), the shorter side is resized to `side` (bilinear,
antialiased) and the centre is cropped; an image already that size passes unchanged.

Unreadable or corrupt files are skipped, not fatal: one bad file in a scraped folder
of thousands should not stop a run. They are counted and the first few named in the
notes that training prints and records; a folder with no readable image is an error.

Decoded images stay in memory when they fit in the memory budget (MEMORY_BUDGET_MB,
or $TFGAN_ZOO_MEMORY_BUDGET_MB); larger sets go to a .npy file under the cache folder
($TFGAN_ZOO_CACHE/decoded), keyed by the files' names, sizes and times and the
shape asked for, so the next run reuses it; batches then read rows from it by index.
"""

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import tensorflow as tf

from tfgan_zoo.files import cache_dir

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif")
GREY_MODES = {"1", "L", "LA", "I", "I;16", "F"}  # PIL modes with one colour channel
MEMORY_BUDGET_MB = 4096
NAMED_FILES = 3  # how many skipped files a note names
_GREY_WEIGHTS = (0.2989, 0.5870, 0.1140)  # ITU-R 601, as tf.image.rgb_to_grayscale


@dataclass
class DecodedImages:
    images: np.ndarray  # uint8 [N, side, side, channels]; a read-only memmap when on disk
    files: list  # the N files, in order
    notes: list = field(default_factory=list)  # what was skipped or converted


def list_images(folder):
    """Sorted image files under `folder` (recursively), or a clear error."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder")
    files = sorted(
        p
        for p in folder.rglob("*")
        if p.suffix.lower() in IMAGE_SUFFIXES
        and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )
    if not files:
        raise ValueError(f"{folder} holds no image files ({' '.join(IMAGE_SUFFIXES)})")
    return files


def read_headers(files):
    """[(width, height, is_grey) or None if PIL cannot open it] per file; reads
    only each file's header."""
    from PIL import Image

    headers = []
    for path in files:
        try:
            with Image.open(path) as image:
                headers.append((*image.size, image.mode in GREY_MODES))
        except Exception:  # any unreadable file is skipped, whatever PIL raises
            headers.append(None)
    return headers


def default_shape(headers, side=None, channels=None, power_of_two=False):
    """(side, channels): grey if every image is grey, else colour; without `side`,
    the smallest short side (no image is enlarged), rounded down to a power of two
    for models that need one."""
    readable = [h for h in headers if h is not None]
    if channels is None:
        channels = 1 if all(grey for _, _, grey in readable) else 3
    if side is None:
        side = default_side(min(min(w, h) for w, h, _ in readable), power_of_two)
    return int(side), int(channels)


def default_side(short, power_of_two=False):
    """The image size when none is asked for: the data's short side, rounded down
    to a power of two for models that need one."""
    return 1 << (int(short).bit_length() - 1) if power_of_two else int(short)


def _to_channels(image, channels):
    """uint8 [h, w, c] with c in 1-4 -> float32 [h, w, channels]."""
    count = tf.shape(image)[-1]
    image = tf.cast(image[..., : count - (1 - count % 2)], tf.float32)  # drop alpha (2, 4)
    if channels == 3:
        return tf.broadcast_to(image, tf.concat([tf.shape(image)[:2], [3]], axis=0))
    weights = tf.constant(_GREY_WEIGHTS)
    return tf.cond(
        tf.shape(image)[-1] == 3,
        lambda: tf.reduce_sum(image * weights, axis=-1, keepdims=True),
        lambda: image,
    )


def fit_image(image, side, channels, width=None):
    """One decoded image (uint8 [h, w, c]) as uint8 [side, width, channels] (width
    defaults to side): resized to cover that size (bilinear, antialiased), then
    centre-cropped; an image of that size passes unchanged."""
    width = side if width is None else width
    image = _to_channels(image, channels)
    shape = tf.shape(image)[:2]
    target = tf.constant([side, width])

    def resized():
        scale = tf.reduce_max(tf.cast(target, tf.float32) / tf.cast(shape, tf.float32))
        size = tf.maximum(tf.cast(tf.round(tf.cast(shape, tf.float32) * scale), tf.int32), target)
        big = tf.image.resize(image, size, method="bilinear", antialias=True)
        top, left = (size[0] - side) // 2, (size[1] - width) // 2
        return big[top : top + side, left : left + width]

    image = tf.cond(tf.reduce_all(tf.equal(shape, target)), lambda: image, resized)
    image = tf.cast(tf.clip_by_value(tf.round(image), 0.0, 255.0), tf.uint8)
    return tf.ensure_shape(image, [side, width, channels])


def _decode_file(path, side, channels, width):
    raw = tf.io.read_file(path)
    image = tf.io.decode_image(raw, channels=0, expand_animations=False)  # GIF: frame 1
    return fit_image(image, side, channels, width)


def _memory_budget():
    return int(os.environ.get("TFGAN_ZOO_MEMORY_BUDGET_MB", MEMORY_BUDGET_MB)) << 20


def _cache_file(files, shape):
    digest = hashlib.sha256("x".join(map(str, shape)).encode())
    for path in files:
        stat = path.stat()
        digest.update(f"\0{path.resolve()}\0{stat.st_size}\0{stat.st_mtime_ns}".encode())
    return cache_dir() / "decoded" / f"{digest.hexdigest()[:24]}.npy"


def _skipped_note(skipped):
    names = ", ".join(str(p) for p in skipped[:NAMED_FILES])
    more = f" and {len(skipped) - NAMED_FILES} more" if len(skipped) > NAMED_FILES else ""
    return f"skipped {len(skipped)} unreadable image file(s): {names}{more}"


def decode_files(files, side, channels, headers=None, width=None):
    """DecodedImages of `files` at side × width (default side) × channels, decoded
    in parallel; unreadable files are skipped and named in the notes."""
    headers = read_headers(files) if headers is None else headers
    openable = [p for p, h in zip(files, headers) if h is not None]
    width = side if width is None else width
    shape = (side, width, channels)
    nbytes = len(openable) * side * width * channels
    cached = None
    if nbytes > _memory_budget():
        cached = _cache_file(openable, shape)
        if cached.exists() and cached.with_suffix(".files").exists():
            kept = cached.with_suffix(".files").read_text().splitlines()
            images = np.load(cached, mmap_mode="r")
            found = [p for p in openable if str(p) in set(kept)]
            return DecodedImages(images, found, _notes(files, headers, found, shape))
        cached.parent.mkdir(parents=True, exist_ok=True)
        store = np.lib.format.open_memmap(
            cached.with_suffix(".partial.npy"),
            mode="w+",
            dtype=np.uint8,
            shape=(len(openable),) + shape,
        )
    else:
        store = np.empty((len(openable),) + shape, np.uint8)

    indices = tf.data.Dataset.range(len(openable))
    paths = tf.data.Dataset.from_tensor_slices([str(p) for p in openable])
    ds = tf.data.Dataset.zip((indices, paths)).map(
        lambda i, p: (i, _decode_file(p, side, channels, width)),
        num_parallel_calls=tf.data.AUTOTUNE,
        deterministic=True,
    )
    ds = ds.ignore_errors().batch(256).prefetch(tf.data.AUTOTUNE)
    done, count = [], 0
    for index, batch in ds:
        store[count : count + len(batch)] = batch.numpy()
        done.extend(int(i) for i in index.numpy())
        count += len(batch)
    found = [openable[i] for i in done]
    if not found:
        raise ValueError(f"none of the {len(files)} image files could be read (e.g. {files[0]})")
    if cached is None:
        images = store[:count]
    else:
        store.flush()
        if count < len(openable):  # a corrupt file got past its header: close the gap
            np.save(cached, np.asarray(store[:count]))
            os.remove(cached.with_suffix(".partial.npy"))
        else:
            del store
            os.replace(cached.with_suffix(".partial.npy"), cached)
        cached.with_suffix(".files").write_text("\n".join(str(p) for p in found))
        images = np.load(cached, mmap_mode="r")
    return DecodedImages(images, found, _notes(files, headers, found, shape))


def _notes(files, headers, found, shape):
    side, width, channels = shape
    kept = set(found)
    notes = []
    skipped = [p for p in files if p not in kept]
    if skipped:
        notes.append(_skipped_note(skipped))
    resized = sum(
        1 for p, h in zip(files, headers) if h is not None and p in kept and h[:2] != (width, side)
    )
    if resized:
        notes.append(
            f"resized and centre-cropped {resized} of {len(found)} images to {side}×{width}"
        )
    converted = sum(
        1 for p, h in zip(files, headers) if h is not None and p in kept and h[2] != (channels == 1)
    )
    if converted:
        what = "colour images to grey" if channels == 1 else "grey images to colour"
        notes.append(f"converted {converted} {what}")
    return notes
