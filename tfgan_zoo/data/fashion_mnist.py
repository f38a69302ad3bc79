"""Fashion-MNIST from local IDX files (Debian's `dataset-fashion-mnist`) or tfds.

Local files are preferred: they need no network, and an offline
`tensorflow_datasets.load` spends minutes in DNS retries before failing.
"""

import os
import sys
from pathlib import Path

import numpy as np

from tfgan_zoo.data.idx import read_idx

ENV_VAR = "TFGAN_ZOO_DATA_DIR"
DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
NUM_CLASSES = 10
IMAGE_SHAPE = (28, 28, 1)
CLASS_NAMES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)

SPLITS = ("train", "test")
SOURCES = ("auto", "local", "tfds")
# On disk the test split is named "t10k", as in the original MNIST release.
_FILE_PREFIX = {"train": "train", "test": "t10k"}
_KINDS = ("images-idx3", "labels-idx1")


def default_dirs() -> tuple:
    """Directories searched when no `data_dir` is given, read from the environment now."""
    dirs = []
    if os.environ.get(ENV_VAR):
        dirs.append(Path(os.environ[ENV_VAR]) / "fashion-mnist")
    dirs.append(DEBIAN_DIR)
    return tuple(dirs)


DEFAULT_DIRS = default_dirs()


def _file_in(directory: Path, split: str, kind: str):
    """Path of one IDX file in `directory`, plain or gzipped, or None."""
    stem = f"{_FILE_PREFIX[split]}-{kind}-ubyte"
    for name in (stem, stem + ".gz"):
        if (directory / name).is_file():
            return directory / name
    return None


def _holds_dataset(directory: Path) -> bool:
    return all(_file_in(directory, split, kind) is not None for split in SPLITS for kind in _KINDS)


def find_local_dir(data_dir=None):
    """Return the first directory holding all four Fashion-MNIST IDX files, or None.

    With `data_dir`, only that directory is checked; otherwise `default_dirs()`.
    """
    candidates = [Path(data_dir)] if data_dir is not None else default_dirs()
    for directory in candidates:
        if directory.is_dir() and _holds_dataset(directory):
            return directory
    return None


def is_available(data_dir=None) -> bool:
    """True when the dataset can be loaded from local files."""
    return find_local_dir(data_dir) is not None


def _not_found_error(data_dir) -> FileNotFoundError:
    searched = [str(data_dir)] if data_dir is not None else [str(d) for d in default_dirs()]
    return FileNotFoundError(
        "Fashion-MNIST IDX files (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], "
        f"t10k-*) not found in {searched}. Install them with "
        "`apt-get install dataset-fashion-mnist`, or pass data_dir, "
        f"or set {ENV_VAR} to a directory containing fashion-mnist/."
    )


def _validate(images: np.ndarray, labels: np.ndarray, origin: str):
    if images.shape[1:] != IMAGE_SHAPE:
        raise ValueError(f"{origin}: expected images of shape [N, 28, 28, 1], found {images.shape}")
    if labels.ndim != 1 or len(labels) != len(images):
        raise ValueError(
            f"{origin}: expected one label per image ({len(images)}), "
            f"found labels of shape {labels.shape}"
        )
    if len(labels) and (labels.min() < 0 or labels.max() >= NUM_CLASSES):
        raise ValueError(
            f"{origin}: expected labels in [0, {NUM_CLASSES}), "
            f"found range [{labels.min()}, {labels.max()}]"
        )


def _load_local(split: str, directory: Path):
    paths = [_file_in(directory, split, kind) for kind in _KINDS]
    stamps = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in paths)
    if stamps not in _DECODED:
        images, labels = (read_idx(p) for p in paths)
        if images.ndim == 3:
            images = images[..., np.newaxis]
        if len(_DECODED) >= 2:  # train and test at most (the train split is 47 MB)
            del _DECODED[next(iter(_DECODED))]
        _DECODED[stamps] = images.astype(np.uint8, copy=False), labels.astype(np.int64)
    images, labels = _DECODED[stamps]
    return images.copy(), labels.copy()  # callers may write to theirs


# The last files decoded, by (path, mtime, size): a training run reads its split
# twice (the model's shape, then the data), and gunzip took ~0.3 s a time.
_DECODED = {}


def _load_tfds(split: str):
    try:
        import tensorflow_datasets as tfds
    except ImportError as err:
        raise ImportError(
            "source='tfds' needs tensorflow_datasets: pip install 'tfgan-zoo[tfds]'"
        ) from err
    images, labels = tfds.as_numpy(
        tfds.load("fashion_mnist", split=split, batch_size=-1, try_gcs=False, as_supervised=True)
    )
    return images.astype(np.uint8, copy=False), labels.astype(np.int64)


def load_fashion_mnist(split="train", data_dir=None, source="auto"):
    """Return `(images uint8 [N, 28, 28, 1], labels int64 [N])` for `split`.

    source: "local" reads IDX files (from `data_dir`, else `default_dirs()`);
    "tfds" uses tensorflow_datasets; "auto" uses local files when present and
    otherwise tfds, which needs network. An explicit `data_dir` that lacks the
    files is an error under "auto" too, rather than a silent network download.
    """
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, found {split!r}")
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}, found {source!r}")

    directory = find_local_dir(data_dir) if source != "tfds" else None
    if directory is not None:
        images, labels = _load_local(split, directory)
        origin = str(directory)
    elif source == "local" or (source == "auto" and data_dir is not None):
        raise _not_found_error(data_dir)
    elif source == "tfds":
        images, labels = _load_tfds(split)
        origin = "tfds:fashion_mnist"
    else:
        try:
            import tensorflow_datasets  # noqa: F401
        except ImportError:
            raise _not_found_error(data_dir) from None
        print(
            "warning: local Fashion-MNIST files not found; falling back to "
            "tensorflow_datasets, which needs network access",
            file=sys.stderr,
        )
        images, labels = _load_tfds(split)
        origin = "tfds:fashion_mnist"
    _validate(images, labels, origin)
    return images, labels
