"""What `--dataset` can name, and how each becomes uint8 image arrays.

  grid, ring, fashion_mnist          built in (2D mixtures; Fashion-MNIST from local files)
  edges, inpaint, superres,          built-in translation tasks on Fashion-MNIST
  sneaker2boot                       (`data.translation_tasks`)
  PATH (a folder)                    every image under it (`data.image_files`); with
                                     labels="subfolders", its first-level subfolders
                                     are the classes (sorted names -> 0, 1, ...)
  tfds:NAME[/CONFIG][:SPLIT]         a tensorflow-datasets image dataset (split "train"
                                     by default), its ClassLabel feature as labels
  PATH.npz / PATH.npy                arrays: images ("images" or "x") as uint8
                                     [N, H, W(, C)] or floats in [-1, 1], labels
                                     ("labels" or "y") in an .npz

For translators a folder holds pairs, either side-by-side images (each twice as
wide as tall: source | target, the pix2pix datasets' layout) or subfolders A/ and
B/ whose files match by name; unpaired data (CycleGAN) is a folder with two
subfolders (A/B, trainA/trainB, ...), or tfds:cycle_gan/NAME.

Images come out at side × side × channels (`image_files.fit_image`): by default the
size and channels of the data, or the smallest short side when sizes differ.
"""

import difflib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import tensorflow as tf

from tfgan_zoo.data import image_files
from tfgan_zoo.data.pipeline import unscale_images

BUILT_IN = ("grid", "ring", "fashion_mnist", "edges", "inpaint", "superres", "sneaker2boot")
ARRAY_SUFFIXES = (".npz", ".npy")
PAIR_ORDERS = ("left-to-right", "right-to-left")
FORMS = (
    "a built-in name (" + ", ".join(BUILT_IN) + "), a folder of images, "
    "tfds:NAME[/CONFIG][:SPLIT], or an .npz/.npy file"
)


@dataclass(frozen=True)
class DatasetSpec:
    kind: str  # "built-in", "folder", "tfds" or "arrays"
    name: str  # the built-in name, the path, or the tfds name with its config
    split: str = "train"


@dataclass
class ImageSet:
    images: np.ndarray  # uint8 [N, H, W, C]
    labels: np.ndarray | None = None  # int32 [N]
    class_names: tuple | None = None
    notes: list = field(default_factory=list)

    @property
    def num_classes(self):
        return None if self.class_names is None else len(self.class_names)


def parse(dataset: str) -> DatasetSpec:
    """The DatasetSpec of a `--dataset` value, or a one-line ValueError."""
    dataset = str(dataset)
    if dataset in BUILT_IN:
        return DatasetSpec("built-in", dataset)
    if dataset.startswith("tfds:"):
        name, _, split = dataset[len("tfds:") :].partition(":")
        if not name:
            raise ValueError(f"--dataset {dataset!r}: expected tfds:NAME[/CONFIG][:SPLIT]")
        return DatasetSpec("tfds", name, split or "train")
    path = Path(dataset).expanduser()
    if path.suffix.lower() in ARRAY_SUFFIXES:
        if not path.is_file():
            raise FileNotFoundError(f"--dataset {dataset}: no such file")
        return DatasetSpec("arrays", str(path))
    if path.is_dir():
        return DatasetSpec("folder", str(path))
    close = difflib.get_close_matches(dataset, BUILT_IN, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise ValueError(f"--dataset {dataset!r} is not {FORMS}.{hint}")


def fit_array(images, side=None, channels=None):
    """uint8 [N, H, W, C] at side × side × channels (unchanged when they match)."""
    side = side or min(images.shape[1:3])
    channels = channels or images.shape[-1]
    if images.shape[1:] == (side, side, channels):
        return images
    ds = tf.data.Dataset.from_tensor_slices(images).map(
        lambda x: image_files.fit_image(x, side, channels), num_parallel_calls=tf.data.AUTOTUNE
    )
    return np.concatenate([b.numpy() for b in ds.batch(1024)]) if len(images) else images


def checked_side(side, power_of_two):
    if side is not None and power_of_two and (side < 4 or side & (side - 1)):
        raise ValueError(
            f"this model needs a power-of-two image size (4, 8, 16, 32, 64, 128, "
            f"256, ...); got --image-size {side}"
        )
    return side


def image_set(
    spec: DatasetSpec,
    side: int | None = None,
    channels: int | None = None,
    labels: bool = False,
    power_of_two: bool = False,
) -> ImageSet:
    """The ImageSet of a folder, tfds or arrays spec; `labels`: also the classes
    (a folder needs labels="subfolders")."""
    checked_side(side, power_of_two)
    if spec.kind == "folder":
        return _folder(Path(spec.name), side, channels, labels, power_of_two)
    if spec.kind == "tfds":
        return _tfds(spec.name, spec.split, side, channels, labels, power_of_two)
    if spec.kind == "arrays":
        return _arrays(Path(spec.name), side, channels, labels, power_of_two)
    raise ValueError(f"{spec.name} is built in; load it with training.load_training_data")


def _folder(folder, side, channels, labels, power_of_two):
    files = image_files.list_images(folder)
    headers = image_files.read_headers(files)
    if not any(headers):
        raise ValueError(
            f"none of the {len(files)} image files under {folder} could be read (e.g. {files[0]})"
        )
    side, channels = image_files.default_shape(headers, side, channels, power_of_two)
    decoded = image_files.decode_files(files, side, channels, headers)
    result = ImageSet(decoded.images, notes=decoded.notes)
    if labels == "subfolders":
        classes = [p.relative_to(folder).parts[0] for p in decoded.files]
        loose = [p for p, c in zip(decoded.files, classes) if (folder / c).is_file()]
        if loose:
            raise ValueError(
                f"labels from subfolders: {len(loose)} image(s) lie directly in "
                f"{folder} (e.g. {loose[0].name}); put each in its class folder"
            )
        names = tuple(sorted(set(classes)))
        result.labels = np.array([names.index(c) for c in classes], np.int32)
        result.class_names = names
    elif labels:
        raise ValueError(
            f"this model is conditional: give {folder} class subfolders and pass "
            "--labels subfolders"
        )
    return result


def _arrays(path, side, channels, labels, power_of_two):
    if path.suffix.lower() == ".npy":
        stored = {"images": np.load(path, allow_pickle=False)}
    else:
        with np.load(path, allow_pickle=False) as npz:
            stored = dict(npz)
    images = next((stored[k] for k in ("images", "x") if k in stored), None)
    if images is None:
        raise ValueError(
            f"{path} holds {sorted(stored)}; expected the images under 'images' "
            "or 'x' (and labels under 'labels' or 'y')"
        )
    if images.ndim == 3:
        images = images[..., None]
    if images.ndim != 4 or images.shape[-1] not in (1, 3, 4):
        raise ValueError(
            f"{path}: expected images [N, H, W] or [N, H, W, 1|3|4], found shape {images.shape}"
        )
    if np.issubdtype(images.dtype, np.floating):
        if images.size and (
            np.nanmin(images) < -1 or np.nanmax(images) > 1 or not np.isfinite(images).all()
        ):
            raise ValueError(
                f"{path}: float images must lie in [-1, 1] (or store uint8 "
                "pixels); found values outside it"
            )
        images = unscale_images(images)
    elif images.dtype != np.uint8:
        raise ValueError(
            f"{path}: expected uint8 pixels or floats in [-1, 1], found {images.dtype}"
        )
    side = side or image_files.default_side(min(images.shape[1:3]), power_of_two)
    channels = channels or (3 if images.shape[-1] >= 3 else 1)
    result = ImageSet(fit_array(images, side, channels))
    found = next((stored[k] for k in ("labels", "y") if k in stored), None)
    if labels:
        if found is None:
            raise ValueError(
                f"this model is conditional: {path} needs labels under 'labels' or 'y'"
            )
        found = np.asarray(found).reshape(-1)
        if (
            len(found) != len(images)
            or not np.issubdtype(found.dtype, np.integer)
            or found.min() < 0
        ):
            raise ValueError(f"{path}: labels must be {len(images)} integers >= 0")
        result.labels = found.astype(np.int32)
        result.class_names = tuple(str(i) for i in range(int(found.max()) + 1))
    return result


def _import_tfds():
    try:
        import tensorflow_datasets as tfds
    except ImportError as error:
        raise ImportError(
            "tfds: datasets need tensorflow-datasets: pip install 'tfgan-zoo[tfds]'"
        ) from error
    return tfds


def _tfds_examples(name, split, data_dir=None):
    """(tf.data of examples, DatasetInfo) of a tfds dataset already on this machine
    (in `data_dir`, default tfds' own: $TFDS_DATA_DIR or ~/tensorflow_datasets)."""
    tfds = _import_tfds()
    try:
        return tfds.load(
            name, split=split, with_info=True, download=False, try_gcs=False, data_dir=data_dir
        )
    except tfds.core.registered.DatasetNotFoundError:
        base = name.split("/")[0]
        close = difflib.get_close_matches(base, tfds.list_builders(), n=3)
        hint = f" Close names: {', '.join(close)}." if close else ""
        raise ValueError(f"no tensorflow-datasets dataset {base!r}.{hint}") from None
    except AssertionError as error:  # tfds' "could not find data" when not prepared
        if "download_and_prepare" not in str(error) and "could not find" not in str(error):
            raise
        raise FileNotFoundError(
            f"tfds:{name} is not on this machine (nothing is downloaded at run time). On a "
            f'machine with internet run python -c "import tensorflow_datasets as tfds; '
            f"tfds.load('{name}')\" and copy ~/tensorflow_datasets here (or set "
            "TFDS_DATA_DIR)."
        ) from None


def _tfds(name, split, side, channels, labels, power_of_two):
    tfds = _import_tfds()
    ds, info = _tfds_examples(name, split)
    features = info.features
    image_key = next((k for k, f in features.items() if isinstance(f, tfds.features.Image)), None)
    if image_key is None:
        raise ValueError(f"tfds:{name} has no image feature ({sorted(features)})")
    label_key = next(
        (k for k, f in features.items() if isinstance(f, tfds.features.ClassLabel)), None
    )
    if labels and label_key is None:
        raise ValueError(f"this model is conditional, and tfds:{name} has no class label")
    shape = features[image_key].shape
    if side is None:
        if None in shape[:2]:
            raise ValueError(f"tfds:{name} has images of varying sizes: pass --image-size")
        side = image_files.default_side(min(shape[:2]), power_of_two)
    channels = channels or (shape[-1] if shape[-1] in (1, 3) else 3)
    ds = ds.map(
        lambda ex: (
            image_files.fit_image(ex[image_key], side, channels),
            ex[label_key] if label_key else tf.constant(0, tf.int64),
        ),
        num_parallel_calls=tf.data.AUTOTUNE,
    )
    images, classes = [], []
    for x, y in ds.batch(1024).prefetch(tf.data.AUTOTUNE):
        images.append(x.numpy())
        classes.append(y.numpy())
    if not images:
        raise ValueError(f"tfds:{name} split {split!r} holds no examples")
    result = ImageSet(np.concatenate(images))
    if labels:
        result.labels = np.concatenate(classes).astype(np.int32)
        result.class_names = tuple(features[label_key].names)
    return result


# ------------------------------------------------------------------ translators
def image_pairs(spec, side=None, channels=None, order="left-to-right"):
    """(source, target, notes) uint8 arrays of a folder of pairs: side-by-side
    images, or subfolders A/ and B/ with files matched by name. `order`
    "right-to-left" swaps source and target."""
    if order not in PAIR_ORDERS:
        raise ValueError(f"pair order must be one of {PAIR_ORDERS}, got {order!r}")
    if spec.kind != "folder":
        raise ValueError(
            f"{spec.name}: paired data is a folder of side-by-side pairs or of A/ and B/ subfolders"
        )
    folder = Path(spec.name)
    sides = {p.name.lower(): p for p in folder.iterdir() if p.is_dir()}
    if "a" in sides and "b" in sides:
        first, second, notes = _matched_folders(sides["a"], sides["b"], side, channels)
    else:
        first, second, notes = _side_by_side(folder, side, channels)
    return (first, second, notes) if order == "left-to-right" else (second, first, notes)


def _stems(folder):
    return {
        p.relative_to(folder).with_suffix("").as_posix(): p for p in image_files.list_images(folder)
    }


def _matched_folders(folder_a, folder_b, side, channels):
    a, b = _stems(folder_a), _stems(folder_b)
    unmatched = sorted(set(a) ^ set(b))
    if unmatched:
        raise ValueError(
            f"paired folders {folder_a.name}/ and {folder_b.name}/ must hold the "
            f"same file names; {len(unmatched)} have no partner: "
            f"{', '.join(unmatched[:5])}"
        )
    names = sorted(a)
    headers = image_files.read_headers([a[n] for n in names] + [b[n] for n in names])
    side, channels = image_files.default_shape([h for h in headers if h], side, channels)
    first = image_files.decode_files([a[n] for n in names], side, channels)
    second = image_files.decode_files([b[n] for n in names], side, channels)
    if len(first.files) != len(names) or len(second.files) != len(names):
        bad = sorted(
            {p.name for p in [a[n] for n in names] if p not in set(first.files)}
            | {p.name for p in [b[n] for n in names] if p not in set(second.files)}
        )
        raise ValueError(
            f"{len(bad)} paired image file(s) could not be read (e.g. "
            f"{bad[0]}); a pair needs both images"
        )
    return first.images, second.images, first.notes


def _side_by_side(folder, side, channels):
    files = image_files.list_images(folder)
    headers = image_files.read_headers(files)
    wrong = [p.name for p, h in zip(files, headers) if h is not None and h[0] != 2 * h[1]]
    if wrong:
        raise ValueError(
            f"{folder}: side-by-side pairs are twice as wide as tall; "
            f"{len(wrong)} are not (e.g. {wrong[0]}). Or use A/ and B/ subfolders "
            "with matching names"
        )
    halves = [(h[0] // 2, h[1], h[2]) for h in headers if h is not None]
    if not halves:
        raise ValueError(f"none of the {len(files)} image files under {folder} could be read")
    side, channels = image_files.default_shape(halves, side, channels)
    wide = image_files.decode_files(files, side, channels, headers, width=2 * side)
    return wide.images[:, :, :side], wide.images[:, :, side:], wide.notes


def image_domains(spec, side=None, channels=None):
    """(domain A, domain B, notes) uint8 arrays for unpaired translation: a folder
    with two subfolders (sorted: the first is A), or tfds:cycle_gan/NAME."""
    if spec.kind == "tfds":
        base, _, _ = spec.name.partition("/")
        split = "train" if spec.split == "train" else spec.split.rstrip("AB")
        sets = [_tfds(spec.name, f"{split}{d}", side, channels, False, False) for d in "AB"]
        if sets[0].images.shape[1:] != sets[1].images.shape[1:]:
            raise ValueError(f"tfds:{spec.name}: the two domains decode to different shapes")
        return sets[0].images, sets[1].images, []
    if spec.kind != "folder":
        raise ValueError(
            f"{spec.name}: unpaired data is a folder with two subfolders, or tfds:cycle_gan/NAME"
        )
    folder = Path(spec.name)
    subfolders = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    if len(subfolders) != 2:
        raise ValueError(
            f"{folder}: unpaired data needs exactly two subfolders, one per "
            f"domain; found {len(subfolders)}"
        )
    files = [image_files.list_images(p) for p in subfolders]
    headers = [image_files.read_headers(f) for f in files]
    side, channels = image_files.default_shape(
        [h for hs in headers for h in hs if h], side, channels
    )
    a, b = (image_files.decode_files(f, side, channels, h) for f, h in zip(files, headers))
    return (
        a.images,
        b.images,
        [f"{p.name}: {n}" for p, d in zip(subfolders, (a, b)) for n in d.notes],
    )
